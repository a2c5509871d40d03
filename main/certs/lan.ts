// The names and addresses other devices use to reach this machine on the LAN: what a LAN certificate
// must cover and what a certificate is checked against.
import os from 'node:os';
import { interfaceAddresses } from '../server/addresses.js';
import type { InterfaceAddress } from '../server/report-types.js';

/** Every interface address, loopback included (the server's list: link-local IPv6 left out). */
export const lanAddresses = interfaceAddresses;

/** A DNS label for `HOST.local`: the first label of the host name, lower-case, `a-z0-9-` only. */
export function mdnsHostLabel(hostname: string = os.hostname()): string {
  const label = (hostname.split('.')[0] ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return label || 'rustysignal';
}

/** What a LAN certificate should name: `HOST.local` and `localhost`, every address (loopback too). */
export function lanCertificateNames(
  hostname?: string,
  addresses: InterfaceAddress[] = lanAddresses(),
): { dns: string[]; ip: string[] } {
  const dns = [`${mdnsHostLabel(hostname)}.local`, 'localhost'];
  const ip = [...new Set(addresses.map((a) => a.address))];
  return { dns, ip };
}
