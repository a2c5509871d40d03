// Per-connection message rate limit: a token bucket, plus flood detection that closes a client which
// keeps sending far past its limit.
import type { RateLimitOptions } from './options.js';

export type RateVerdict = 'accept' | 'drop' | 'close';

/** Token bucket over `now()` in ms. `perSecond` 0 disables the limit. */
export class RateLimiter {
  #tokens: number;
  #last: number;
  #windowStart: number;
  #dropsInWindow = 0;

  constructor(
    private limits: RateLimitOptions,
    now: number,
  ) {
    this.#tokens = limits.burst;
    this.#last = now;
    this.#windowStart = now;
  }

  /** Applies new limits (reconfigure) without resetting the bucket beyond its new size. */
  update(limits: RateLimitOptions): void {
    this.limits = limits;
    this.#tokens = Math.min(this.#tokens, limits.burst);
  }

  /**
   * Takes one token. 'drop' when the bucket is empty; 'close' when more than `burst` messages were
   * dropped within one second: the client ignores the errors it gets and keeps flooding.
   */
  take(clock: { now(): number }): RateVerdict {
    const { perSecond, burst } = this.limits;
    if (perSecond <= 0) return 'accept';
    const now = clock.now();
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(burst, this.#tokens + (elapsed * perSecond) / 1000);
      this.#last = now;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 'accept';
    }
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#dropsInWindow = 0;
    }
    return ++this.#dropsInWindow > burst ? 'close' : 'drop';
  }
}

/**
 * At most one event per key within `intervalMs` (e.g. one push "connection request" per sender and
 * target): a client cannot turn the server into a notification cannon. Keys are kept in the order they
 * last acted, so forgetting the expired ones only looks at the oldest few: no request walks the whole
 * map. At most `maxKeys` are remembered; beyond that, new keys wait until old ones expire.
 */
export class KeyedThrottle {
  readonly #last: Map<string, number>;
  constructor(
    private readonly intervalMs: number,
    private readonly maxKeys = 100_000,
    /** The map to keep keys in (tests pass one that counts what is visited). */
    store: Map<string, number> = new Map(),
  ) {
    this.#last = store;
  }

  /** True when `key` may act now (and records it); false while it is still throttled. */
  allow(key: string, now: number): boolean {
    this.#forgetExpired(now);
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    if (last === undefined && this.#last.size >= this.maxKeys) return false;
    // Re-inserted so the map stays ordered by time.
    this.#last.delete(key);
    this.#last.set(key, now);
    return true;
  }

  /** Keys remembered now. */
  get size(): number {
    return this.#last.size;
  }

  #forgetExpired(now: number): void {
    for (const [k, t] of this.#last) {
      if (now - t < this.intervalMs) return;
      this.#last.delete(k);
    }
  }
}
