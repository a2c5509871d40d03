// VAPID keys (RFC 8292): load an EC P-256 private key from PEM, derive what web-push wants, generate
// new pairs, and validate the contact subject. Only node:crypto; no key material is logged.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { pemLabels } from '../pem.js';
import { vapidSubjectProblem } from './subject.js';

/** A VAPID key pair in the forms web-push and web clients use. */
export interface VapidKeys {
  /** Uncompressed P-256 point (65 bytes), base64url without padding: what clients pass to `subscribe`. */
  publicKey: string;
  /** The 32-byte private scalar, base64url without padding: what web-push signs with. */
  privateKey: string;
}

/** A VAPID key or subject that cannot be used; the message says what to do. */
export class VapidError extends Error {
  override name = 'VapidError';
}

const p256 = 'prime256v1';

/** Parses a PEM EC P-256 private key (SEC1 "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY"). Throws VapidError. */
export function parseVapidPrivateKey(pem: string): VapidKeys {
  const label = pemLabels(pem)[0];
  if (label === undefined) {
    throw new VapidError(
      'VAPID key is not PEM text: expected a "-----BEGIN EC PRIVATE KEY-----" or "-----BEGIN PRIVATE KEY-----" block',
    );
  }
  if (label === 'PUBLIC KEY' || label === 'CERTIFICATE') {
    throw new VapidError(
      `VAPID key file holds a ${label.toLowerCase()}, not a private key: give the EC P-256 private key`,
    );
  }
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw new VapidError('VAPID key is encrypted with a passphrase: give an unencrypted EC P-256 private key');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new VapidError(
      `VAPID key could not be read as a private key (${(e as Error).message}): give a PEM EC P-256 private key`,
    );
  }
  return keysFromKeyObject(key);
}

function keysFromKeyObject(key: KeyObject): VapidKeys {
  const type = key.asymmetricKeyType ?? 'unknown';
  if (type !== 'ec') {
    const name = type.toUpperCase();
    // Letters said with a leading vowel sound take "an" (an RSA key, a DSA key).
    const article = /^[AEFHILMNORSX]/.test(name) ? 'an' : 'a';
    throw new VapidError(`VAPID key is ${article} ${name} key; an EC P-256 (prime256v1) key is required`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
  if (curve !== p256) {
    throw new VapidError(`VAPID key is on curve ${curve}; a P-256 (prime256v1) key is required`);
  }
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x || !jwk.y) throw new VapidError('VAPID key has no private part: give the EC P-256 private key');
  // JWK coordinates and d are fixed-length (32 bytes) for P-256, so the point is always 65 bytes.
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return { publicKey: point.toString('base64url'), privateKey: jwk.d };
}

/** A newly generated VAPID pair with its private key as SEC1 PEM ("EC PRIVATE KEY", as openssl ecparam writes). */
export interface GeneratedVapidKey extends VapidKeys {
  pem: string;
}

/**
 * Generates a new P-256 VAPID key pair. The PEM is SEC1 ("-----BEGIN EC PRIVATE KEY-----"), the form
 * `openssl ecparam -name prime256v1 -genkey -noout` writes and the original rustysignal read.
 */
export function generateVapidKey(): GeneratedVapidKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: p256 });
  const pem = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  return { pem, ...keysFromKeyObject(privateKey) };
}

/**
 * Checks the VAPID contact subject (a mailto: address or an https: URL) and returns it trimmed.
 * Throws VapidError when it is missing or of another kind.
 */
export function validateVapidSubject(subject: string | null | undefined): string {
  const s = subject?.trim() ?? '';
  if (s === '') {
    throw new VapidError(
      'a VAPID subject is required: give a contact as mailto:you@example.org or an https: URL (--vapid-subject)',
    );
  }
  const problem = vapidSubjectProblem(s);
  if (problem) throw new VapidError(`VAPID subject ${problem}`);
  return s;
}
