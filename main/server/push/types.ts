// The seam between the signaling core (router) and Web Push. The router only ever calls this.
import type { PushResult } from '../report-types.js';

export type SubscribeOutcome =
  { ok: true } | { ok: false; code: 'invalid-subscription' | 'push-refused'; message: string };

/** Who asks: the connection (its identity, for per-connection bounds and ownership) and its address. */
export interface PushRequester {
  /** The connection object; compared by identity, never kept alive by the push service. */
  session: object;
  /** Client IP address. */
  address: string;
  /** The `pushSecret` the client sent with this request, if any. */
  secret: string | null;
}

export interface PushService {
  /** VAPID public key, base64url (65-byte uncompressed P-256 point). */
  readonly publicKey: string;
  /** Number of stored subscriptions. */
  subscriptionCount(): number;
  isSubscribed(room: string, name: string): boolean;
  /**
   * Stores (and persists) `data` for room/name. `data` is what the client sent as `subscriptionData`:
   * a PushSubscription as a JSON string or as an object. Validation is synchronous. An existing
   * subscription of another device is replaced only by its owner (see docs/security.md). Without a
   * `requester` the caller is the host itself (operator, tests): no ownership or address bounds.
   */
  subscribe(room: string, name: string, data: unknown, requester?: PushRequester): SubscribeOutcome;
  /**
   * Forgets room/name's subscription (none: ok). `data`: what the client sent as `subscriptionData`
   * (its endpoint proves ownership from another connection).
   */
  unsubscribe(room: string, name: string, requester?: PushRequester, data?: unknown): SubscribeOutcome;
  /**
   * Sends the "connection request" push from `from` to room/`to`. Never throws; never blocks the event
   * loop; bounded by the configured timeout and the in-flight bounds (`requester`: whose share it uses).
   */
  connectionRequest(room: string, from: string, to: string, requester?: object): Promise<PushResult>;
  /** Waits for pending disk writes and sends; called on server stop. */
  close(): Promise<void>;
}
