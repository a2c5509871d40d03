// The local certificate authority: created once per installation (EC P-256, 10 years), limited by Name
// Constraints to `.local`, localhost and private addresses, and the short-lived leaf certificates it
// issues for this machine. Plain Node (node:crypto's WebCrypto and @peculiar/x509), no shell-outs.
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { DAY_MS } from '../server/units.js';
import {
  decodeNameConstraints,
  encodeNameConstraints,
  isPermittedAddress,
  NAME_CONSTRAINTS_OID,
} from './name-constraints.js';
import {
  certAndKey,
  newKeyPair,
  serialNumber,
  serverExtensions,
  signingAlgorithm,
  validity,
  x509,
  type CertAndKey,
} from './x509-build.js';

export type { CertAndKey } from './x509-build.js';

/** The CA lives 10 years: devices trust it once. */
export const CA_DAYS = 3650;
/** Leaves live 45 days and are re-issued when 15 are left (see leafNeedsRenewal), or when addresses change. */
export const LEAF_DAYS = 45;
export const LEAF_RENEW_DAYS = 15;

/** Creates the CA for this installation; `label` (the `.local` label) goes into its name for people to see. */
export async function createLocalCa(label: string, now = new Date()): Promise<CertAndKey> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [`rustysignal local CA (${label})`] }, { O: ['rustysignal'] }],
    ...validity(now, CA_DAYS),
    signingAlgorithm,
    keys,
    extensions: [
      // pathLen 0: it signs leaves only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      // Critical, as RFC 5280 requires: a client that cannot check the constraint must refuse the CA.
      new x509.Extension(NAME_CONSTRAINTS_OID, true, new Uint8Array(encodeNameConstraints())),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return certAndKey(cert, keys);
}

/** What a leaf names: DNS names and addresses. */
export interface LeafNames {
  dns: string[];
  ip: string[];
}

/** The names a leaf can carry: addresses outside the CA's constraints are left out (they would void it). */
export function permittedNames(names: LeafNames): LeafNames {
  return { dns: [...new Set(names.dns)], ip: [...new Set(names.ip.filter(isPermittedAddress))] };
}

/**
 * Issues a server certificate signed by `ca` for `names` (first DNS name is also the common name), valid
 * `days` (default LEAF_DAYS). Addresses the CA may not certify are dropped. About 10 ms.
 */
export async function issueLeaf(
  ca: CertAndKey,
  names: LeafNames,
  opts: { now?: Date; days?: number } = {},
): Promise<CertAndKey> {
  const { dns, ip } = permittedNames(names);
  if (dns.length === 0) throw new RangeError('a leaf needs at least one DNS name');
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    new Uint8Array(createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' })),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [dns[0]!] }, { O: ['rustysignal'] }],
    issuer: caCert.subject,
    ...validity(opts.now ?? new Date(), opts.days ?? LEAF_DAYS),
    signingAlgorithm,
    publicKey: keys.publicKey as never,
    signingKey: caKey,
    extensions: [
      ...(await serverExtensions(keys.publicKey, { dns, ip })),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey as never),
    ],
  });
  return certAndKey(cert, keys);
}

/** True when `leaf` lacks one of `names` or has fewer than LEAF_RENEW_DAYS left at `now`. */
export function leafNeedsRenewal(leaf: string, names: LeafNames, now = new Date()): boolean {
  const c = new X509Certificate(leaf);
  if (new Date(c.validTo).getTime() - now.getTime() < LEAF_RENEW_DAYS * DAY_MS) return true;
  const want = permittedNames(names);
  const san = (c.subjectAltName ?? '').split(', ');
  const has = new Set(san.map((s) => s.replace(/^(DNS:|IP Address:)/, '').toLowerCase()));
  // Node prints IPv6 SANs in full form; compare through the same formatting.
  const norm = (ip: string) => (ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip);
  const hasIp = new Set(
    san.filter((s) => s.startsWith('IP Address:')).map((s) => norm(s.slice('IP Address:'.length).toLowerCase())),
  );
  return (
    want.dns.some((d) => !has.has(d.toLowerCase())) ||
    want.ip.some((ip) => !hasIp.has(norm(ip.toLowerCase()))) ||
    hasIp.size !== want.ip.length
  );
}

/** What `ca show` and the dashboard say about a CA. */
export interface CaSummary {
  subject: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex (as browsers and OS dialogs print it). */
  fingerprint256: string;
  validFrom: string;
  validTo: string;
  constraints: { dns: string[]; ip: string[] };
}

/** Reads the CA certificate: fingerprint, validity and the names it may certify. */
export function describeCa(caCert: string): CaSummary {
  const c = new X509Certificate(caCert);
  const ext = new x509.X509Certificate(caCert).getExtension(NAME_CONSTRAINTS_OID);
  return {
    subject: c.subject.replace(/\n/g, ', '),
    fingerprint256: c.fingerprint256,
    validFrom: new Date(c.validFrom).toISOString(),
    validTo: new Date(c.validTo).toISOString(),
    constraints: ext ? decodeNameConstraints(Buffer.from(ext.value)) : { dns: [], ip: [] },
  };
}

/** The CA certificate as DER (the `.crt` download). */
export function caDer(caCert: string): Buffer {
  return Buffer.from(new X509Certificate(caCert).raw);
}
