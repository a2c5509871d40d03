// Self-signed LAN certificate: EC P-256, ECDSA with SHA-256, SANs for HOST.local and every LAN address.
import { certificateDays } from './limits.js';
import * as build from './x509-build.js';

/** A PEM certificate and its PEM PKCS#8 private key (unencrypted). */
export type GeneratedCertificate = build.CertAndKey;

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

/** Generates a self-signed server certificate and its key for the given names (about 10-20 ms). */
export async function generateLanCertificate(opts: GenerateOptions): Promise<GeneratedCertificate> {
  const days = opts.days ?? certificateDays.default;
  if (!Number.isInteger(days) || days < certificateDays.min || days > certificateDays.max)
    throw new RangeError(`days must be a whole number from ${certificateDays.min} to ${certificateDays.max}`);
  if (opts.dns.length === 0) throw new RangeError('at least one DNS name is needed');
  const keys = await build.newKeyPair();
  const cert = await build.x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: build.serialNumber(),
    name: [{ CN: [opts.dns[0]!] }, { O: ['rustysignal LAN certificate'] }],
    ...build.validity(opts.now ?? new Date(), days),
    signingAlgorithm: build.signingAlgorithm,
    keys,
    extensions: await build.serverExtensions(keys.publicKey, opts),
  });
  return build.certAndKey(cert, keys);
}
