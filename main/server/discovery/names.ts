// DNS-SD names: the service type, instance names (with the DNS-SD conflict suffix) and the host name.
import { hostname } from 'node:os';

/** The DNS-SD service type every rustysignal server advertises. */
export const SERVICE = '_rustysignal._tcp.local';
/** The DNS-SD meta-query name that lists the service types present on a link. */
export const SERVICE_ENUMERATION = '_services._dns-sd._udp.local';

/** DNS labels hold at most 63 bytes. */
const MAX_LABEL_BYTES = 63;

/** The first label of the OS host name (`vm` for `vm.example.org`, `Mac` for `Mac.local`). */
export function hostLabel(osHostname: string = hostname()): string {
  const label = osHostname.split('.')[0]?.trim() ?? '';
  return truncateUtf8(label.length > 0 ? label : 'rustysignal', MAX_LABEL_BYTES);
}

/** The host's mDNS name, the target of our SRV record (one rule for everything: ../local-name.ts). */
export { localHostName } from '../local-name.js';

/** `rustysignal on HOSTNAME`, the instance name used when none is configured. */
export function defaultInstanceName(osHostname?: string): string {
  return `rustysignal on ${hostLabel(osHostname)}`;
}

/**
 * The instance name for the nth try: the base itself, then `base (2)`, `base (3)`, ... as DNS-SD does after a
 * conflict. Dots become `-` (our DNS encoder cannot escape a dot inside a label) and the base is shortened so
 * the label stays within 63 bytes.
 */
export function instanceName(base: string, attempt = 1): string {
  const suffix = attempt > 1 ? ` (${attempt})` : '';
  const clean = base.replaceAll('.', '-').trim() || 'rustysignal';
  return truncateUtf8(clean, MAX_LABEL_BYTES - Buffer.byteLength(suffix)) + suffix;
}

/** The full service instance name, `NAME._rustysignal._tcp.local`. */
export function serviceFqdn(name: string): string {
  return `${name}.${SERVICE}`;
}

/** The instance name of a `NAME._rustysignal._tcp.local` name, or null for any other name. */
export function instanceOf(fqdn: string): string | null {
  const suffix = `.${SERVICE}`;
  const plain = fqdn.endsWith('.') ? fqdn.slice(0, -1) : fqdn;
  if (plain.length <= suffix.length || !sameName(plain.slice(-suffix.length), suffix)) return null;
  return plain.slice(0, -suffix.length);
}

/** DNS names compare case-insensitively (ASCII only) and ignore a trailing dot. */
export function sameName(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/** The form of a DNS name used as a map key. */
export function canonical(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out.trimEnd();
}
