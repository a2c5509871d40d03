// The client library in Node against the real server (v2): registration, relaying, answers as
// promises, reconnect with the resume token, takeover, and a silently dead network.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignalError, type RelayedMessage, type SignalClient } from '../../renderer/client/index.js';
import { createSignalServer } from '../../main/server/signal-server.js';
import { FreezableWebSocket, startServerWithClients, stateReached, type ServerWithClients } from './helpers.js';

let env: ServerWithClients;
beforeEach(async () => {
  env = await startServerWithClients();
});
afterEach(async () => {
  await env.stop();
});

function nextMessage(c: SignalClient, timeoutMs = 5000): Promise<RelayedMessage> {
  return c.next('message', timeoutMs).then(([m]) => m);
}

describe('SignalClient (v2)', () => {
  it('registers, sees peers come and go, and relays with the server-stamped sender', async () => {
    const alice = env.client({ name: 'alice', room: 'lab' });
    const w1 = await alice.connect();
    expect(w1).toMatchObject({ user: 'alice', room: 'lab', peers: [], push: null });
    expect(w1?.token).toMatch(/.{16,}/);
    expect(alice.state).toBe('open');
    expect(alice.name).toBe('alice');

    const joined = alice.next('peer-joined');
    const bob = env.client({ name: 'Bob Smith', room: 'lab' });
    const w2 = await bob.connect();
    expect(w2?.peers).toEqual(['alice']);
    expect((await joined)[0]).toBe('Bob Smith');
    expect(alice.peers).toEqual(['Bob Smith']);

    const got = nextMessage(bob);
    await expect(alice.send('Bob Smith', 'hello', { n: 1 })).resolves.toEqual({ status: 'relayed' });
    const m = await got;
    expect(m).toMatchObject({
      protocol: 'one-to-one',
      from: 'alice',
      fromVerified: true,
      action: 'hello',
      data: { n: 1 },
    });

    const left = alice.next('peer-left');
    bob.close();
    expect(bob.state).toBe('closed');
    expect((await left)[0]).toBe('Bob Smith');
    expect(alice.peers).toEqual([]);
  });

  it('broadcast reaches the room but not the sender; other rooms hear nothing', async () => {
    const [a, b, other] = [
      env.client({ name: 'a', room: 'r1' }),
      env.client({ name: 'b', room: 'r1' }),
      env.client({ name: 'c', room: 'r2' }),
    ];
    await Promise.all([a.connect(), b.connect(), other.connect()]);
    const seen: string[] = [];
    for (const [n, c] of [
      ['a', a],
      ['b', b],
      ['c', other],
    ] as const)
      c.on('message', (m) => seen.push(`${n}:${m.action}:${m.from}`));
    await expect(a.broadcast('ping', 1)).resolves.toEqual({ status: 'relayed' });
    // The probe that resolved the broadcast went after it, so b already had it.
    const pong = a.next('message');
    await expect(b.send('a', 'pong')).resolves.toEqual({ status: 'relayed' });
    await pong;
    expect(seen).toEqual(['b:ping:a', 'a:pong:b']);
  });

  it('send to an absent peer resolves queued, then expired is reported', async () => {
    await env.server.reconfigure({ offlineTtlMs: 150 });
    const a = env.client({ name: 'a' });
    await a.connect();
    const expired = a.next('expired');
    await expect(a.send('nobody', 'x')).resolves.toEqual({ status: 'queued' });
    expect((await expired)[0].to).toBe('nobody');
  });

  it('rejects with the server code when the offline queue is full, and when not connected', async () => {
    await env.server.reconfigure({ offlineQueueMax: 1 });
    const a = env.client({ name: 'a' });
    const notYet = a.send('x', 'y');
    await expect(notYet).rejects.toMatchObject({ name: 'SignalError', code: 'not-connected' });
    await a.connect();
    await expect(a.send('ghost', 'm1')).resolves.toEqual({ status: 'queued' });
    const err = await a.send('ghost', 'm2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignalError);
    expect((err as SignalError).code).toBe('unknown-peer');
  });

  it('a taken name leaves the client anonymous and reports username-taken', async () => {
    const first = env.client({ name: 'sam' });
    await first.connect();
    const second = env.client({ name: 'sam' });
    const err = second.next('error');
    const w = await second.connect();
    expect(w?.user).toBeNull();
    expect(second.name).toBeNull();
    expect((await err)[0].code).toBe('username-taken');
  });

  it('reconnects after its socket dies, keeps its name, and gets what was sent meanwhile from the offline queue', async () => {
    // A browser's window: the client retries at once when the network comes back ('online'), so the
    // test decides when bob returns instead of racing his backoff timer.
    const windowLike = new EventTarget();
    const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
    g.addEventListener = windowLike.addEventListener.bind(windowLike);
    g.removeEventListener = windowLike.removeEventListener.bind(windowLike);
    try {
      const alice = env.client({ name: 'alice' });
      const bob = env.client({
        name: 'bob',
        WebSocket: FreezableWebSocket as never,
        reconnect: { initialMs: 60_000, maxMs: 60_000 },
      });
      await Promise.all([alice.connect(), bob.connect()]);
      const bobSocket = FreezableWebSocket.last!;
      const tokenBefore = bob.token;

      const left = alice.next('peer-left');
      const states: string[] = [];
      bob.on('state', (s) => states.push(s));
      const closed = bob.next('close');
      // Like a network failure: the TCP stream dies, no closing handshake.
      bobSocket.terminate();
      const [info] = await closed;
      expect(info).toMatchObject({ code: 1006, wasOpen: true, closedReason: null });
      // Jitter keeps the first retry within [half, all] of the initial delay.
      expect(info.retryInMs).toBeGreaterThanOrEqual(30_000);
      expect(info.retryInMs).toBeLessThanOrEqual(60_000);
      expect((await left)[0]).toBe('bob');

      const result = alice.send('bob', 'while-away', { text: 'hi' });
      await expect(result).resolves.toEqual({ status: 'queued' });
      expect(bob.state).toBe('reconnecting');
      const got = nextMessage(bob);
      windowLike.dispatchEvent(new Event('online'));
      await stateReached(bob, 'open');
      const m = await got;
      expect(m).toMatchObject({ from: 'alice', action: 'while-away', data: { text: 'hi' } });
      expect(bob.name).toBe('bob');
      expect(bob.token).not.toBe(tokenBefore);
      expect(states).toEqual(['reconnecting', 'open']);
    } finally {
      delete g.addEventListener;
      delete g.removeEventListener;
    }
  });

  it('a second connection with the token takes the name over; the first stays closed (4001)', async () => {
    const watcher = env.client({ name: 'watcher' });
    const phone = env.client({ name: 'phone' });
    await Promise.all([watcher.connect(), phone.connect()]);
    const roomEvents: string[] = [];
    watcher.on('peer-left', (n) => roomEvents.push(`left:${n}`));
    watcher.on('peer-joined', (n) => roomEvents.push(`joined:${n}`));

    const closed = phone.next('close');
    const laptop = env.client({ name: 'phone', token: phone.token });
    const w = await laptop.connect();
    expect(w?.user).toBe('phone');
    const [info] = await closed;
    expect(info).toEqual({
      code: 4001,
      reason: 'name resumed by a new connection',
      wasOpen: true,
      retryInMs: null,
      closedReason: 'taken-over',
    });
    expect(phone.state).toBe('closed');

    // Prove the room saw nothing: a round trip through the server after the takeover.
    const got = nextMessage(laptop);
    await watcher.send('phone', 'still-you');
    expect((await got).action).toBe('still-you');
    expect(roomEvents).toEqual([]);
  });

  it('notices a silently dead network with its keep-alive probe and resumes its name with the token', async () => {
    const other = env.client({ name: 'other' });
    const walker = env.client({
      name: 'walker',
      WebSocket: FreezableWebSocket as never,
      keepAliveMs: 100,
      keepAliveTimeoutMs: 150,
    });
    await Promise.all([other.connect(), walker.connect()]);
    const firstSocket = FreezableWebSocket.last!;
    const events: string[] = [];
    other.on('peer-left', (n) => events.push(`left:${n}`));

    const closed = walker.next('close');
    firstSocket.frozen = true;
    const [info] = await closed;
    expect(info.code).toBe(4002);
    expect(info.reason).toBe('no answer from server');
    await stateReached(walker, 'open');
    // The server still held the old connection: the token is what got the name back.
    expect(walker.name).toBe('walker');
    expect(FreezableWebSocket.last).not.toBe(firstSocket);
    const got = nextMessage(walker);
    await other.send('walker', 'back?');
    expect((await got).action).toBe('back?');
    expect(events).toEqual([]);
  });

  it('keeps retrying while the server is down and comes back when it returns', async () => {
    const port = env.server.status().port!;
    const a = env.client({ name: 'a' });
    await a.connect();
    const closes: Array<[number, boolean]> = [];
    a.on('close', (i) => closes.push([i.code, i.wasOpen]));
    const refused = new Promise<void>((resolve) => a.on('close', (i) => !i.wasOpen && resolve()));
    await env.server.stop();
    // At least one attempt against the closed port fails before the server comes back.
    await refused;
    expect(a.state).toBe('reconnecting');
    const again = createSignalServer({ host: '127.0.0.1', port, mdns: { enabled: false } }, { stopGraceMs: 200 });
    await again.start();
    try {
      await stateReached(a, 'open');
      expect(a.name).toBe('a');
      expect(closes[0]).toEqual([1001, true]);
      expect(closes.slice(1).every(([code, wasOpen]) => code === 1006 && !wasOpen)).toBe(true);
    } finally {
      a.close();
      await again.stop();
    }
  });
});
