// main/server/offline-queue.ts: what is held for a name that is not connected, for how long, within which
// bounds, and what its sender hears. docs/protocol.md, Offline queue and Queue budgets. Senders are real
// connections (they receive the `expired` notices); time is the fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { heldOverheadBytes, OfflineQueue, type OfflineLimits } from '../../../main/server/offline-queue.js';
import { drain, received, startCore, type Core, type CoreClient } from '../../support/core.js';

let core: Core;
let limits: OfflineLimits;
let queue: OfflineQueue;
beforeEach(async () => {
  core = await startCore();
  limits = { ttlMs: 15_000, max: 32, totalBytes: 1 << 20, senderBytes: 1 << 20 };
  queue = new OfflineQueue(core.clock, () => limits);
});
afterEach(() => core.stop());

const sender = (name: string, address = '127.0.0.1') => core.v2(`user=${name}`, address);
const msg = (to: string, n: number | string, pad = '') =>
  Buffer.from(JSON.stringify({ protocol: 'one-to-one', to, n, ...(pad ? { pad } : {}) }));
const notices = async (c: CoreClient) => (await received(c)).map((f) => JSON.parse(f) as unknown);

describe('holding and delivery', () => {
  it('hands back what was held for a name, oldest first, with each sender’s `from` and ref', async () => {
    const a = await sender('a');
    const b = await sender('b');
    expect(queue.hold('', 'zed', msg('zed', 1), a.conn, 'r1')).toBe(true);
    expect(queue.hold('', 'zed', msg('zed', 2), b.conn, 2)).toBe(true);
    expect(queue.hold('', 'zed', msg('zed', 3), a.conn, null)).toBe(true);
    const held = queue.take('', 'zed');
    expect(held.map((m) => m.raw.toString())).toEqual([1, 2, 3].map((n) => msg('zed', n).toString()));
    expect(held.map((m) => m.fromSuffix.toString())).toEqual([',"from":"a"}', ',"from":"b"}', ',"from":"a"}']);
    expect(held.map((m) => m.ref)).toEqual(['r1', 2, null]);
    expect(queue.take('', 'zed')).toEqual([]);
    expect(queue.bytes).toBe(0);
  });

  it('holds a copy: the receive buffer may be reused afterwards', async () => {
    const a = await sender('a');
    const raw = msg('zed', 1);
    const text = raw.toString();
    queue.hold('', 'zed', raw, a.conn, null);
    raw.fill(0);
    expect(queue.take('', 'zed')[0]!.raw.toString()).toBe(text);
  });

  it('keeps names and rooms apart', async () => {
    const a = await sender('a');
    queue.hold('r1', 'zed', msg('zed', 1), a.conn, null);
    queue.hold('r2', 'zed', msg('zed', 2), a.conn, null);
    queue.hold('r1', 'Zed', msg('Zed', 3), a.conn, null);
    expect(queue.take('r2', 'zed').map((m) => m.raw.toString())).toEqual([msg('zed', 2).toString()]);
    expect(queue.take('r1', 'zed').map((m) => m.raw.toString())).toEqual([msg('zed', 1).toString()]);
    expect(queue.take('r1', 'Zed')).toHaveLength(1);
  });

  it('holds nothing when the TTL is 0 (the queue is off)', async () => {
    const a = await sender('a');
    limits.ttlMs = 0;
    expect(queue.hold('', 'zed', msg('zed', 1), a.conn, null)).toBe('off');
    expect(queue.bytes).toBe(0);
  });
});

describe('expiry', () => {
  it('tells the sender `expired` for each message, in order, once its TTL has passed, and frees its bytes', async () => {
    const a = await sender('a');
    queue.hold('', 'zed', msg('zed', 1), a.conn, 1);
    core.clock.advance(5000);
    queue.hold('', 'zed', msg('zed', 2), a.conn, 'two');
    core.clock.advance(9999);
    expect(await notices(a)).toEqual([]);
    core.clock.advance(1);
    expect(await notices(a)).toEqual([{ protocol: 'server', action: 'expired', data: { to: 'zed', ref: 1 } }]);
    core.clock.advance(5000);
    expect(await notices(a)).toEqual([{ protocol: 'server', action: 'expired', data: { to: 'zed', ref: 'two' } }]);
    expect(queue.bytes).toBe(0);
    expect(queue.take('', 'zed')).toEqual([]);
  });

  it('says nothing for what was delivered (taken) before its TTL', async () => {
    const a = await sender('a');
    queue.hold('', 'zed', msg('zed', 1), a.conn, 1);
    expect(core.clock.pending).toBe(1);
    queue.take('', 'zed');
    // Its timer goes with it: a busy queue leaves no timers behind.
    expect(core.clock.pending).toBe(0);
    core.clock.advance(60_000);
    expect(await notices(a)).toEqual([]);
  });

  it('expires everything at once when the server stops', async () => {
    const a = await sender('a');
    const b = await sender('b', '127.0.0.2');
    await drain(a); // b's peer-joined
    queue.hold('', 'x', msg('x', 1), a.conn, 1);
    queue.hold('r', 'y', msg('y', 2), b.conn, 2);
    queue.hold('', 'x', msg('x', 3), a.conn, 3);
    queue.expireAll();
    expect(queue.bytes).toBe(0);
    expect(await notices(a)).toMatchObject([{ data: { to: 'x', ref: 1 } }, { data: { to: 'x', ref: 3 } }]);
    expect(await notices(b)).toMatchObject([{ action: 'expired', data: { to: 'y', ref: 2 } }]);
  });
});

describe('bounds', () => {
  it('holds at most `max` messages per target (`target-full`), others unaffected', async () => {
    const a = await sender('a');
    limits.max = 2;
    expect(queue.hold('', 'zed', msg('zed', 1), a.conn, null)).toBe(true);
    expect(queue.hold('', 'zed', msg('zed', 2), a.conn, null)).toBe(true);
    expect(queue.hold('', 'zed', msg('zed', 3), a.conn, null)).toBe('target-full');
    expect(queue.hold('', 'yan', msg('yan', 4), a.conn, null)).toBe(true);
    queue.take('', 'zed');
    expect(queue.hold('', 'zed', msg('zed', 5), a.conn, null)).toBe(true);
  });

  it('accounts each message as its bytes plus a fixed overhead', async () => {
    const a = await sender('a');
    queue.hold('', 'zed', msg('zed', 1), a.conn, null);
    queue.hold('', 'yan', msg('yan', 22), a.conn, null);
    expect(queue.bytes).toBe(msg('zed', 1).length + msg('yan', 22).length + 2 * heldOverheadBytes);
  });

  it('refuses a message over the total budget (`total-budget`), from any sender, until space is freed', async () => {
    const a = await sender('a');
    const b = await sender('b', '127.0.0.2');
    const pad = 'x'.repeat(1000);
    const cost = msg('t1', 1, pad).length + heldOverheadBytes;
    limits.totalBytes = 2 * cost;
    expect(queue.hold('', 't1', msg('t1', 1, pad), a.conn, null)).toBe(true);
    expect(queue.hold('', 't2', msg('t2', 2, pad), b.conn, null)).toBe(true);
    expect(queue.hold('', 't3', msg('t3', 3, pad), b.conn, null)).toBe('total-budget');
    expect(queue.hold('', 't3', msg('t3', 3), a.conn, null)).toBe('total-budget');
    queue.take('', 't1');
    expect(queue.hold('', 't3', msg('t3', 3, pad), b.conn, null)).toBe(true);
    expect(queue.bytes).toBe(2 * cost);
  });

  it('bounds what one address holds (`sender-budget`), across its connections; other addresses keep their share', async () => {
    const a1 = await sender('a1');
    const a2 = await sender('a2');
    const other = await sender('o', '127.0.0.3');
    const pad = 'x'.repeat(1000);
    const cost = msg('t1', 1, pad).length + heldOverheadBytes;
    limits.senderBytes = 2 * cost;
    expect(queue.hold('', 't1', msg('t1', 1, pad), a1.conn, null)).toBe(true);
    expect(queue.hold('', 't2', msg('t2', 2, pad), a2.conn, null)).toBe(true);
    expect(queue.hold('', 't3', msg('t3', 3, pad), a1.conn, null)).toBe('sender-budget');
    expect(queue.hold('', 't3', msg('t3', 3, pad), a2.conn, null)).toBe('sender-budget');
    expect(queue.hold('', 't3', msg('t3', 3, pad), other.conn, null)).toBe(true);
    // Expiry gives the address its share back.
    core.clock.advance(limits.ttlMs);
    expect(queue.hold('', 't4', msg('t4', 4, pad), a1.conn, null)).toBe(true);
  });

  it('reads its limits at each message (a reconfigure applies to the next one)', async () => {
    const a = await sender('a');
    limits.max = 1;
    queue.hold('', 'zed', msg('zed', 1), a.conn, null);
    expect(queue.hold('', 'zed', msg('zed', 2), a.conn, null)).toBe('target-full');
    limits.max = 2;
    expect(queue.hold('', 'zed', msg('zed', 2), a.conn, null)).toBe(true);
  });
});
