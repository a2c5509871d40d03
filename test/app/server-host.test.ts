// The desktop's server host over a real server: lifecycle events in order, start failures as problems
// (never throws), live changes without dropping clients, and restarts for rebinding changes.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serverFactory } from '../../main/app/server-factory.js';
import { createServerHost, problemFrom, type ServerHost } from '../../main/app/server-host.js';
import type { PeerStats } from '../../main/ipc/contract.js';
import { resolveOptions, type ServerOptionsInput } from '../../main/server/options.js';
import { createSignalServer } from '../../main/server/signal-server.js';
import { connect, until } from '../support/clients.js';

let host: ServerHost | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await host?.stop();
  blocker?.close();
  host = blocker = undefined;
});

function make(initial: ServerOptionsInput) {
  let input: ServerOptionsInput = { host: '127.0.0.1', port: 0, mdns: { enabled: false }, relay: { port: 0 }, ...initial };
  const h = createServerHost({ factory: serverFactory({ stopGraceMs: 300 }), options: () => resolveOptions(input) });
  host = h;
  return { h, set: (patch: ServerOptionsInput) => (input = { ...input, ...patch }) };
}

describe('server host', () => {
  it('starts and stops with status events in order, and a graceful 1001 for clients', async () => {
    const { h } = make({});
    const states: string[] = [];
    h.events.on('status', (s) => states.push(s.state));
    const r = await h.start();
    if (!r.ok) throw new Error(r.problem.message);
    const c = await connect(`ws://127.0.0.1:${r.status.port}/?user=dan`);
    await h.stop();
    expect((await c.closed).code).toBe(1001);
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(h.status()).toMatchObject({ state: 'stopped', port: null, connections: 0 });
  });

  it('turns a start failure into state error and a problem, and recovers on the next start', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const { h, set } = make({ port });
    const problems: string[] = [];
    h.events.on('problem', (p) => problems.push(p.code));
    const r = await h.start();
    expect(r.ok).toBe(false);
    expect(h.state()).toBe('error');
    expect(h.status().problems).toMatchObject([{ severity: 'error', code: 'port-in-use' }]);
    expect(problems).toEqual(['port-in-use']);
    set({ port: 0 });
    expect((await h.start()).ok).toBe(true);
    expect(h.status().problems).toEqual([]);
  });

  it('reports bad options as settings-invalid instead of throwing', async () => {
    const h = createServerHost({ factory: serverFactory(), options: () => resolveOptions({ port: -1 }) });
    host = h;
    const r = await h.start();
    expect(r).toMatchObject({
      ok: false,
      problem: { code: 'settings-invalid', message: expect.stringMatching(/^option port: /) as string },
    });
  });

  it('applies live options without dropping clients, and restarts for a new port or TLS on/off', async () => {
    const { h, set } = make({});
    const first = await h.start();
    if (!first.ok) throw new Error('start failed');
    const c = await connect(`ws://127.0.0.1:${first.status.port}/?user=erin`);
    set({ maxConnections: 5, accessKey: 'abc' });
    expect(await h.apply()).toEqual({ ok: true, applied: 'live' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(h.current()!.options).toMatchObject({ maxConnections: 5, accessKey: 'abc' });
    expect(h.status().addresses[0]!.url).toBe(`ws://127.0.0.1:${first.status.port}/?key=abc`);
    expect(await h.apply()).toEqual({ ok: true, applied: 'live' });

    set({ webClientDir: '/nonexistent' });
    expect(await h.apply()).toEqual({ ok: true, applied: 'restarted' });
    expect((await c.closed).code).toBe(1001);
    expect(h.status().addresses[0]!.webClientUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?key=abc$/);
  });

  it('applies maxBufferedBytes live: the host uses the server option table, which lists it', async () => {
    const { h, set } = make({});
    expect((await h.start()).ok).toBe(true);
    const before = h.current()!;
    set({ maxBufferedBytes: 128 * 1024, offlineTtlMs: 0 });
    expect(await h.apply()).toEqual({ ok: true, applied: 'live' });
    expect(h.current()).toBe(before);
    expect(before.options).toMatchObject({ maxBufferedBytes: 128 * 1024, offlineTtlMs: 0 });
  });

  it('stores only (no start) when stopped, and serialises overlapping calls', async () => {
    const { h } = make({});
    expect(await h.apply()).toEqual({ ok: true, applied: 'stored' });
    const [a, b, c] = await Promise.all([h.start(), h.stop(), h.start()]);
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, true]);
    expect(h.state()).toBe('running');
  });

  it('names problems from thrown errors by their class', () => {
    class TlsFileError extends Error {
      override name = 'TlsFileError';
    }
    expect(problemFrom(new TlsFileError('gone'), 5)).toEqual({
      severity: 'error',
      code: 'tls-invalid',
      message: 'gone',
      at: 5,
    });
    expect(problemFrom('weird', 6)).toEqual({ severity: 'error', code: 'internal', message: 'weird', at: 6 });
  });

  it('asks the server for peer-stats only while someone listens, and relays the current server across restarts', async () => {
    const h = createServerHost({
      factory: (o) => createSignalServer(o, { statsIntervalMs: 20, stopGraceMs: 300 }),
      options: () => resolveOptions({ host: '127.0.0.1', port: 0, mdns: { enabled: false }, relay: { port: 0 } }),
    });
    host = h;
    expect((await h.start()).ok).toBe(true);
    const first = h.current()!;
    expect(first.events.has('peer-stats')).toBe(false);
    const got: PeerStats[][] = [];
    const off = h.events.on('peer-stats', (rows) => got.push(rows));
    const offOther = h.events.on('peer-stats', () => {});
    expect(first.events.has('peer-stats')).toBe(true);
    offOther();
    offOther(); // a second call must not count as a second listener leaving
    expect(first.events.has('peer-stats')).toBe(true);

    expect((await h.restart()).ok).toBe(true);
    const second = h.current()!;
    expect(second).not.toBe(first);
    expect([first.events.has('peer-stats'), second.events.has('peer-stats')]).toEqual([false, true]);
    const c = await connect(`ws://127.0.0.1:${h.status().port}/?user=fay`);
    const id = second.peers()[0]!.id;
    c.send('{"protocol":"one-to-self"}');
    await c.next();
    await until(() => got.length === 1);
    expect(got).toEqual([[{ id, messagesIn: 1, messagesOut: 1, pushSubscribed: false }]]);
    off();
    expect(second.events.has('peer-stats')).toBe(false);

    // once: subscribes the relay for one report, then lets go of it.
    const once: PeerStats[][] = [];
    h.events.once('peer-stats', (rows) => once.push(rows));
    expect(second.events.has('peer-stats')).toBe(true);
    c.send('{"protocol":"one-to-self"}');
    await c.next();
    await until(() => once.length === 1);
    expect(once).toEqual([[{ id, messagesIn: 2, messagesOut: 2, pushSubscribed: false }]]);
    expect(second.events.has('peer-stats')).toBe(false);

    // Stopping lets go of the server; a listener that arrives while stopped is attached to the next one.
    const offKept = h.events.on('peer-stats', () => {});
    await h.stop();
    expect(second.events.has('peer-stats')).toBe(false);
    const offLate = h.events.on('peer-stats', () => {});
    expect((await h.start()).ok).toBe(true);
    const third = h.current()!;
    expect(third.events.has('peer-stats')).toBe(true);
    offLate();
    expect(third.events.has('peer-stats')).toBe(true);
    offKept();
    expect(third.events.has('peer-stats')).toBe(false);
    expect(got).toHaveLength(1);
  });
});
