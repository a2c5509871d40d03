// The parts every certificate this app makes shares (the LAN certificate, the local CA, its leaves): EC
// P-256 keys signed with ECDSA SHA-256, random serials, validity that starts an hour back, the server
// certificate extensions and PEM output. One place, so the three cannot drift apart.
import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { DAY_MS } from '../server/units.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// Node's webcrypto is the WebCrypto the library expects; the typings differ only in DOM-lib details.
x509.cryptoProvider.set(webcrypto as never);

export { x509 };

/** A PEM certificate and its PEM PKCS#8 key (unencrypted; callers seal it at rest). */
export interface CertAndKey {
  cert: string;
  key: string;
}

export const signingAlgorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A fresh P-256 key pair (extractable, so the private key can be exported). */
export function newKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify']);
}

/** 16 random bytes as hex, the first bit cleared: a positive INTEGER. */
export function serialNumber(): string {
  const s = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  s[0] = (s[0] ?? 0) & 0x7f;
  return s.toString('hex');
}

/** `days` of validity from an hour before `now` (an hour back tolerates device clocks a little behind). */
export function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now.getTime() - 3_600_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

/** The extensions of a TLS server certificate for `names` (not a CA; digital signature; serverAuth; SANs). */
export async function serverExtensions(
  publicKey: CryptoKey,
  names: { dns: string[]; ip: string[] },
): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      ...names.dns.map((value) => ({ type: 'dns' as const, value })),
      ...names.ip.map((value) => ({ type: 'ip' as const, value })),
    ]),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

/** DER bytes as a PEM block with `label`, 64 characters a line. */
export function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** The certificate and the pair's private key, both as PEM. */
export async function certAndKey(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<CertAndKey> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem') + '\n', key: toPem(pkcs8, 'PRIVATE KEY') };
}
