// Reads a certificate (and optionally its key) with node:crypto and says what a user must know: who it
// names, until when, its fingerprint, and what is wrong with it for this LAN (warnings) or unusable
// (errors: unreadable, key does not match).
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { EXPIRY_WARNING_DAYS } from '../server/tls.js';
import { DAY_MS } from '../server/units.js';
import type { CertificateDetails, CertificateWarning } from './details.js';

export type { CertificateDetails } from './details.js';

export interface InspectOptions {
  /** The names and addresses devices will use (see lanCertificateNames); missing ones are warned about. */
  expected?: { dns: string[]; ip: string[] };
  now?: Date;
  /** Warn this many days before expiry; default EXPIRY_WARNING_DAYS (the server's). */
  soonDays?: number;
}

/** A certificate or key that cannot be used; `field` says which input is at fault. */
export class CertificateError extends Error {
  override name = 'CertificateError';
  constructor(
    message: string,
    readonly field: 'cert' | 'key' | 'passphrase',
  ) {
    super(message);
  }
}

function keyType(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return `EC ${({ prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as Record<string, string>)[d.namedCurve ?? ''] ?? d.namedCurve ?? '?'}`;
    case 'rsa':
    case 'rsa-pss':
      return `RSA ${d.modulusLength ?? '?'}`;
    default:
      return (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  }
}

function hashOf(pem: string): string | null {
  try {
    const alg = new x509.X509Certificate(pem).signatureAlgorithm as { hash?: { name?: string } };
    return alg.hash?.name ?? null;
  } catch {
    return null;
  }
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** Parses the first certificate of `pem`. Throws CertificateError('cert') when it is not one. */
export function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new CertificateError(
      'This is not a PEM certificate (expected -----BEGIN CERTIFICATE-----): choose the certificate file, not the key',
      'cert',
    );
  }
}

/** Loads a private key. Throws CertificateError('key' | 'passphrase'). */
export function parsePrivateKey(pem: string, passphrase?: string): KeyObject {
  try {
    return createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
  } catch (err) {
    const msg = String((err as Error).message);
    // OpenSSL 3 reports a missing passphrase as "interrupted or cancelled" (it could not prompt).
    const encrypted = /ENCRYPTED/.test(pem) || /passphrase|bad decrypt|interrupted or cancelled/i.test(msg);
    if (encrypted) {
      throw new CertificateError(
        passphrase === undefined
          ? 'The private key is encrypted: enter its passphrase'
          : 'The passphrase does not decrypt the private key',
        'passphrase',
      );
    }
    throw new CertificateError(
      'This is not a PEM private key (expected -----BEGIN PRIVATE KEY----- or similar): choose the key file',
      'key',
    );
  }
}

/** Details and warnings for a certificate; with `keyPem`, also checks the key matches (else throws). */
export function inspectCertificate(
  certPem: string,
  opts: InspectOptions & { keyPem?: string; passphrase?: string } = {},
): CertificateDetails {
  const cert = parseCertificate(certPem);
  if (opts.keyPem !== undefined) {
    const key = parsePrivateKey(opts.keyPem, opts.passphrase);
    if (!cert.checkPrivateKey(key))
      throw new CertificateError(
        'The private key does not belong to this certificate: choose the key that was created with it',
        'key',
      );
  }
  const now = opts.now ?? new Date();
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  const daysLeft = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
  const selfSigned = cert.subject === cert.issuer && cert.verify(cert.publicKey);
  const pub = createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' }));
  const warnings: CertificateWarning[] = [];

  if (to < now)
    warnings.push({ code: 'expired', message: `The certificate expired on ${ymd(to)}: generate or import a new one` });
  else if (from > now)
    warnings.push({
      code: 'not-yet-valid',
      message: `The certificate is valid only from ${ymd(from)}: check this computer's clock`,
    });
  else if (daysLeft < (opts.soonDays ?? EXPIRY_WARNING_DAYS))
    warnings.push({
      code: 'expires-soon',
      message: `The certificate expires on ${ymd(to)} (in ${daysLeft} days): renew it soon`,
    });

  if (selfSigned)
    warnings.push({
      code: 'self-signed',
      message:
        'The certificate is self-signed: each device must trust it once (export it from Certificates and install it)',
    });
  const kt = keyType(pub);
  const bits = Number(kt.split(' ')[1]);
  if (kt.startsWith('RSA') && bits < 2048)
    warnings.push({
      code: 'weak-key',
      message: `${kt} is too short to be accepted by browsers: use EC P-256 or RSA 2048+`,
    });
  const hash = hashOf(cert.toString());
  if (hash && /^(SHA-1|MD5)$/i.test(hash))
    warnings.push({
      code: 'weak-signature',
      message: `Signed with ${hash}, which browsers reject: generate a new certificate`,
    });

  for (const name of opts.expected?.dns ?? []) {
    if (!cert.checkHost(name, { wildcards: true, subject: 'never' })) {
      warnings.push({
        code: 'san-missing',
        message: `${name} is not named in the certificate: devices connecting by that name will reject it (generate a LAN certificate to cover it)`,
      });
    }
  }
  for (const ip of opts.expected?.ip ?? []) {
    if (!cert.checkIP(ip)) {
      warnings.push({
        code: 'san-missing',
        message: `${ip} is not named in the certificate: devices connecting to that address will reject it (generate a LAN certificate to cover it)`,
      });
    }
  }

  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    selfSigned,
    subjectAltNames: (cert.subjectAltName ?? '')
      .split(', ')
      .filter(Boolean)
      .map((s) => s.replace(/^IP Address:/, 'IP:')),
    validFrom: from.toISOString(),
    validTo: to.toISOString(),
    daysLeft,
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    keyType: kt,
    warnings,
    pem: cert.toString(),
  };
}
