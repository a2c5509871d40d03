// docs/protocol.md (Health and limits) and the upgrade gates: payload cap, rate limit, flood close, connection cap,
// access key, heartbeat.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptionsInput } from '../../main/server/options.js';
import { connect, until, type TestClient } from '../support/clients.js';
import { FakeClock } from '../support/fake-clock.js';
import { startServer, type Running } from '../support/server.js';

let s: Running;
const open: TestClient[] = [];
async function start(options: ServerOptionsInput = {}, clock?: FakeClock): Promise<void> {
  s = await startServer(options, clock ? { clock } : {});
}
async function client(query: string, opts = {}): Promise<TestClient> {
  const c = await connect(s.url(query), opts);
  open.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await s?.stop();
});

describe('payload limit', () => {
  it('closes a connection that sends a frame over the limit with 1009 and keeps serving others', async () => {
    await start({ maxPayloadBytes: 1024 });
    const a = await client('user=a');
    const b = await client('user=b');
    const ok = JSON.stringify({ protocol: 'one-to-one', endpoint: 'b', pad: 'x'.repeat(900) });
    a.send(ok);
    expect(await b.next()).toBe(ok);
    a.send(JSON.stringify({ protocol: 'one-to-one', endpoint: 'b', pad: 'x'.repeat(1100) }));
    expect((await a.closed).code).toBe(1009);
    b.send('{"protocol":"one-to-self"}');
    expect(await b.next()).toBe('{"protocol":"one-to-self"}');
    await until(() => s.server.status().peers === 1);
  });
});

describe('rate limit', () => {
  it('drops messages over the bucket with an error in each dialect', async () => {
    const clock = new FakeClock();
    await start({ rateLimit: { perSecond: 10, burst: 3 } }, clock);
    const a = await client('user=a');
    const b = await client('v=2&user=b');
    await b.next();
    for (let i = 0; i < 4; i++) a.send(`{"protocol":"one-to-self","i":${i}}`);
    expect([await a.next(), await a.next(), await a.next(), await a.next()]).toEqual([
      '{"protocol":"one-to-self","i":0}',
      '{"protocol":"one-to-self","i":1}',
      '{"protocol":"one-to-self","i":2}',
      'Rate limit exceeded',
    ]);
    clock.advance(100); // one token back
    a.send('{"protocol":"one-to-self","i":4}');
    expect(await a.next()).toBe('{"protocol":"one-to-self","i":4}');
    for (let i = 0; i < 4; i++) b.send({ protocol: 'one-to-self', id: i });
    for (let i = 0; i < 3; i++) await b.next();
    expect((await b.nextJson()).data).toMatchObject({ code: 'rate-limited' });
  });

  it('closes a client that keeps flooding with 1008, and others lose nothing', async () => {
    const clock = new FakeClock();
    await start({ rateLimit: { perSecond: 10, burst: 5 } }, clock);
    const flooder = await client('user=f');
    const a = await client('user=a');
    const b = await client('user=b');
    for (let i = 0; i < 50; i++) flooder.send('{"protocol":"one-to-one","endpoint":"b"}');
    expect((await flooder.closed).code).toBe(1008);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push(await b.next());
    expect(got.every((g) => g === '{"protocol":"one-to-one","endpoint":"b"}')).toBe(true);
    a.send('{"protocol":"one-to-one","endpoint":"b","from-a":1}');
    expect(await b.next()).toBe('{"protocol":"one-to-one","endpoint":"b","from-a":1}');
  });

  it('turns off with perSecond 0', async () => {
    await start({ rateLimit: { perSecond: 0, burst: 1 } });
    const a = await client('user=a');
    for (let i = 0; i < 500; i++) a.send(`{"protocol":"one-to-self","i":${i}}`);
    for (let i = 0; i < 500; i++) expect(await a.next()).toBe(`{"protocol":"one-to-self","i":${i}}`);
  });
});

describe('upgrade gates', () => {
  it('refuses upgrades past the connection cap with 503 and registers nothing', async () => {
    await start({ maxConnections: 2 });
    await client('user=a');
    await client('user=b');
    await expect(connect(s.url('user=c'))).rejects.toMatchObject({ status: 503 });
    expect(s.server.status().connections).toBe(2);
    await open.pop()!.close();
    await until(() => s.server.status().connections === 1);
    await client('user=c');
  });

  it('requires the access key when one is set: 401 otherwise', async () => {
    await start({ accessKey: 's3cret key' });
    await expect(connect(s.url('user=a'))).rejects.toMatchObject({ status: 401 });
    await expect(connect(s.url('user=a&key=wrong'))).rejects.toMatchObject({ status: 401 });
    expect(s.server.status().connections).toBe(0);
    const a = await client('user=a&key=s3cret+key');
    a.send('{"protocol":"one-to-self"}');
    expect(await a.next()).toBe('{"protocol":"one-to-self"}');
  });

  it('applies a new access key live to new connections only', async () => {
    await start();
    const a = await client('user=a');
    await s.server.reconfigure({ accessKey: 'k2' });
    await expect(connect(s.url('user=b'))).rejects.toMatchObject({ status: 401 });
    await client('user=b&key=k2');
    a.send('{"protocol":"one-to-one","endpoint":"b"}');
    expect(await open[1]!.next()).toBe('{"protocol":"one-to-one","endpoint":"b"}');
  });
});

describe('slow readers', () => {
  it('cuts a client that stops reading once its send buffer passes the bound, and others lose nothing', async () => {
    await start({ maxBufferedBytes: 256 * 1024, rateLimit: { perSecond: 0 } });
    const events: string[] = [];
    s.server.events.on('peer-left', (p) => events.push(`${p.name}:${p.reason}`));
    const stalled = await client('user=stalled');
    const stalledSocket = (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    stalledSocket.pause();
    const watcher = await client('v=2&user=w');
    await watcher.next(); // welcome
    const sender = await client('user=sender');
    expect((await watcher.nextJson()).data.user).toBe('sender');
    const frame = JSON.stringify({ protocol: 'one-to-one', endpoint: 'stalled', pad: 'x'.repeat(60_000) });
    // Far more than loopback's kernel buffers can absorb (a few MB each way), so the server's own buffer grows.
    for (let i = 0; i < 600; i++) sender.send(frame);
    expect(await watcher.nextJson()).toEqual({ protocol: 'server', action: 'peer-left', data: { user: 'stalled' } });
    expect(events).toEqual(['stalled:slow']);
    stalledSocket.resume(); // let it read the backlog and see its connection end
    expect((await stalled.closed).code).toBe(1006);
    // The sender learns the name is gone; the server keeps relaying for everyone else.
    expect(await sender.next(10_000)).toBe('Could not find a node with the name stalled');
    sender.send('{"protocol":"one-to-one","endpoint":"w","ok":1}');
    expect(JSON.parse(await watcher.next())).toEqual({ protocol: 'one-to-one', endpoint: 'w', ok: 1, from: 'sender' });
  }, 30_000);
});

describe('heartbeat', () => {
  it('terminates a connection that did not answer the previous ping, frees its name and announces the leave', async () => {
    const clock = new FakeClock();
    await start({ pingIntervalMs: 1000 }, clock);
    const watcher = await client('v=2&user=w');
    await watcher.next();
    const silent = await client('user=silent', { autoPong: false });
    const lively = await client('user=lively');
    expect((await watcher.nextJson()).data.user).toBe('silent');
    await watcher.next(); // lively joined
    const pinged = new Promise((r) => lively.ws.once('ping', r));
    const silentPinged = new Promise((r) => silent.ws.once('ping', r));
    clock.advance(1000);
    await Promise.all([pinged, silentPinged]);
    await new Promise((r) => lively.ws.once('pong', r).ping()); // a round trip: lively's pong has reached the server by now
    clock.advance(1000);
    expect((await silent.closed).code).toBe(1006);
    expect(await watcher.nextJson()).toEqual({ protocol: 'server', action: 'peer-left', data: { user: 'silent' } });
    expect(lively.ws.readyState).toBe(WebSocket.OPEN);
    const again = await client('user=silent');
    again.send('{"protocol":"one-to-self"}');
    expect(await again.next()).toBe('{"protocol":"one-to-self"}');
  });
});
