// Push subscriptions in Redis, shared by every node: a local copy answers reads at once; writes go to
// Redis and a presence event tells the other nodes to re-read that one entry.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { maxSubscriptions } from '../push/subscription-store.js';
import type { StoredSubscription } from '../push/subscription.js';
import type { StoreEntry, SubscriptionStoreLike } from '../push/types.js';
import { channels, fieldOf, keys } from './keys.js';

function parseEntry(text: string | null): StoreEntry | null {
  if (text === null) return null;
  try {
    const e = JSON.parse(text) as StoreEntry;
    return typeof e.room === 'string' && typeof e.name === 'string' && typeof e.subscription?.endpoint === 'string'
      ? e
      : null;
  } catch {
    return null;
  }
}

export class RedisSubscriptionStore implements SubscriptionStoreLike {
  readonly file = null;
  readonly #entries = new Map<string, StoreEntry>();
  readonly #pending = new Set<Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Replaces the local copy with what Redis holds (at start and after an outage). */
  async load(): Promise<void> {
    const all = await this.redis.hgetall(keys.push);
    this.#entries.clear();
    for (const [field, text] of Object.entries(all)) {
      const e = parseEntry(text);
      if (e) this.#entries.set(field, e);
    }
  }

  /** Another node changed `field`: read it again. */
  refresh(field: string): void {
    this.#track(
      this.redis.hget(keys.push, field).then((text) => {
        const e = parseEntry(text);
        if (e) this.#entries.set(field, e);
        else this.#entries.delete(field);
      }),
    );
  }

  get(room: string, name: string): StoreEntry | undefined {
    return this.#entries.get(fieldOf(room, name));
  }

  set(room: string, name: string, subscription: StoredSubscription): boolean {
    const field = fieldOf(room, name);
    if (!this.#entries.has(field) && this.#entries.size >= maxSubscriptions) return false;
    const entry: StoreEntry = { room, name, subscription, updatedAt: this.now() };
    this.#entries.set(field, entry);
    this.#write(field, this.redis.hset(keys.push, field, JSON.stringify(entry)));
    return true;
  }

  delete(room: string, name: string, endpoint?: string): boolean {
    const field = fieldOf(room, name);
    const entry = this.#entries.get(field);
    if (entry === undefined || (endpoint !== undefined && entry.subscription.endpoint !== endpoint)) return false;
    this.#entries.delete(field);
    this.#write(field, this.redis.hdel(keys.push, field));
    return true;
  }

  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #write(field: string, op: Promise<unknown>): void {
    this.#track(
      op.then(() => this.redis.publish(channels.presence, JSON.stringify({ t: 'push', n: this.nodeId, f: field }))),
    );
  }

  #track(p: Promise<unknown>): void {
    const q = p.catch((err: Error) =>
      this.logger.warn({ err: err.message }, 'push subscription not saved in Redis (kept on this node only)'),
    );
    this.#pending.add(q);
    void q.finally(() => this.#pending.delete(q));
  }
}
