// Long-term credentials (RFC 8489 §9.2) over TURN REST usernames: the password is derived from the
// shared secret, so no user table exists; nonces are stateless (expiry + HMAC), so no nonce table either.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { restUsernameExpiry, turnPassword } from './credentials.js';
import { Attr, attr, integrityMatches, type StunMessage } from './stun-message.js';

export const REALM = 'rustysignal';
/** How long a nonce is accepted before the client gets 438 Stale Nonce and retries with a fresh one. */
const NONCE_LIFETIME_S = 600;

export type AuthResult =
  { ok: true; username: string; name: string; key: Buffer } | { ok: false; code: 400 | 401 | 438; reason: string };

export class Authenticator {
  readonly #nonceKey = randomBytes(16);

  constructor(private secret: () => string) {}

  /** A nonce valid for NONCE_LIFETIME_S from `nowS`, bound to the client's address. */
  nonce(clientAddress: string, nowS: number): string {
    const expiry = (nowS + NONCE_LIFETIME_S).toString(16).padStart(8, '0');
    return expiry + this.#mac(expiry, clientAddress);
  }

  #mac(expiry: string, clientAddress: string): string {
    return createHmac('sha256', this.#nonceKey).update(`${expiry}|${clientAddress}`).digest('base64url').slice(0, 24);
  }

  #nonceFresh(nonce: string, clientAddress: string, nowS: number): boolean {
    if (nonce.length !== 32) return false;
    const expiry = nonce.slice(0, 8);
    const mac = Buffer.from(nonce.slice(8));
    const want = Buffer.from(this.#mac(expiry, clientAddress));
    return mac.length === want.length && timingSafeEqual(mac, want) && parseInt(expiry, 16) > nowS;
  }

  /** The long-term key of a REST username: MD5(username:realm:password). */
  key(username: string): Buffer {
    return createHash('md5')
      .update(`${username}:${REALM}:${turnPassword(this.secret(), username)}`)
      .digest();
  }

  /** Checks a request's USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (RFC 8489 §9.2.4). */
  check(msg: StunMessage, clientAddress: string, nowS: number): AuthResult {
    if (msg.integrityAt < 0) return { ok: false, code: 401, reason: 'Unauthorized' };
    const user = attr(msg, Attr.Username);
    const realm = attr(msg, Attr.Realm);
    const nonce = attr(msg, Attr.Nonce);
    if (!user || !realm || !nonce)
      return { ok: false, code: 400, reason: 'Bad Request: missing USERNAME, REALM or NONCE' };
    if (!this.#nonceFresh(nonce.toString('latin1'), clientAddress, nowS))
      return { ok: false, code: 438, reason: 'Stale Nonce' };
    const username = user.toString('utf8');
    const expiry = restUsernameExpiry(username);
    if (expiry === null || expiry <= nowS || realm.toString('utf8') !== REALM)
      return { ok: false, code: 401, reason: 'Unauthorized: credentials expired or unknown' };
    const key = this.key(username);
    if (!integrityMatches(msg, key)) return { ok: false, code: 401, reason: 'Unauthorized: wrong credentials' };
    return { ok: true, username, name: username.slice(username.indexOf(':') + 1), key };
  }
}
