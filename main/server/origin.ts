// Which web pages may open a WebSocket to this server (the `Origin` of the upgrade). Without a check,
// any page a LAN user visits could connect, read the peer list and claim names (cross-site WebSocket
// hijacking). Allowed by default: no Origin (apps, CLIs), this server's own pages, localhost, *.local,
// *.home.arpa and IP-literal hosts on the LAN; anything else only when the operator allowed it.
import { isLocalAddress } from './address-ranges.js';

export interface OriginPolicy {
  /** The operator's extra origins (`*` for any). */
  allowed: readonly string[];
  /** DNS names this server answers to (its host name, its certificate's names), lower case. */
  ownNames: () => ReadonlySet<string>;
}

const lanSuffixes = ['.local', '.localhost', '.home.arpa'];

function isLanHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || lanSuffixes.some((s) => h.endsWith(s)) || isLocalAddress(h);
}

function parseOrigin(origin: string): URL | null {
  try {
    return origin === 'null' ? null : new URL(origin);
  } catch {
    return null;
  }
}

/**
 * Null when an upgrade with this `Origin` header (undefined: none) and `Host` header may proceed; else
 * the message for the 403 answer.
 */
export function originRefusal(
  origin: string | undefined,
  host: string | undefined,
  policy: OriginPolicy,
): string | null {
  if (origin === undefined) return null;
  if (policy.allowed.includes('*') || policy.allowed.includes(origin)) return null;
  const url = parseOrigin(origin);
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:')) {
    if (isLanHost(url.hostname)) return null;
    // This server's own pages, reached by one of its own names. The name must be one we know: a page
    // that merely sends a matching Host header (DNS rebinding) does not count.
    const own = url.host.toLowerCase() === (host ?? '').toLowerCase();
    if (own && policy.ownNames().has(url.hostname.toLowerCase().replace(/\.$/, ''))) return null;
  }
  const shown = origin.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  return (
    `web pages from ${shown} may not connect to this server: it accepts WebSocket connections from its own pages, ` +
    `localhost, *.local and LAN addresses only. The operator can allow this origin with --allow-origin ${shown}`
  );
}
