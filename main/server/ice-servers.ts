// The ICE servers one client is handed (the v2 welcome and GET /ice-servers both come here): the embedded
// relay at the address the client reached us on, with fresh time-limited credentials, then the external
// servers of the `iceServers` option.
import { isIP } from 'node:net';
import { parseIceUrl } from './ice-url.js';
import type { IceServer } from './protocol.js';
import { mintTurnCredentials, type TurnCredentials } from './relay/credentials.js';

export type { IceServer } from './protocol.js';

/** How long handed-out TURN credentials stay valid, in seconds: a school day with a wide margin. */
export const ICE_CREDENTIAL_TTL_SECONDS = 24 * 60 * 60;

/** The embedded relay while it runs: its STUN/TURN port (UDP and TCP) and the secret it checks credentials with. */
export interface LocalRelay {
  port: number;
  secret: string;
}

export interface IceServerRequest {
  /** The server address the client's socket is connected to (`socket.localAddress`). */
  localAddress: string | undefined;
  /** NAME part of the REST usernames (`EXPIRY:NAME`): one per connection, so relay quotas apply per client. */
  user: string;
  nowMs: number;
}

export interface IceServerConfig {
  relay: LocalRelay | null;
  /** External `stun:`, `turn:`, `turns:` URLs (already validated by the options). */
  external: readonly string[];
  /** Secret shared with the external TURN servers (coturn's static-auth-secret); null: they get no credentials. */
  externalSecret: string | null;
}

/** The address as a URL host: IPv4-mapped IPv6 unwrapped, IPv6 in brackets, a zone index dropped. */
export function urlHost(address: string): string | null {
  const plain = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1]!;
  const family = isIP(plain);
  if (family === 4) return plain;
  if (family === 6) return `[${plain}]`;
  return null;
}

/** The ICE server list for one client; `[]` when there is no relay and nothing external. */
export function iceServersFor(config: IceServerConfig, req: IceServerRequest): IceServer[] {
  const out: IceServer[] = [];
  const host = config.relay && req.localAddress ? urlHost(req.localAddress) : null;
  if (config.relay && host) {
    const at = `${host}:${config.relay.port}`;
    out.push({ urls: `stun:${at}` });
    out.push({
      urls: [`turn:${at}?transport=udp`, `turn:${at}?transport=tcp`],
      ...mintTurnCredentials(config.relay.secret, req.user, ICE_CREDENTIAL_TTL_SECONDS, req.nowMs),
    });
  }
  let credentials: TurnCredentials | null = null;
  for (const url of config.external) {
    const parsed = parseIceUrl(url);
    if (typeof parsed === 'string') continue;
    if (parsed.scheme === 'stun') out.push({ urls: url });
    else if (config.externalSecret !== null) {
      credentials ??= mintTurnCredentials(config.externalSecret, req.user, ICE_CREDENTIAL_TTL_SECONDS, req.nowMs);
      out.push({ urls: url, ...credentials });
    }
  }
  return out;
}
