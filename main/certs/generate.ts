// Self-signed LAN certificate: EC P-256, ECDSA with SHA-256, SANs for HOST.local and every LAN address.
import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { DAY_MS } from '../server/units.js';
import { certificateDays } from './limits.js';

// Node's webcrypto is the WebCrypto the library expects; the typings differ only in DOM-lib details.
x509.cryptoProvider.set(webcrypto as never);

export interface GeneratedCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key (unencrypted). */
  key: string;
}

export interface GenerateOptions {
  /** DNS names for the SAN list, first one also the common name. */
  dns: string[];
  /** IP addresses for the SAN list. */
  ip: string[];
  /** Validity in days; default 397 (the longest that Apple platforms accept for TLS server certificates). */
  days?: number;
  /** Start of validity; default now minus one hour (tolerates clocks a little behind). */
  now?: Date;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** DER bytes as a PEM block with `label`, 64 characters a line. */
export function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Generates a self-signed server certificate and its key for the given names (about 10-20 ms). */
export async function generateLanCertificate(opts: GenerateOptions): Promise<GeneratedCertificate> {
  const days = opts.days ?? certificateDays.default;
  if (!Number.isInteger(days) || days < certificateDays.min || days > certificateDays.max)
    throw new RangeError(`days must be a whole number from ${certificateDays.min} to ${certificateDays.max}`);
  if (opts.dns.length === 0) throw new RangeError('at least one DNS name is needed');
  const notBefore = new Date((opts.now ?? new Date()).getTime() - 3_600_000);
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive INTEGER
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [opts.dns[0]!] }, { O: ['rustysignal LAN certificate'] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * DAY_MS),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...opts.dns.map((value) => ({ type: 'dns' as const, value })),
        ...opts.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem') + '\n', key: toPem(pkcs8, 'PRIVATE KEY') };
}
