// Where the server may send a push: the endpoint comes from a client, so without a check the server
// would POST to any address a LAN client names (the admin page of a router, 169.254.169.254, a port
// scan). Allowed: https on port 443 of a host whose every address is public, checked when the socket
// connects (a custom lookup, so a name cannot resolve to a public address for a check and a private one
// for the connection), or a host the operator listed (`allowHosts`, e.g. a site's own push service).
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { isPublicAddress } from '../address-ranges.js';

/** Thrown (as a lookup error) when a name resolves to an address push may not reach. */
export class EndpointRefused extends Error {
  override name = 'EndpointRefused';
  readonly code = 'EPUSHREFUSED';
}

export type EndpointVerdict =
  /** Connect with `lookup` (null: an allowed host, resolved the ordinary way). */
  { ok: true; lookup: typeof dnsLookup | null } | { ok: false; reason: string };

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** Decides, before connecting, whether `endpoint` may be sent to. */
export function checkEndpoint(endpoint: string, allowHosts: readonly string[]): EndpointVerdict {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, reason: 'the endpoint is not a URL' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'the endpoint is not https' };
  const host = url.hostname.toLowerCase();
  const port = url.port === '' ? '443' : url.port;
  const listed = allowHosts.some((h) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h.toLowerCase());
    return m !== null && m[1] === host && (m[2] === undefined || m[2] === port);
  });
  if (listed) return { ok: true, lookup: null };
  if (port !== '443') return { ok: false, reason: `port ${port} is not 443 and ${host} is not in --push-allow-hosts` };
  if (isIP(bare(host)) !== 0)
    return isPublicAddress(bare(host))
      ? { ok: true, lookup: null }
      : { ok: false, reason: `${host} is not a public address and is not in --push-allow-hosts` };
  return { ok: true, lookup: publicOnlyLookup };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * dns.lookup that fails unless every address of the name is public. net/tls call it when connecting,
 * so the address checked is the address used.
 */
export const publicOnlyLookup = ((
  hostname: string,
  options: LookupOneOptions | LookupAllOptions | number | LookupCallback,
  callback?: LookupCallback,
) => {
  const cb = (typeof options === 'function' ? options : callback)!;
  const opts = typeof options === 'object' ? options : {};
  dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
    if (err) return cb(err, '');
    const list = addresses;
    const bad = list.find((a) => !isPublicAddress(a.address));
    if (list.length === 0 || bad) {
      return cb(
        new EndpointRefused(`${hostname} resolves to ${bad?.address ?? 'nothing'}, which is not a public address`),
        '',
      );
    }
    if ((opts as LookupAllOptions).all) return cb(null, list);
    cb(null, list[0]!.address, list[0]!.family);
  });
}) as unknown as typeof dnsLookup;
