// The desktop's server host over a real server: lifecycle events in order, start failures as problems
// (never throws), live changes without dropping clients, and restarts for rebinding changes.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serverFactory } from '../../main/app/server-factory.js';
import { createServerHost, problemFrom, type ServerHost } from '../../main/app/server-host.js';
import { resolveOptions, type ServerOptionsInput } from '../../main/server/options.js';
import { connect } from '../support/clients.js';

let host: ServerHost | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await host?.stop();
  blocker?.close();
  host = blocker = undefined;
});

function make(initial: ServerOptionsInput) {
  let input: ServerOptionsInput = { host: '127.0.0.1', port: 0, mdns: { enabled: false }, ...initial };
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
    expect(r).toMatchObject({ ok: false, problem: { code: 'settings-invalid', message: expect.stringMatching(/^option port: /) } });
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
    expect(problemFrom(new TlsFileError('gone'), 5)).toEqual({ severity: 'error', code: 'tls-invalid', message: 'gone', at: 5 });
    expect(problemFrom('weird', 6)).toEqual({ severity: 'error', code: 'internal', message: 'weird', at: 6 });
  });
});
