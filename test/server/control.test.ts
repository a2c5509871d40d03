// The control surface the CLI and the desktop shell host: start/stop, status, peers, kick, events,
// reconfigure, options validation.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OptionsError, resolveOptions } from '../../main/server/options.js';
import { createSignalServer, ServerError } from '../../main/server/signal-server.js';
import type { PeerStats, ServerEventMap } from '../../main/server/surface.js';
import { connect } from '../support/clients.js';
import { FakeClock } from '../support/fake-clock.js';
import { startServer, type Running } from '../support/server.js';

let s: Running | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('options', () => {
  it('fills every default from one table', () => {
    const o = resolveOptions({});
    expect(o).toMatchObject({
      host: '0.0.0.0',
      port: 3012,
      pingIntervalMs: 30_000,
      maxPayloadBytes: 65_536,
      offlineTtlMs: 15_000,
      offlineQueueMax: 32,
      tls: null,
      accessKey: null,
    });
    expect(o.rateLimit.perSecond).toBeGreaterThanOrEqual(100);
    expect(o.rateLimit.burst).toBeGreaterThanOrEqual(200);
  });

  it('rejects unknown and invalid options with a message naming the option', () => {
    expect(() => resolveOptions({ prot: 1 } as never)).toThrow(new OptionsError('unknown option prot'));
    expect(() => resolveOptions({ port: 70000 })).toThrow(/^option port: /);
    expect(() => resolveOptions({ host: 'example.org' })).toThrow(
      'option host: host must be an IP address or localhost',
    );
    expect(() => resolveOptions({ rateLimit: { perSecond: 1, burst: 0 } })).toThrow(/^option rateLimit\.burst: /);
    expect(() => createSignalServer({ tls: { cert: 'x', key: 'y' } })).toThrow(
      /option tls\.cert: cert must be PEM text/,
    );
  });
});

describe('lifecycle', () => {
  it('reports status, peers and events while clients come and go', async () => {
    s = await startServer();
    const seen: Array<[keyof ServerEventMap, unknown]> = [];
    s.server.events.on('peer-joined', (p) => seen.push(['peer-joined', p.name]));
    s.server.events.on('peer-left', (p) => seen.push(['peer-left', [p.name, p.reason]]));
    const st = s.server.status();
    expect(st).toMatchObject({ state: 'running', port: s.port, tls: false, connections: 0, peers: 0, rooms: 0 });
    expect(st.urls).toEqual([
      { interface: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true, url: `ws://127.0.0.1:${s.port}/` },
    ]);
    const a = await connect(s.url('user=alice'));
    const b = await connect(s.url('v=2&user=bob&room=lab'));
    await b.next();
    a.send('{"protocol":"one-to-self"}');
    await a.next();
    const peers = s.server.peers().sort((x, y) => x.id - y.id);
    expect(peers).toEqual([
      {
        id: expect.any(Number) as number,
        name: 'alice',
        room: '',
        dialect: 1,
        remoteAddress: '127.0.0.1',
        connectedAt: expect.any(Number) as number,
        messagesIn: 1,
        messagesOut: 1,
        pushSubscribed: false,
      },
      {
        id: expect.any(Number) as number,
        name: 'bob',
        room: 'lab',
        dialect: 2,
        remoteAddress: '127.0.0.1',
        connectedAt: expect.any(Number) as number,
        messagesIn: 0,
        messagesOut: 0,
        pushSubscribed: false,
      },
    ]);
    expect(s.server.status()).toMatchObject({ connections: 2, peers: 2, rooms: 2 });
    expect(s.server.kick(peers[1]!.id, 'please rejoin')).toBe(true);
    expect(await b.closed).toEqual({ code: 4000, reason: 'please rejoin' });
    expect(s.server.kick(9999, 'x')).toBe(false);
    await s.server.stop();
    expect(await a.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(seen).toEqual([
      ['peer-joined', 'alice'],
      ['peer-joined', 'bob'],
      ['peer-left', ['bob', 'kicked']],
      ['peer-left', ['alice', 'stopped']],
    ]);
    expect(s.server.status()).toMatchObject({ state: 'stopped', port: null, urls: [], connections: 0 });
  });

  it('tells the surface of every connection: anonymous ones, a taken name, and a resume under a new id', async () => {
    s = await startServer();
    const seen: string[] = [];
    s.server.events.on('peer-joined', (p) => seen.push(`+${p.id}:${p.name}`));
    s.server.events.on('peer-left', (p) => seen.push(`-${p.id}:${p.name}:${p.reason}`));
    const anon = await connect(s.url('v=2&room=lab'));
    await anon.next(); // welcome
    const phone = await connect(s.url('v=2&user=phone&room=lab'));
    const token = (await phone.nextJson()).data.token as string;
    expect((await anon.nextJson()).action).toBe('peer-joined');
    const dup = await connect(s.url('v=2&user=phone&room=lab')); // name taken: stays, anonymous
    expect((await dup.nextJson()).data.code).toBe('username-taken');
    await dup.next(); // welcome
    const [idAnon, idPhone, idDup] = s.server
      .peers()
      .sort((x, y) => x.id - y.id)
      .map((p) => [p.id, p.name]);
    expect([idAnon![1], idPhone![1], idDup![1]]).toEqual([null, 'phone', null]);

    // The phone comes back with its token: the room hears nothing, the surface sees old out, new in.
    const laptop = await connect(s.url(`v=2&user=phone&room=lab&token=${encodeURIComponent(token)}`));
    await laptop.next(); // welcome
    expect(await phone.closed).toEqual({ code: 4001, reason: 'name resumed by a new connection' });
    const idLaptop = s.server.peers().find((p) => p.name === 'phone' && p.id !== idPhone![0])!.id;
    // Each leave is awaited on the surface itself: the client sees its close before the server does.
    const left = (entry: string) => expect.poll(() => seen.includes(entry)).toBe(true);
    await left(`-${idPhone![0]}:phone:taken-over`);
    await dup.close();
    await left(`-${idDup![0]}:null:closed`);
    expect(s.server.kick(idAnon![0] as number, 'bye')).toBe(true);
    await left(`-${idAnon![0]}:null:kicked`);
    await laptop.close();
    await left(`-${idLaptop}:phone:closed`);
    expect(seen).toEqual([
      `+${idAnon![0]}:null`,
      `+${idPhone![0]}:phone`,
      `+${idDup![0]}:null`,
      `+${idLaptop}:phone`,
      `-${idPhone![0]}:phone:taken-over`,
      `-${idDup![0]}:null:closed`,
      `-${idAnon![0]}:null:kicked`,
      `-${idLaptop}:phone:closed`,
    ]);
    // Not one peer-joined/peer-left reached the room for the resume or the anonymous connections.
    expect(anon.pending()).toEqual([]);
  });

  it('reports changed message counters once per interval, only what changed', async () => {
    const clock = new FakeClock();
    s = await startServer({}, { clock, statsIntervalMs: 1000 });
    const reports: PeerStats[][] = [];
    s.server.events.on('peer-stats', (r) => reports.push(r));
    const a = await connect(s.url('user=a'));
    const b = await connect(s.url('user=b'));
    const [ida, idb] = s.server
      .peers()
      .sort((x, y) => x.id - y.id)
      .map((p) => p.id);
    clock.advance(1000);
    expect(reports).toEqual([]); // nothing moved yet
    a.send('{"protocol":"one-to-one","endpoint":"b"}');
    await b.next();
    clock.advance(1000);
    expect(reports).toEqual([
      [
        { id: ida, messagesIn: 1, messagesOut: 0, pushSubscribed: false },
        { id: idb, messagesIn: 0, messagesOut: 1, pushSubscribed: false },
      ],
    ]);
    b.send('{"protocol":"one-to-self"}');
    await b.next();
    clock.advance(1000);
    expect(reports[1]).toEqual([{ id: idb, messagesIn: 1, messagesOut: 2, pushSubscribed: false }]);
    await Promise.all([a.close(), b.close()]);
  });

  it('can start again after stop', async () => {
    s = await startServer();
    await s.server.stop();
    const st = await s.server.start();
    expect(st.state).toBe('running');
    const c = await connect(`ws://127.0.0.1:${st.port}/?user=x`);
    await c.close();
  });

  it('rejects a port in use with a port-in-use problem, and emits it', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const server = createSignalServer({ host: '127.0.0.1', port, mdns: { enabled: false } });
    const errors: string[] = [];
    server.events.on('error', (p) => errors.push(p.code));
    const err = await server.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).problem).toEqual({
      code: 'port-in-use',
      message: `port ${port} on 127.0.0.1 is already in use (another rustysignal or another program): stop it or choose another port`,
    });
    expect(errors).toEqual(['port-in-use']);
    expect(server.status().state).toBe('stopped');
    blocker.close();
  });

  it('applies new limits live and refuses to switch TLS on without a restart', async () => {
    s = await startServer();
    await s.server.reconfigure({ maxPayloadBytes: 300, rateLimit: { perSecond: 0, burst: 1 } });
    expect(s.server.options.maxPayloadBytes).toBe(300);
    const c = await connect(s.url('user=a'));
    c.send(JSON.stringify({ protocol: 'one-to-self', pad: 'x'.repeat(400) }));
    expect((await c.closed).code).toBe(1009);
    await expect(
      s.server.reconfigure({ tls: { cert: '-----BEGIN CERTIFICATE-----', key: '-----BEGIN PRIVATE KEY-----' } }),
    ).rejects.toThrow(/needs a restart/);
    await expect(s.server.reconfigure({ bogus: 1 } as never)).rejects.toThrow('unknown option bogus');
  });
});
