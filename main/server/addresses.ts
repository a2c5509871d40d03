// The URLs other devices use to reach the server: one per interface address, not just the bind address.
import { networkInterfaces } from 'node:os';
import { bindScope, canonicalAddress } from './bind-address.js';
import type { InterfaceAddress, ListenUrl } from './report-types.js';

function urlFor(scheme: 'ws' | 'wss', address: string, family: ListenUrl['family'], port: number): string {
  return `${scheme}://${family === 'IPv6' ? `[${address}]` : address}:${port}/`;
}

/** Every interface address of this machine, loopback included, in the table's order. */
export function interfaceAddresses(interfaces = networkInterfaces()): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const [name, addrs] of Object.entries(interfaces)) {
    for (const a of addrs ?? []) {
      const family = a.family === 'IPv6' ? 'IPv6' : 'IPv4';
      // Link-local IPv6 needs a zone id that browsers don't accept in URLs.
      if (family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      out.push({ interface: name, address: a.address, family, internal: a.internal });
    }
  }
  return out;
}

/**
 * Reachable URLs for a server bound to `host`:`port`: `localName` (this machine's `NAME.local`) first when
 * given and the bind is a wildcard, then LAN addresses, loopback last.
 */
export function listenUrls(
  host: string,
  port: number,
  tls: boolean,
  interfaces = networkInterfaces(),
  opts: { localName?: string | null } = {},
): ListenUrl[] {
  const scheme = tls ? 'wss' : 'ws';
  const scope = bindScope(host);
  const everywhere = scope.kind === 'every-interface';
  const out: ListenUrl[] = [];
  for (const a of interfaceAddresses(interfaces)) {
    const match = everywhere
      ? scope.family === 'any' || a.family === 'IPv4'
      : canonicalAddress(a.address) === scope.address;
    if (match) out.push({ ...a, url: urlFor(scheme, a.address, a.family, port) });
  }
  if (out.length === 0) {
    const address = everywhere ? host : scope.address;
    const family = address.includes(':') ? 'IPv6' : 'IPv4';
    out.push({ interface: '', address, family, internal: false, url: urlFor(scheme, address, family, port) });
  }
  out.sort((x, y) => Number(x.internal) - Number(y.internal));
  if (opts.localName && everywhere)
    out.unshift({
      interface: 'mDNS',
      address: opts.localName,
      family: 'name',
      internal: false,
      url: urlFor(scheme, opts.localName, 'name', port),
    });
  return out;
}
