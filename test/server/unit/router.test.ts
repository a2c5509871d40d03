// main/server/router.ts through its behaviour: a frame from one connection in, what every connection
// receives out (docs/protocol.md, Client messages and Errors). Real connections on the core harness.
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptionsInput } from '../../../main/server/options.js';
import { drain, received, startCore, type Core } from '../../support/core.js';

let core: Core;
async function start(options: ServerOptionsInput = {}): Promise<Core> {
  return (core = await startCore(options));
}
afterEach(() => core?.stop());

const invalidProtocolText = 'Invalid protocol, valid protocols include:\n\tone-to-one\n\tone-to-self\n\tone-to-all';
const errorOf = (frame: string) => JSON.parse(frame) as { protocol: string; action: string; data: unknown };
/** What a v2 recipient gets: the sender's text with `,"from":NAME` before its final brace. */
const stamped = (raw: string, from: string | null) =>
  `${raw.slice(0, raw.lastIndexOf('}'))},"from":${JSON.stringify(from)}}`;

describe('one-to-one', () => {
  // Spacing, key order, a number JSON.parse would round, escapes and a duplicate key: nothing may change.
  const odd = (to: string) =>
    `{ "protocol" :"one-to-one","endpoint":"${to}" , "n":12345678901234567890, "s":"\\u00e9\\n", "k":1,"k":2 }`;

  it('gives a v1 recipient the sender’s exact bytes, and the sender nothing', async () => {
    await start();
    const a = await core.client('user=a');
    const b = await core.client('user=b');
    a.send(odd('b'));
    expect(await received(a)).toEqual([]);
    expect(await received(b)).toEqual([odd('b')]);
  });

  it('gives a v2 recipient the exact bytes with the sender’s name appended as `from`', async () => {
    await start();
    const a = await core.client('user=a');
    const b = await core.v2('user=b');
    a.send(odd('b'));
    expect(await received(b)).toEqual([stamped(odd('b'), 'a')]);
  });

  it('lets the server’s `from` win over one the sender wrote, and stamps null for an anonymous sender', async () => {
    await start();
    const a = await core.v2('user=a');
    const anon = await core.v2('');
    const b = await core.v2('user=b');
    const forged = '{"protocol":"one-to-one","to":"b","from":"admin","x":[1,2]}';
    a.send(forged);
    anon.send('{"protocol":"one-to-one","to":"b"}');
    const got = [...(await received(b))];
    expect(got[0]).toBe(stamped(forged, 'a'));
    expect(JSON.parse(got[0]!)).toEqual({ protocol: 'one-to-one', to: 'b', from: 'a', x: [1, 2] });
    expect(got[1]).toBe('{"protocol":"one-to-one","to":"b","from":null}');
  });

  it('gives a v1 recipient a v2 sender’s exact bytes (no `from`)', async () => {
    await start();
    const a = await core.v2('user=a');
    const b = await core.client('user=b');
    a.send('{"protocol":"one-to-one","endpoint":"b","id":7}');
    expect(await received(b)).toEqual(['{"protocol":"one-to-one","endpoint":"b","id":7}']);
  });

  it('reads `endpoint` when it is a string, else `to`; a target that is no string is missing', async () => {
    await start();
    const a = await core.client('user=a');
    const b = await core.client('user=b');
    const c = await core.client('user=c');
    a.send('{"protocol":"one-to-one","endpoint":"b","to":"c"}');
    a.send('{"protocol":"one-to-one","endpoint":5,"to":"c"}');
    a.send('{"protocol":"one-to-one","endpoint":["b"],"to":{"c":1}}');
    expect(await received(a)).toEqual(["No field 'endpoint' provided"]);
    expect(await received(b)).toEqual(['{"protocol":"one-to-one","endpoint":"b","to":"c"}']);
    expect(await received(c)).toEqual(['{"protocol":"one-to-one","endpoint":5,"to":"c"}']);
  });

  it('addresses names exactly: `A` does not reach `a`', async () => {
    await start();
    const s = await core.client('user=s');
    const a = await core.client('user=a');
    s.send('{"protocol":"one-to-one","endpoint":"A"}');
    expect(await received(s)).toEqual(['Could not find a node with the name A']);
    expect(await received(a)).toEqual([]);
  });

  it('stays inside the sender’s room', async () => {
    await start();
    const a = await core.v2('room=r1&user=a');
    const b = await core.v2('room=r2&user=b');
    a.send({ protocol: 'one-to-one', to: 'b', id: 'x' });
    expect((await received(a)).map(errorOf)).toEqual([
      { protocol: 'server', action: 'queued', data: { to: 'b', ref: 'x' } },
    ]);
    expect(await received(b)).toEqual([]);
  });

  it('answers a v1 sender `Could not find a node` for a name that is not connected, and holds nothing', async () => {
    await start();
    const a = await core.client('user=a');
    a.send('{"protocol":"one-to-one","endpoint":"zed"}');
    expect(await received(a)).toEqual(['Could not find a node with the name zed']);
    expect(core.queue.bytes).toBe(0);
  });

  it('answers a v2 sender `queued` with its ref, and delivers after the welcome when the name registers', async () => {
    await start();
    const a = await core.v2('user=a');
    a.send('{"protocol":"one-to-one","to":"zed","id":1}');
    a.send('{"protocol":"one-to-one","to":"zed","id":"two"}');
    expect((await received(a)).map(errorOf).map((m) => m.data)).toEqual([
      { to: 'zed', ref: 1 },
      { to: 'zed', ref: 'two' },
    ]);
    const zed = await core.v2('user=zed');
    expect(await received(zed)).toEqual([
      '{"protocol":"one-to-one","to":"zed","id":1,"from":"a"}',
      '{"protocol":"one-to-one","to":"zed","id":"two","from":"a"}',
    ]);
  });

  it('answers `unknown-peer` when the queue is off or the target’s queue is full, `queue-full` over a byte budget', async () => {
    await start({ offlineTtlMs: 0 });
    const a = await core.v2('user=a');
    a.send({ protocol: 'one-to-one', to: 'zed', id: 1 });
    expect((await received(a)).map(errorOf)[0]).toMatchObject({
      action: 'error',
      data: { code: 'unknown-peer', ref: 1 },
    });

    core.configure({ offlineTtlMs: 15_000, offlineQueueMax: 1 });
    a.send({ protocol: 'one-to-one', to: 'zed', id: 2 });
    a.send({ protocol: 'one-to-one', to: 'zed', id: 3 });
    expect((await received(a)).map(errorOf)).toMatchObject([
      { action: 'queued', data: { ref: 2 } },
      { action: 'error', data: { code: 'unknown-peer', ref: 3 } },
    ]);

    // The smallest per-sender budget (64 KiB) takes one 40 kB message, not two.
    core.configure({ offlineQueueSenderBytes: 64 * 1024 });
    const pad = 'x'.repeat(40_000);
    a.send({ protocol: 'one-to-one', to: 'yan', id: 4, pad });
    a.send({ protocol: 'one-to-one', to: 'yul', id: 5, pad });
    const [held, full] = (await received(a)).map(errorOf);
    expect(held).toMatchObject({ action: 'queued', data: { ref: 4 } });
    expect(full).toMatchObject({ action: 'error', data: { code: 'queue-full', ref: 5 } });
    expect((full!.data as { message: string }).message).toMatch(/your address/);
  });
});

describe('one-to-all', () => {
  it('from v1: every member of the room, anonymous ones and the sender too; v2 members get `from`', async () => {
    await start();
    const a = await core.client('user=a');
    const anon = await core.client('');
    const b = await core.v2('user=b');
    const other = await core.v2('room=elsewhere&user=c');
    const msg = '{"protocol":"one-to-all", "t":1.50}';
    a.send(msg);
    expect(await received(a)).toEqual([msg]);
    expect(await received(anon)).toEqual([msg]);
    expect(await received(b)).toEqual([stamped(msg, 'a')]);
    expect(await received(other)).toEqual([]);
  });

  it('from v2: not back to the sender; v1 members get the exact bytes', async () => {
    await start();
    const a = await core.v2('user=a');
    const v1 = await core.client('user=one');
    const b = await core.v2('');
    const msg = '{"protocol":"one-to-all","seq":1}';
    await drain(a, b);
    a.send(msg);
    expect(await received(a)).toEqual([]);
    expect(await received(v1)).toEqual([msg]);
    expect(await received(b)).toEqual([stamped(msg, 'a')]);
  });

  it('reaches only the sender’s room', async () => {
    await start();
    const a = await core.v2('room=x&user=a');
    const b = await core.v2('room=x&user=b');
    const c = await core.v2('room=y&user=b');
    a.send('{"protocol":"one-to-all"}');
    expect(await received(b)).toEqual(['{"protocol":"one-to-all","from":"a"}']);
    expect(await received(c)).toEqual([]);
  });
});

describe('one-to-self', () => {
  it('echoes the exact bytes in both dialects, without `from`', async () => {
    await start();
    const a = await core.client('user=a');
    const b = await core.v2('user=b');
    const msg = '{"protocol":"one-to-self" ,"x":1e400}';
    a.send(msg);
    b.send(msg);
    expect(await a.next()).toBe(msg);
    expect(await b.next()).toBe(msg);
  });
});

describe('malformed frames', () => {
  // Frame, v1 text, v2 code and ref: the table of docs/protocol.md (Errors).
  const cases: Array<[string, string, string, string | number | null]> = [
    ['not json', invalidProtocolText, 'invalid-json', null],
    ['{"protocol":"one-to-one"', invalidProtocolText, 'invalid-json', null],
    ['', invalidProtocolText, 'invalid-json', null],
    ['[{"protocol":"one-to-self"}]', invalidProtocolText, 'invalid-protocol', null],
    ['"one-to-self"', invalidProtocolText, 'invalid-protocol', null],
    ['null', invalidProtocolText, 'invalid-protocol', null],
    ['42', invalidProtocolText, 'invalid-protocol', null],
    ['{"id":"a"}', invalidProtocolText, 'invalid-protocol', 'a'],
    ['{"protocol":"one-to-many","id":3}', invalidProtocolText, 'invalid-protocol', 3],
    ['{"protocol":["one-to-self"],"id":true}', invalidProtocolText, 'invalid-protocol', null],
    ['{"protocol":"ONE-TO-SELF","id":{"a":1}}', invalidProtocolText, 'invalid-protocol', null],
    // Only own properties count: nothing is read through a prototype.
    ['{"__proto__":{"protocol":"one-to-self"}}', invalidProtocolText, 'invalid-protocol', null],
    ['{"protocol":"toString"}', invalidProtocolText, 'invalid-protocol', null],
    ['{"protocol":"one-to-one","id":1e999}', "No field 'endpoint' provided", 'missing-endpoint', null],
    [
      '{"protocol":"one-to-one","__proto__":{"endpoint":"b"},"id":-1.5}',
      "No field 'endpoint' provided",
      'missing-endpoint',
      -1.5,
    ],
    ['{"protocol":"one-to-one","endpoint":null,"to":7}', "No field 'endpoint' provided", 'missing-endpoint', null],
  ];

  it.each(cases)('%j: v1 text, v2 error code and ref; the connection stays usable', async (frame, v1, code, ref) => {
    await start();
    const a = await core.client('user=a');
    const b = await core.v2('user=b');
    a.send(frame);
    b.send(frame);
    expect(await received(a)).toEqual([v1]);
    const [error, ...rest] = await received(b);
    expect(rest).toEqual([]);
    expect(JSON.parse(error!)).toEqual({
      protocol: 'server',
      action: 'error',
      data: { code, ref, message: expect.any(String) as string },
    });
    expect(core.counters.errors.get(code as 'invalid-json')).toBe(2);
  });

  it('refuses binary frames in both dialects and keeps the connection', async () => {
    await start();
    const a = await core.client('user=a');
    const b = await core.v2('user=b');
    a.send(Buffer.from('{"protocol":"one-to-self"}'), true);
    b.send(Buffer.from('{"protocol":"one-to-one","to":"a"}'), true);
    expect(await received(a)).toEqual(['Binary messages are not supported']);
    expect((await received(b)).map(errorOf)).toMatchObject([{ data: { code: 'binary-unsupported', ref: null } }]);
  });

  it('relays nothing for a malformed frame', async () => {
    await start();
    const a = await core.client('user=a');
    const b = await core.client('user=b');
    a.send('{"protocol":"one-to-al","endpoint":"b"}');
    expect(await received(a)).toEqual([invalidProtocolText]);
    expect(await received(b)).toEqual([]);
  });
});

describe('rate limit', () => {
  it('drops what is over the bucket with an error, refills with time, and closes a flood with 1008', async () => {
    await start({ rateLimit: { perSecond: 10, burst: 3 } });
    const a = await core.v2('user=a');
    const b = await core.client('user=b');
    await drain(a);
    core.clock.advance(1000); // both buckets full again (3)
    for (let i = 0; i < 4; i++) a.send({ protocol: 'one-to-one', to: 'b', id: i });
    // The fourth is dropped; the other three arrive.
    expect(errorOf(await a.next()).data).toMatchObject({ code: 'rate-limited', ref: null });
    expect((await received(b)).map((f) => JSON.parse(f) as unknown)).toEqual(
      [0, 1, 2].map((id) => ({ protocol: 'one-to-one', to: 'b', id })),
    );
    // Empty: nothing gets through until time passes (10 per second: one token every 100 ms).
    a.send('{"protocol":"one-to-self","early":1}');
    expect(errorOf(await a.next()).data).toMatchObject({ code: 'rate-limited' });
    core.clock.advance(100);
    a.send('{"protocol":"one-to-self","late":1}');
    expect(await a.next()).toBe('{"protocol":"one-to-self","late":1}');
    expect(core.counters.errors.get('rate-limited')).toBe(2);

    // A client that keeps sending past its bucket: more than `burst` (3) drops within one second close it.
    for (let i = 0; i < 10; i++) b.send('{"protocol":"one-to-self"}');
    const closed = await b.closed;
    // Its bucket is full again (100 ms passed since its mark took one): three echoes, three drops, the close.
    expect(b.pending()).toEqual([
      ...Array<string>(3).fill('{"protocol":"one-to-self"}'),
      ...Array<string>(3).fill('Rate limit exceeded'),
    ]);
    expect(closed).toEqual({ code: 1008, reason: 'message rate limit exceeded' });
    expect(core.counters.rateLimitCloses).toBe(1);
    // The other client lost nothing: it hears the leave and keeps sending.
    await expect.poll(() => core.left).toEqual([expect.objectContaining({ name: 'b', reason: 'closed' })]);
    core.clock.advance(1000);
    expect(await received(a)).toEqual(['{"protocol":"server","action":"peer-left","data":{"user":"b"}}']);
  });
});
