// The grammar of an external ICE server URL (RFC 7064 stun:, RFC 7065 turn:/turns:), checked once when the
// options are read, so a typo is a clear error at start instead of a browser silently ignoring the server.
import { isIP } from 'node:net';

export type IceScheme = 'stun' | 'turn' | 'turns';

export interface IceUrl {
  scheme: IceScheme;
  /** Host as written: a DNS name, an IPv4 address, or an IPv6 address in brackets. */
  host: string;
  port: number | null;
  transport: 'udp' | 'tcp' | null;
}

const shape = /^(stun|turn|turns):(\[[^\]]*\]|[^:?/@[\]]*)(?::(\d{1,5}))?(?:\?transport=([a-z]+))?$/i;
const dnsLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function validHost(host: string): boolean {
  if (host.startsWith('[')) return isIP(host.slice(1, -1)) === 6;
  if (isIP(host) === 4) return true;
  // A name that looks like a dotted number but is not an IPv4 address is a typo, not a host.
  if (/^[\d.]+$/.test(host)) return false;
  return host.length <= 253 && host.split('.').every((l) => dnsLabel.test(l));
}

/** Parses an ICE server URL; returns why it is not one as a string. */
export function parseIceUrl(url: string): IceUrl | string {
  const m = shape.exec(url);
  if (!m) return 'expected stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=tcp]';
  const scheme = m[1]!.toLowerCase() as IceScheme;
  const host = m[2]!;
  if (!validHost(host)) return `"${host}" is not a host name or IP address (IPv6 goes in brackets: [fd00::1])`;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) return `port ${port} is not between 1 and 65535`;
  const transport = m[4] === undefined ? null : m[4].toLowerCase();
  if (transport !== null && transport !== 'udp' && transport !== 'tcp')
    return `transport must be udp or tcp, not ${transport}`;
  if (scheme === 'stun' && transport !== null) return 'stun: takes no ?transport= (STUN runs over UDP)';
  if (scheme === 'turns' && transport === 'udp') return 'turns: runs over TLS, so ?transport=udp cannot work';
  return { scheme, host, port, transport };
}
