// What the `host` option (the bind address) means for who can reach the server: every interface, this
// machine only (loopback), or one address. The URLs listed (addresses.ts) and the interfaces mDNS
// advertises on (discovery/links.ts) both read it from here, so a loopback bind in any spelling
// (127.0.0.2, ::1, 0:0:0:0:0:0:0:1, ::ffff:127.0.0.1, localhost) is never offered to the LAN.
import { BlockList, isIP } from 'node:net';

export type BindScope =
  /** 0.0.0.0 (IPv4 only) or :: (IPv6 and, dual-stack, IPv4). */
  | { kind: 'every-interface'; family: 'IPv4' | 'any' }
  /** This machine only; `address` in canonical form (`localhost` as 127.0.0.1). */
  | { kind: 'loopback'; address: string }
  /** One address of one interface, in canonical form. */
  | { kind: 'address'; address: string };

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * One spelling per address: IPv6 compressed and lower-case, an IPv4-mapped IPv6 address as its IPv4
 * address. Anything that is not an IP literal comes back unchanged.
 */
export function canonicalAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  const zone = address.indexOf('%'); // fe80::1%eth0: URL does not take the zone; keep it as it is
  if (zone >= 0) return `${canonicalAddress(address.slice(0, zone))}${address.slice(zone)}`;
  const v6 = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** The scope of a bind address (an IP literal or `localhost`, as the options allow). */
export function bindScope(host: string): BindScope {
  if (host === 'localhost') return { kind: 'loopback', address: '127.0.0.1' };
  const address = canonicalAddress(host);
  if (address === '0.0.0.0') return { kind: 'every-interface', family: 'IPv4' };
  if (address === '::') return { kind: 'every-interface', family: 'any' };
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return loopback.check(address, family) ? { kind: 'loopback', address } : { kind: 'address', address };
}
