// Load and check TLS material: a PEM certificate (chain) and its key. Errors say what is wrong and what to do.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readFile } from 'node:fs/promises';
import type { TlsOptions } from './options.js';
import { isPem, pemBeginLine } from './pem.js';
import { DAY_MS } from './units.js';

/**
 * What the server negotiates: TLS 1.2 or 1.3, and on TLS 1.2 only forward-secret (ECDHE) AEAD suites.
 * TLS 1.3 suites are all forward-secret AEAD. Every browser of the last years offers these.
 */
export const tlsPolicy = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const;

/** A TLS problem a user can act on. */
export class TlsError extends Error {
  override name = 'TlsError';
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Subject alternative names as Node prints them, e.g. `DNS:host.local, IP Address:127.0.0.1`. */
  subjectAltName: string | null;
  validFrom: Date;
  validTo: Date;
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint256: string;
}

export interface CheckedTls {
  options: TlsOptions;
  info: CertificateInfo;
  /** Set when the certificate expires within EXPIRY_WARNING_DAYS. */
  expiryWarning: string | null;
}

/** Days before a certificate's end from which the server and the dashboard warn that it expires soon. */
export const EXPIRY_WARNING_DAYS = 30;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Checks that `tls` holds a parseable certificate, a key that opens (with its passphrase) and matches it,
 * and that the certificate is valid now. Expired or not-yet-valid certificates are refused: browsers would
 * refuse them anyway, and a clear error at start beats clients that silently fail to connect.
 */
export function checkTls(tls: TlsOptions, now = Date.now()): CheckedTls {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(tls.cert);
  } catch (err) {
    throw new TlsError(
      `the certificate is not a readable PEM certificate (${(err as Error).message}): load the certificate file, not the key`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: tls.key,
      format: 'pem',
      ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    });
  } catch (err) {
    const msg = (err as Error).message;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    // OpenSSL says "interrupted or cancelled" when an encrypted key gets no passphrase at all.
    if (/BAD_DECRYPT|INTERRUPTED_OR_CANCELLED/.test(code) || /passphrase|bad decrypt/i.test(msg))
      throw new TlsError(
        'the private key is encrypted and the passphrase is missing or wrong: give the right passphrase',
      );
    throw new TlsError(`the private key is not a readable PEM private key (${msg})`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsError(
      `the private key does not match the certificate (${cert.subject.replace(/\n/g, ', ')}): load the key that was issued with this certificate`,
    );
  }
  const validFrom = new Date(cert.validFrom);
  const validTo = new Date(cert.validTo);
  if (now > validTo.getTime())
    throw new TlsError(`the certificate expired on ${isoDay(validTo)}: load a renewed certificate`);
  if (now < validFrom.getTime())
    throw new TlsError(
      `the certificate is not valid before ${isoDay(validFrom)}: check this computer's clock or load another certificate`,
    );
  try {
    createSecureContext({
      cert: tls.cert,
      key: tls.key,
      ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    });
  } catch (err) {
    throw new TlsError(`the certificate and key cannot be used for TLS: ${(err as Error).message}`);
  }
  const daysLeft = Math.floor((validTo.getTime() - now) / DAY_MS);
  return {
    options: tls,
    info: {
      subject: cert.subject,
      issuer: cert.issuer,
      subjectAltName: cert.subjectAltName ?? null,
      validFrom,
      validTo,
      fingerprint256: cert.fingerprint256,
    },
    expiryWarning:
      daysLeft < EXPIRY_WARNING_DAYS
        ? `the TLS certificate expires on ${isoDay(validTo)} (in ${daysLeft} days): renew it soon`
        : null,
  };
}

async function readPem(path: string, what: 'certificate' | 'key'): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TlsError(`${what} file not found: ${path}`);
    if (code === 'EACCES') throw new TlsError(`${what} file is not readable (permission denied): ${path}`);
    throw new TlsError(`cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
  const kind = what === 'certificate' ? 'certificate' : 'private key';
  if (!isPem(text, kind)) throw new TlsError(`${path} is not a PEM ${kind} (no ${pemBeginLine[kind]} line)`);
  return text;
}

/** Reads a certificate and key from PEM files (as the original's `rustysignal ADDR CERT KEY`). */
export async function loadTlsFiles(certPath: string, keyPath: string, passphrase?: string): Promise<TlsOptions> {
  const cert = await readPem(certPath, 'certificate');
  const key = await readPem(keyPath, 'key');
  return { cert, key, ...(passphrase !== undefined ? { passphrase } : {}) };
}
