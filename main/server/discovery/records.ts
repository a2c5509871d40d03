// The DNS records of one advertisement (docs/discovery.md) and the TXT encoding both ends use.
import { isIPv4 } from 'node:net';
import { SERVICE, SERVICE_ENUMERATION, serviceFqdn } from './names.js';

/** What the server advertises; the lead's composition root passes it in and updates it on reconfigure. */
export interface Advertisement {
  /** TCP port the signaling server listens on. */
  port: number;
  /** True when the port speaks TLS (wss). */
  tls: boolean;
  /** HTTP path prefix of the WebSocket endpoint, `/` by default. */
  path: string;
  /** True when Web Push is enabled. */
  push: boolean;
  /** True when clients must present an access key. */
  key: boolean;
  /**
   * The address the server is bound to. A specific address (not 0.0.0.0 or ::) limits advertising to the
   * interface that owns it, so a server bound to 127.0.0.1 is not offered to the LAN. Read at start only.
   */
  bindHost?: string;
}

/** A resource record as multicast-dns (dns-packet) encodes it. `flush` is the mDNS cache-flush bit. */
export type DnsRecord =
  | { name: string; type: 'PTR'; ttl: number; data: string; flush?: boolean }
  | {
      name: string;
      type: 'SRV';
      ttl: number;
      data: { port: number; target: string; priority?: number; weight?: number };
      flush?: boolean;
    }
  | { name: string; type: 'TXT'; ttl: number; data: Buffer[]; flush?: boolean }
  | { name: string; type: 'A' | 'AAAA'; ttl: number; data: string; flush?: boolean };

/** A record as it arrives from the network: any type, data not yet checked. */
export interface IncomingRecord {
  name: string;
  type: string;
  ttl: number;
  data?: unknown;
  flush?: boolean;
}

// TTLs in seconds as RFC 6762 section 10 suggests: host-bound records 120 s, the others 75 minutes.
const HOST_TTL = 120;
const OTHER_TTL = 4500;

/** The TXT keys of docs/discovery.md, in the order they are sent. */
export function txtFor(ad: Advertisement): Record<string, string> {
  return { v: '1,2', tls: ad.tls ? '1' : '0', path: ad.path, push: ad.push ? '1' : '0', key: ad.key ? '1' : '0' };
}

/** Encodes key/value pairs as TXT strings (`key=value`, each at most 255 bytes). */
export function encodeTxt(txt: Record<string, string>): Buffer[] {
  return Object.entries(txt).map(([k, v]) => {
    const item = Buffer.from(`${k}=${v}`);
    if (item.length > 255) throw new RangeError(`TXT entry ${k} is longer than 255 bytes`);
    return item;
  });
}

/** Decodes TXT strings; a key without `=` maps to '' and the first occurrence of a key wins (RFC 6763 6.4). */
export function decodeTxt(data: unknown): Record<string, string> {
  const items = Array.isArray(data) ? data : [data];
  const out: Record<string, string> = {};
  for (const item of items) {
    if (!Buffer.isBuffer(item) && typeof item !== 'string') continue;
    const s = item.toString();
    if (s.length === 0) continue;
    const eq = s.indexOf('=');
    const key = (eq === -1 ? s : s.slice(0, eq)).toLowerCase();
    if (key.length === 0 || key in out) continue;
    out[key] = eq === -1 ? '' : s.slice(eq + 1);
  }
  return out;
}

/** PTR, SRV and TXT of the instance `name` on host `host` (a `.local` name). */
export function serviceRecords(name: string, host: string, ad: Advertisement): DnsRecord[] {
  const fqdn = serviceFqdn(name);
  return [
    { name: SERVICE, type: 'PTR', ttl: OTHER_TTL, data: fqdn },
    {
      name: fqdn,
      type: 'SRV',
      ttl: HOST_TTL,
      flush: true,
      data: { port: ad.port, target: host, priority: 0, weight: 0 },
    },
    { name: fqdn, type: 'TXT', ttl: OTHER_TTL, flush: true, data: encodeTxt(txtFor(ad)) },
    // Lets `avahi-browse -a` and `dns-sd -B _services._dns-sd._udp` find the service type.
    { name: SERVICE_ENUMERATION, type: 'PTR', ttl: OTHER_TTL, data: SERVICE },
  ];
}

/** A and AAAA records of `host` for the addresses of one interface. */
export function addressRecords(host: string, addresses: readonly string[]): DnsRecord[] {
  return addresses.map((a) => ({ name: host, type: isIPv4(a) ? 'A' : 'AAAA', ttl: HOST_TTL, flush: true, data: a }));
}

/**
 * The goodbye form of records (TTL 0). The service-enumeration PTR is left out: it is shared with every
 * other rustysignal server on the link, and a goodbye for it would hide their service type from caches.
 */
export function goodbyes(records: readonly DnsRecord[]): DnsRecord[] {
  return records.filter((r) => r.name !== SERVICE_ENUMERATION).map((r) => ({ ...r, ttl: 0 }));
}
