// Checks the VAPID authorization (RFC 8292) of a received push: the ES256 JWT verified with node:crypto
// against the server's published public key, and its claims returned for assertions.
import { createPublicKey, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { headerParam } from './ece.js';

// The JWT's parts as the server under test wrote them: checked, so a missing claim fails here by name.
const jwtHeader = z.object({ typ: z.string(), alg: z.string() });
const jwtClaims = z.object({ aud: z.string(), exp: z.number(), sub: z.string() });

export interface VapidClaims {
  header: z.infer<typeof jwtHeader>;
  claims: z.infer<typeof jwtClaims>;
  /** The key the request named (k= or p256ecdsa=). */
  key: string;
}

/** Verifies the JWT of a request sent with `encoding` against `publicKey` (base64url point); throws on a bad signature. */
export function verifyVapid(
  headers: IncomingHttpHeaders,
  encoding: 'aes128gcm' | 'aesgcm',
  publicKey: string,
): VapidClaims {
  const auth = headers.authorization ?? '';
  let jwt: string;
  let key: string;
  if (encoding === 'aes128gcm') {
    const m = /^vapid t=([^,\s]+),\s*k=(\S+)$/.exec(auth);
    if (!m) throw new Error(`Authorization is not "vapid t=..., k=...": ${auth}`);
    [jwt, key] = [m[1]!, m[2]!];
  } else {
    const m = /^WebPush (\S+)$/.exec(auth);
    if (!m) throw new Error(`Authorization is not "WebPush <jwt>": ${auth}`);
    jwt = m[1]!;
    key = headerParam(headers['crypto-key'], 'p256ecdsa');
  }
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const point = Buffer.from(publicKey, 'base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33).toString('base64url'),
  };
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new Error('VAPID JWT signature does not verify against the published public key');
  return {
    header: jwtHeader.parse(JSON.parse(Buffer.from(h, 'base64url').toString())),
    claims: jwtClaims.parse(JSON.parse(Buffer.from(p, 'base64url').toString())),
    key,
  };
}
