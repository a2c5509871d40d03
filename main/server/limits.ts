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
 * target): a client cannot turn the server into a notification cannon.
 */
export class KeyedThrottle {
  readonly #last = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}

  /** True when `key` may act now (and records it); false while it is still throttled. */
  allow(key: string, now: number): boolean {
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    if (this.#last.size >= 10_000) this.#sweep(now);
    this.#last.set(key, now);
    return true;
  }

  #sweep(now: number): void {
    for (const [k, t] of this.#last) if (now - t >= this.intervalMs) this.#last.delete(k);
  }
}
