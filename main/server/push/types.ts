// The seam between the signaling core (router) and Web Push. The router only ever calls this.
import type { PushResult } from '../surface.js';

export type SubscribeOutcome = { ok: true } | { ok: false; code: 'invalid-subscription'; message: string };

export interface PushService {
  /** VAPID public key, base64url (65-byte uncompressed P-256 point). */
  readonly publicKey: string;
  /** Number of stored subscriptions. */
  subscriptionCount(): number;
  isSubscribed(room: string, name: string): boolean;
  /**
   * Stores (and persists) `data` for room/name. `data` is what the client sent as `subscriptionData`:
   * a PushSubscription as a JSON string or as an object. Validation is synchronous.
   */
  subscribe(room: string, name: string, data: unknown): SubscribeOutcome;
  /** Forgets room/name's subscription; false when there was none. */
  unsubscribe(room: string, name: string): boolean;
  /**
   * Sends the "connection request" push from `from` to room/`to`. Never throws; never blocks the event
   * loop; bounded by the configured timeout.
   */
  connectionRequest(room: string, from: string, to: string): Promise<PushResult>;
  /** Waits for pending disk writes and sends; called on server stop. */
  close(): Promise<void>;
}
