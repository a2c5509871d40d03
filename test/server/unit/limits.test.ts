// main/server/limits.ts: the per-connection token bucket (with flood detection) and the keyed throttle,
// on a fake clock. docs/protocol.md, Health and limits.
import { describe, expect, it } from 'vitest';
import { KeyedThrottle, RateLimiter, type RateVerdict } from '../../../main/server/limits.js';
import { FakeClock } from '../../support/fake-clock.js';

function takes(l: RateLimiter, clock: FakeClock, n: number): RateVerdict[] {
  return Array.from({ length: n }, () => l.take(clock));
}

describe('RateLimiter', () => {
  it('accepts a full burst at once, then drops', () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ perSecond: 10, burst: 5 }, clock.now());
    expect(takes(l, clock, 6)).toEqual(['accept', 'accept', 'accept', 'accept', 'accept', 'drop']);
  });

  it('refills at perSecond, in fractions of a token, up to the burst and no further', () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ perSecond: 10, burst: 3 }, clock.now());
    takes(l, clock, 3);
    clock.advance(99);
    expect(l.take(clock)).toBe('drop');
    clock.advance(1); // 100 ms: one token
    expect(takes(l, clock, 2)).toEqual(['accept', 'drop']);
    clock.advance(50);
    expect(l.take(clock)).toBe('drop');
    clock.advance(50); // two halves make one
    expect(l.take(clock)).toBe('accept');
    clock.advance(60_000); // a long pause fills the bucket to `burst`, not more
    expect(takes(l, clock, 4)).toEqual(['accept', 'accept', 'accept', 'drop']);
  });

  it('closes after more than `burst` drops within one second', () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ perSecond: 1, burst: 2 }, clock.now());
    expect(takes(l, clock, 5)).toEqual(['accept', 'accept', 'drop', 'drop', 'close']);
  });

  it('counts drops per one-second window: a steady over-sender is dropped, not closed', () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ perSecond: 1, burst: 2 }, clock.now());
    takes(l, clock, 2);
    for (let s = 0; s < 5; s++) {
      clock.advance(1000);
      // One token back each second, then two drops: never more than `burst` in a window.
      expect(takes(l, clock, 3)).toEqual(['accept', 'drop', 'drop']);
    }
  });

  it('accepts everything with perSecond 0', () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ perSecond: 0, burst: 0 }, clock.now());
    expect(takes(l, clock, 10_000).every((v) => v === 'accept')).toBe(true);
  });

  it('applies new limits without refilling: a smaller burst cuts the tokens held, a larger one adds none', () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ perSecond: 10, burst: 10 }, clock.now());
    l.update({ perSecond: 10, burst: 2 });
    expect(takes(l, clock, 3)).toEqual(['accept', 'accept', 'drop']);
    l.update({ perSecond: 1000, burst: 50 });
    expect(l.take(clock)).toBe('drop');
    clock.advance(10); // 1000 per second: 10 tokens in 10 ms
    expect(takes(l, clock, 11).filter((v) => v === 'accept')).toHaveLength(10);
    l.update({ perSecond: 0, burst: 0 });
    expect(l.take(clock)).toBe('accept');
  });
});

describe('KeyedThrottle', () => {
  it('allows one event per key per interval', () => {
    const t = new KeyedThrottle(5000);
    expect(t.allow('a', 0)).toBe(true);
    expect(t.allow('a', 4999)).toBe(false);
    expect(t.allow('b', 4999)).toBe(true);
    expect(t.allow('a', 5000)).toBe(true);
    expect(t.allow('a', 6000)).toBe(false);
  });

  it('forgets keys whose interval passed, so it stays as small as the recent activity', () => {
    const t = new KeyedThrottle(1000);
    for (let i = 0; i < 100; i++) t.allow(`k${i}`, i);
    expect(t.size).toBe(100);
    t.allow('late', 1050);
    expect(t.size).toBe(50);
    t.allow('later', 5000);
    expect(t.size).toBe(1);
  });

  it('remembers at most maxKeys: a new key waits until an old one expires; known keys are unaffected', () => {
    const t = new KeyedThrottle(1000, 2);
    expect(t.allow('a', 0)).toBe(true);
    expect(t.allow('b', 10)).toBe(true);
    expect(t.allow('c', 20)).toBe(false);
    expect(t.allow('a', 30)).toBe(false);
    expect(t.allow('c', 1000)).toBe(true);
    expect(t.size).toBe(2);
  });
  // How few keys each call visits is proven in test/server/security/push-abuse.test.ts.
});
