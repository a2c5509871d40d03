// The names and addresses other devices use to reach this machine on the LAN: what a LAN certificate
// must cover and what a certificate is checked against.
import os from 'node:os';

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
  addresses: LanAddress[] = lanAddresses(),
): { dns: string[]; ip: string[] } {
  const dns = [`${mdnsHostLabel(hostname)}.local`, 'localhost'];
  const ip = [...new Set(addresses.map((a) => a.address))];
  return { dns, ip };
}
