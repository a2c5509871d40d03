// X.509 Name Constraints (RFC 5280 section 4.2.1.10) for the local CA: what it may certify, encoded to
// DER here (the x509 library has no class for this extension) and decoded again for `ca show`.
import { BlockList, isIPv4 } from 'node:net';

/** OID of the nameConstraints extension. */
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/**
 * What the local CA may sign, defined once: `.local` names and this machine's `localhost`, the private and
 * link-local address ranges, and loopback (the leaf names 127.0.0.1 and ::1 for this machine's own use).
 * A leaf naming anything else (a public site) is refused by every client that honours the constraint.
 */
export const PERMITTED = {
  dns: ['local', 'localhost'],
  ip: [
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '169.254.0.0/16',
    '127.0.0.0/8',
    'fc00::/7',
    'fe80::/10',
    '::1/128',
  ],
} as const;

const permittedAddresses = (() => {
  const list = new BlockList();
  for (const cidr of PERMITTED.ip) {
    const [net, bits] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(bits), isIPv4(net) ? 'ipv4' : 'ipv6');
  }
  return list;
})();

/** True when the CA may certify this address (a leaf naming any other address would be refused). */
export function isPermittedAddress(ip: string): boolean {
  return permittedAddresses.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [l = '', r] = ip.split('::') as [string, string | undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups =
    r === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function maskBytes(bits: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < bits; i++) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** The DER value (the extnValue contents) of a nameConstraints extension permitting `PERMITTED`. */
export function encodeNameConstraints(
  permitted: { dns: readonly string[]; ip: readonly string[] } = PERMITTED,
): Buffer {
  // GeneralSubtree ::= SEQUENCE { base GeneralName }; dNSName is [2] IA5String, iPAddress [7] OCTET STRING
  // holding address then mask.
  const subtrees = [
    ...permitted.dns.map((d) => tlv(0x30, tlv(0x82, Buffer.from(d, 'ascii')))),
    ...permitted.ip.map((cidr) => {
      const [net, bits] = cidr.split('/') as [string, string];
      const addr = ipBytes(net);
      return tlv(0x30, tlv(0x87, Buffer.concat([addr, maskBytes(Number(bits), addr.length)])));
    }),
  ];
  // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees }
  return tlv(0x30, tlv(0xa0, Buffer.concat(subtrees)));
}

function readTlv(buf: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | buf[start + i]!;
    start += n;
  }
  return { tag, start, end: start + len };
}

function formatIp(addr: Buffer): string {
  if (addr.length === 4) return [...addr].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(addr.readUInt16BE(i).toString(16));
  return groups
    .join(':')
    .replace(/(^|:)0(:0)+(:|$)/, '::')
    .replace(/:{3,}/, '::');
}

/** Reads the permitted subtrees back (DNS names and CIDRs); what the excluded ones hold is not used here. */
export function decodeNameConstraints(der: Buffer): { dns: string[]; ip: string[] } {
  const out = { dns: [] as string[], ip: [] as string[] };
  const outer = readTlv(der, 0);
  for (let at = outer.start; at < outer.end;) {
    const part = readTlv(der, at);
    if (part.tag === 0xa0) {
      for (let s = part.start; s < part.end;) {
        const subtree = readTlv(der, s);
        const name = readTlv(der, subtree.start);
        const value = der.subarray(name.start, name.end);
        if (name.tag === 0x82) out.dns.push(value.toString('ascii'));
        if (name.tag === 0x87) {
          const half = value.length / 2;
          const mask = value.subarray(half);
          const bits = [...mask].reduce((n, b) => n + b.toString(2).replace(/0/g, '').length, 0);
          out.ip.push(`${formatIp(value.subarray(0, half))}/${bits}`);
        }
        s = subtree.end;
      }
    }
    at = part.end;
  }
  return out;
}
