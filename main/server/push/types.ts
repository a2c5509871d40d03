// The seam between the signaling core (router) and Web Push. The router only ever calls this.
import type { PushResult } from '../surface.js';
import type { StoredSubscription } from './subscription.js';

/** One stored subscription of room/name. */
export interface StoreEntry {
  room: string;
  name: string;
  subscription: StoredSubscription;
  /** ms since epoch of the last subscribe. */
  updatedAt: number;
}

/** Where subscriptions live: a file in the data directory (one server) or Redis (a cluster). */
export interface SubscriptionStoreLike {
  /** Path of the store file; null when not kept in a file (memory only, or Redis). */
  readonly file: string | null;
  readonly size: number;
  get(room: string, name: string): StoreEntry | undefined;
  /** Stores or replaces room/name's subscription; false when the store is full. */
  set(room: string, name: string, subscription: StoredSubscription): boolean;
  /** Deletes room/name's subscription; with `endpoint`, only if it is still that one. */
  delete(room: string, name: string, endpoint?: string): boolean;
  /** Resolves when every change so far is saved (or its failure reported). */
  flush(): Promise<void>;
}

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
