// Time-limited TURN credentials in the TURN REST scheme (the one coturn's `use-auth-secret` accepts), so
// the same secret serves our embedded relay and an external coturn.
import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  /** `EXPIRY:NAME`, EXPIRY in Unix seconds. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
}

/** The password that belongs to a REST username under `secret`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** Mints credentials for `name` valid for `ttlSeconds` from `nowMs` (ms since the epoch). */
export function mintTurnCredentials(secret: string, name: string, ttlSeconds: number, nowMs: number): TurnCredentials {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${name}`;
  return { username, credential: turnPassword(secret, username) };
}

/** The expiry (Unix seconds) of a REST username, or null when the username is not in the scheme. */
export function restUsernameExpiry(username: string): number | null {
  const m = /^(\d{1,12}):/.exec(username);
  return m ? Number(m[1]) : null;
}
