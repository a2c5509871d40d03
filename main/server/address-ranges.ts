// Which IP addresses are "on this network" (loopback, private, link-local) and which are public
// internet addresses. The origin check trusts the first kind; push may only connect to the second.
import { BlockList, isIP } from 'node:net';

function list(v4: string[], v6: string[]): BlockList {
  const b = new BlockList();
  for (const r of v4) {
    const [net, bits] = r.split('/');
    b.addSubnet(net!, Number(bits), 'ipv4');
  }
  for (const r of v6) {
    const [net, bits] = r.split('/');
    b.addSubnet(net!, Number(bits), 'ipv6');
  }
  return b;
}

/** Loopback, RFC 1918 private, link-local, and IPv6 unique-local: addresses of the LAN or this machine. */
const local = list(
  ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'],
  ['::1/128', 'fc00::/7', 'fe80::/10'],
);

/** Everything that is not a public unicast internet address (IANA special-purpose registries). */
const notPublic = list(
  [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.88.99.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/3', // multicast, reserved, broadcast
  ],
  [
    '::/127', // unspecified, loopback
    '::ffff:0:0/96', // IPv4-mapped: judged by the IPv4 address instead (see below)
    '64:ff9b::/96',
    '64:ff9b:1::/48',
    '100::/64',
    '2001::/23',
    '2001:db8::/32',
    '2002::/16',
    'fc00::/7',
    'fe80::/10',
    'ff00::/8',
  ],
);

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`), else null. */
function mappedV4(address: string): string | null {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : null;
}

function family(address: string): 'ipv4' | 'ipv6' | null {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

/** True for an IP literal of this machine or the LAN: loopback, private, link-local, unique-local. */
export function isLocalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = mappedV4(bare);
  if (v4 !== null) return local.check(v4, 'ipv4');
  const f = family(bare);
  return f !== null && local.check(bare, f);
}

/** True only for a public unicast internet address (an IP literal); false for anything else. */
export function isPublicAddress(address: string): boolean {
  const v4 = mappedV4(address);
  if (v4 !== null) return isPublicAddress(v4);
  const f = family(address);
  return f !== null && !notPublic.check(address, f);
}
