// The names and addresses other devices use to reach this machine on the LAN: what a LAN certificate
// must cover and what a certificate is checked against.
import { interfaceAddresses } from '../server/addresses.js';
import type { InterfaceAddress } from '../server/report-types.js';
import { localLabel } from '../server/local-name.js';

/** Every interface address, loopback included (the server's list: link-local IPv6 left out). */
export const lanAddresses = interfaceAddresses;

/** The label of `NAME.local` (one rule for mDNS, certificates and URLs: server/local-name.ts). */
export function mdnsHostLabel(hostname?: string): string {
  return localLabel(hostname);
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
