// The names and addresses other devices use to reach this machine on the LAN: what a LAN certificate
// must cover and what a certificate is checked against.
import os from 'node:os';
import { localLabel } from '../server/local-name.js';

export interface LanAddress {
  interface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  internal: boolean;
}

/** Every interface address, loopback included; IPv6 link-local ones left out (unusable in a URL). */
export function lanAddresses(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): LanAddress[] {
  const out: LanAddress[] = [];
  for (const [name, infos] of Object.entries(ifaces)) {
    for (const i of infos ?? []) {
      if (i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80:')) continue;
      out.push({ interface: name, address: i.address, family: i.family, internal: i.internal });
    }
  }
  return out;
}

/** The label of `NAME.local` (one rule for mDNS, certificates and URLs: server/local-name.ts). */
export function mdnsHostLabel(hostname?: string): string {
  return localLabel(hostname);
}

/** What a LAN certificate should name: `HOST.local` and `localhost`, every address (loopback too). */
export function lanCertificateNames(
  hostname?: string,
  addresses: LanAddress[] = lanAddresses(),
): { dns: string[]; ip: string[] } {
  const dns = [`${mdnsHostLabel(hostname)}.local`, 'localhost'];
  const ip = [...new Set(addresses.map((a) => a.address))];
  return { dns, ip };
}
