// Push subscriptions in Redis, shared by every node: a local copy answers reads at once; writes go to
// Redis and a presence event tells the other nodes to re-read that one entry. The same bounds as the file
// store (most entries, most per client address, expiry of unused entries), counted on the local copy
// (per address by a counter kept with it: O(1) per subscription).
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import {
  quotaRefusal,
  type SetOutcome,
  type StoreEntry,
  type StoreLimits,
  type SubscriptionStoreLike,
} from '../push/subscription-store.js';
import type { StoredSubscription } from '../push/subscription.js';
import { channels, fieldOf, keys } from './keys.js';

function parseEntry(text: string | null): StoreEntry | null {
  if (text === null) return null;
  try {
    const e = JSON.parse(text) as StoreEntry;
    return typeof e.room === 'string' && typeof e.name === 'string' && typeof e.subscription?.endpoint === 'string'
      ? { ...e, usedAt: e.usedAt ?? e.updatedAt, address: e.address ?? '', ownerHash: e.ownerHash ?? null }
      : null;
  } catch {
    return null;
  }
}

export class RedisSubscriptionStore implements SubscriptionStoreLike {
  readonly file = null;
  readonly #entries = new Map<string, StoreEntry>();
  /** Entries per client address, kept in step with #entries (#put, #drop): the per-address bound costs O(1). */
  readonly #perAddress = new Map<string, number>();
  readonly #pending = new Set<Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
    private readonly now: () => number,
    private readonly logger: Logger,
    /** The push options' bounds, read at each change. */
    private readonly limits: () => StoreLimits,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Replaces the local copy with what Redis holds (at start and after an outage). */
  async load(): Promise<void> {
    const all = await this.redis.hgetall(keys.push);
    this.#entries.clear();
    this.#perAddress.clear();
    for (const [field, text] of Object.entries(all)) {
      const e = parseEntry(text);
      if (e) this.#put(field, e);
    }
  }

  /** Another node changed `field`: read it again. */
  refresh(field: string): void {
    this.#track(
      this.redis.hget(keys.push, field).then((text) => {
        const e = parseEntry(text);
        if (e) this.#put(field, e);
        else this.#drop(field);
      }),
    );
  }

  get(room: string, name: string): StoreEntry | undefined {
    const field = fieldOf(room, name);
    const e = this.#entries.get(field);
    if (e && this.now() - e.usedAt > this.limits().ttlMs) {
      this.#drop(field);
      this.#write(field, this.redis.hdel(keys.push, field));
      return undefined;
    }
    return e;
  }

  set(
    room: string,
    name: string,
    subscription: StoredSubscription,
    address = '',
    ownerHash: string | null = null,
  ): SetOutcome {
    const field = fieldOf(room, name);
    const current = this.#entries.get(field);
    const refused = quotaRefusal(
      this.limits(),
      { size: this.#entries.size, current },
      address,
      () => this.#perAddress.get(address) ?? 0,
    );
    if (refused) return refused;
    const now = this.now();
    this.#save(field, { room, name, subscription, updatedAt: now, usedAt: now, address, ownerHash });
    return 'ok';
  }

  touch(room: string, name: string): void {
    const field = fieldOf(room, name);
    const e = this.#entries.get(field);
    if (e) this.#save(field, { ...e, usedAt: this.now() });
  }

  delete(room: string, name: string, endpoint?: string): boolean {
    const field = fieldOf(room, name);
    const entry = this.#entries.get(field);
    if (entry === undefined || (endpoint !== undefined && entry.subscription.endpoint !== endpoint)) return false;
    this.#drop(field);
    this.#write(field, this.redis.hdel(keys.push, field));
    return true;
  }

  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #put(field: string, entry: StoreEntry): void {
    this.#drop(field);
    this.#entries.set(field, entry);
    this.#perAddress.set(entry.address, (this.#perAddress.get(entry.address) ?? 0) + 1);
  }

  #drop(field: string): void {
    const old = this.#entries.get(field);
    if (old === undefined) return;
    this.#entries.delete(field);
    const n = (this.#perAddress.get(old.address) ?? 1) - 1;
    if (n > 0) this.#perAddress.set(old.address, n);
    else this.#perAddress.delete(old.address);
  }

  #save(field: string, entry: StoreEntry): void {
    this.#put(field, entry);
    this.#write(field, this.redis.hset(keys.push, field, JSON.stringify(entry)));
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
