// Every IPC channel against a real running server (no Electron): valid arguments do what the dashboard
// expects, invalid ones come back as typed errors naming the field, and nothing changes on an error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerFactory } from '../../main/app/server-factory.js';
import { generateLanCertificate } from '../../main/certs/generate.js';
import type { EventChannel, EventMap, InvokeChannel, IpcError, PeerStats, Result } from '../../main/ipc/contract.js';
import type { Dialogs, IpcDeps } from '../../main/ipc/deps.js';
import { forwardEvents } from '../../main/ipc/events.js';
import { createIpcHandlers, type IpcHandlers } from '../../main/ipc/handlers.js';
import { createNodeIpcDeps } from '../support/node-ipc-deps.js';
import { createSignalServer } from '../../main/server/signal-server.js';
import { makeBrowserSubscription } from '../server/push/support/browser-subscription.js';
import { connect, until } from '../support/clients.js';

const lan = () => [{ interface: 'lo', address: '127.0.0.1', family: 'IPv4' as const, internal: true }];
const base = { host: '127.0.0.1', port: 0, mdns: { enabled: false }, relay: { port: 0 } };

let dir: string;
let deps: ReturnType<typeof createNodeIpcDeps>;
let h: IpcHandlers;
let events: Array<{ event: EventChannel; payload: unknown }>;
let stopForwarding: () => void;
const opened: string[] = [];
const copied: string[] = [];

function setup(
  overrides: Partial<IpcDeps> = {},
  settings: Record<string, unknown> = base,
  webClientDir: string | null = null,
  factory?: ServerFactory,
) {
  deps = createNodeIpcDeps({
    dir,
    settings,
    webClientDir,
    ...(factory ? { factory } : {}),
    overrides: { interfaces: lan, hostname: () => 'testbox', ...overrides },
  });
  h = createIpcHandlers(deps);
  events = [];
  stopForwarding = forwardEvents(deps, (event, payload) => events.push({ event, payload }));
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rs-ipc-'));
  opened.length = 0;
  copied.length = 0;
  setup({ openExternal: (u) => Promise.resolve(void opened.push(u)), copyText: (t) => void copied.push(t) });
});
afterEach(async () => {
  stopForwarding();
  await deps.host.stop();
  rmSync(dir, { recursive: true, force: true });
});

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}
type AnyResult = { ok: true; value: unknown } | { ok: false; error: IpcError };
function err(r: AnyResult): IpcError {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value).slice(0, 200)}`);
  return r.error;
}
const call = <C extends InvokeChannel>(c: C, arg?: unknown) => h[c](arg) as ReturnType<IpcHandlers[C]>;
const eventsOf = <E extends EventChannel>(e: E) =>
  events.filter((x) => x.event === e).map((x) => x.payload as EventMap[E]);

async function running() {
  const s = ok(await call('server:start'));
  expect(s.state).toBe('running');
  return s;
}

describe('every channel refuses a malformed argument with invalid-argument', () => {
  const bad: Array<[InvokeChannel, unknown, string | undefined]> = [
    ['app:info', { x: 1 }, undefined],
    ['app:openExternal', { url: 5 }, 'url'],
    ['app:copyText', { text: 5 }, 'text'],
    ['server:status', 1, undefined],
    ['server:start', 'now', undefined],
    ['server:stop', {}, undefined],
    ['server:restart', [], undefined],
    ['peers:list', null, undefined],
    ['peers:kick', { id: 'x' }, 'id'],
    ['rooms:list', 1, undefined],
    ['rooms:set', { room: 'lab', code: 'has space' }, 'code'],
    ['addresses:list', 0, undefined],
    ['network:selfCheck', true, undefined],
    ['discovery:list', {}, undefined],
    ['certs:current', 'x', undefined],
    ['certs:import', { source: 'pem', cert: 'not pem', key: 'not pem' }, 'cert'],
    ['certs:generate', { days: 0 }, 'days'],
    ['certs:export', { to: 'usb' }, 'to'],
    ['certs:remove', 1, undefined],
    ['certs:ca', 1, undefined],
    ['certs:createCa', { now: true }, undefined],
    ['push:info', 1, undefined],
    ['push:generate', { subject: 5 }, 'subject'],
    ['push:import', { source: 'pem', pem: 'nope' }, 'pem'],
    ['push:setSubject', {}, 'subject'],
    ['push:remove', 1, undefined],
    ['push:test', { name: '' }, 'name'],
    ['settings:get', 1, undefined],
    ['settings:set', 'port=1', undefined],
    ['log:recent', { limit: 0 }, 'limit'],
    ['log:openFolder', 1, undefined],
  ];
  it('covers the whole contract', () => {
    expect(new Set(bad.map(([c]) => c))).toEqual(new Set(Object.keys(h)));
  });
  it.each(bad)('%s', async (channel, arg, field) => {
    const e = err(await call(channel, arg));
    expect(e.code).toBe('invalid-argument');
    expect(e.field).toBe(field);
    expect(e.message.length).toBeGreaterThan(5);
  });
});

describe('server', () => {
  it('starts, reports status and addresses, restarts and stops, pushing status events', async () => {
    const s = await running();
    expect(s.port).toBeGreaterThan(0);
    expect(s.addresses).toEqual([
      {
        interface: 'lo',
        address: '127.0.0.1',
        family: 'IPv4',
        internal: true,
        url: `ws://127.0.0.1:${s.port}/`,
        webClientUrl: null,
        trustUrl: null,
      },
    ]);
    expect(ok(await call('addresses:list'))).toEqual(s.addresses);
    expect(ok(await call('server:status')).state).toBe('running');
    const r = ok(await call('server:restart'));
    expect(r.state).toBe('running');
    const stopped = ok(await call('server:stop'));
    expect(stopped).toMatchObject({ state: 'stopped', port: null, addresses: [] });
    expect(eventsOf('status').map((x) => x.state)).toEqual([
      'starting',
      'running',
      'stopping',
      'stopped',
      'starting',
      'running',
      'stopping',
      'stopped',
    ]);
  });

  it('reports a port in use as port-in-use on the port field, and the state as error', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      expect(deps.settings.update({ port }).ok).toBe(true);
      const e = err(await call('server:start'));
      expect(e).toMatchObject({ code: 'port-in-use', field: 'port' });
      expect(e.message).toContain(`port ${port}`);
      const st = ok(await call('server:status'));
      expect(st.state).toBe('error');
      expect(st.problems.map((p) => p.code)).toEqual(['port-in-use']);
      expect(eventsOf('problem').map((p) => p.code)).toEqual(['port-in-use']);
    } finally {
      blocker.close();
    }
  });
});

describe('peers', () => {
  it('lists peers, pushes join/leave/count events, and kicks with the reason', async () => {
    const s = await running();
    const alice = await connect(`ws://127.0.0.1:${s.port}/?user=alice`);
    await until(() => eventsOf('peer-joined').length === 1);
    const list = ok(await call('peers:list'));
    expect(list.map((p) => [p.name, p.room, p.dialect, p.remoteAddress])).toEqual([['alice', '', 1, '127.0.0.1']]);
    expect(eventsOf('peer-joined')[0]!.name).toBe('alice');
    expect(eventsOf('connections').at(-1)).toEqual({ connections: 1, peers: 1 });

    expect(ok(await call('peers:kick', { id: list[0]!.id, reason: 'class is over' }))).toBeNull();
    expect(await alice.closed).toEqual({ code: 4000, reason: 'class is over' });
    await until(() => eventsOf('peer-left').length === 1);
    expect(eventsOf('peer-left')[0]).toMatchObject({ name: 'alice', reason: 'kicked' });
    expect(ok(await call('peers:list'))).toEqual([]);
  });

  it('pushes peer-stats with the exact counters real traffic produced, and push state once subscribed', async () => {
    stopForwarding();
    setup({}, base, null, (o) => createSignalServer(o, { statsIntervalMs: 50, stopGraceMs: 300 }));
    ok(await call('push:generate', { subject: 'mailto:ops@example.org' }));
    const s = await running();
    const alice = await connect(`ws://127.0.0.1:${s.port}/?user=alice`);
    const bob = await connect(`ws://127.0.0.1:${s.port}/?user=bob`);
    await until(() => eventsOf('peer-joined').length === 2);
    const id = Object.fromEntries(ok(await call('peers:list')).map((p) => [p.name ?? '', p.id]));

    alice.send('{"protocol":"one-to-one","endpoint":"bob","data":"hi"}');
    alice.send('{"protocol":"one-to-self","data":"echo"}');
    // Never contacted: storing a subscription sends nothing.
    const subscription = JSON.stringify(makeBrowserSubscription('https://push.example.org/push/bob').json);
    bob.send(JSON.stringify({ protocol: 'one-to-self', action: 'subscribe-push', subscriptionData: subscription }));
    const what = (m: string) => {
      const o = JSON.parse(m) as { data?: string; action?: string };
      return o.data ?? o.action;
    };
    expect([what(await bob.next()), what(await bob.next())].sort()).toEqual(['hi', 'subscribe-push']);
    expect(what(await alice.next())).toBe('echo');

    // Each event names only what changed; the latest row per connection is what the table shows.
    const latest = () =>
      [
        ...new Map(
          eventsOf('peer-stats')
            .flat()
            .map((r) => [r.id, r]),
        ).values(),
      ].sort((a, b) => a.id - b.id);
    const want: PeerStats[] = [
      { id: id.alice!, messagesIn: 2, messagesOut: 1, pushSubscribed: false },
      { id: id.bob!, messagesIn: 1, messagesOut: 2, pushSubscribed: true },
    ];
    await until(() => JSON.stringify(latest()) === JSON.stringify(want));
    expect(latest()).toEqual(want);
    expect(ok(await call('peers:list')).map((p) => [p.name, p.messagesIn, p.messagesOut, p.pushSubscribed])).toEqual([
      ['alice', 2, 1, false],
      ['bob', 1, 2, true],
    ]);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('locks a room and sets its code; lists rooms with their connections; refuses a bad code by field', async () => {
    const s = await running();
    expect(ok(await call('rooms:set', { room: 'lab', locked: true, code: 'k7' }))).toEqual({
      room: 'lab',
      connections: 0,
      peers: 0,
      locked: true,
      code: 'k7',
    });
    const inside = await connect(`ws://127.0.0.1:${s.port}/?v=2&room=lab&code=k7`);
    await inside.next();
    expect(ok(await call('rooms:list'))).toEqual([{ room: 'lab', connections: 1, peers: 0, locked: true, code: 'k7' }]);
    expect(err(await call('rooms:set', { room: 'x'.repeat(65), locked: true })).field).toBe('room');
    expect(ok(await call('rooms:set', { room: 'lab', locked: false, code: null }))).toMatchObject({
      locked: false,
      code: null,
    });
    await inside.close();
    await until(() => eventsOf('peer-left').length === 1);
    expect(ok(await call('rooms:list'))).toEqual([]);
    await call('server:stop');
    expect(err(await call('rooms:set', { room: 'lab', locked: true })).code).toBe('not-running');
  });

  it('answers not-found for an unknown id and not-running when stopped', async () => {
    await running();
    expect(err(await call('peers:kick', { id: 99999 }))).toMatchObject({ code: 'not-found', field: 'id' });
    expect(err(await call('peers:kick', { id: 1, reason: 'x'.repeat(101) })).field).toBe('reason');
    await call('server:stop');
    expect(err(await call('peers:kick', { id: 1 })).code).toBe('not-running');
    expect(ok(await call('peers:list'))).toEqual([]);
  });
});

describe('network', () => {
  it('self-checks each advertised URL, with the access key in it', async () => {
    ok(await call('settings:set', { accessKey: 's3cret key' }));
    const s = await running();
    expect(s.addresses[0]!.url).toBe(`ws://127.0.0.1:${s.port}/?key=s3cret%20key`);
    const [r, ...rest] = ok(await call('network:selfCheck'));
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ url: s.addresses[0]!.url, interface: 'lo', address: '127.0.0.1', ok: true, error: null });
    expect(r!.ms).toBeGreaterThanOrEqual(0);
  });

  it('answers not-running when stopped', async () => {
    expect(err(await call('network:selfCheck')).code).toBe('not-running');
  });

  it('lists discovered servers (none with mDNS off)', async () => {
    expect(ok(await call('discovery:list'))).toEqual([]);
    await running();
    expect(ok(await call('discovery:list'))).toEqual([]);
  });
});

describe('certificates', () => {
  it('generates a LAN certificate, switches the running server to wss, exports and removes it', async () => {
    await running();
    expect(ok(await call('certs:current'))).toBeNull();
    const info = ok(await call('certs:generate', { days: 90 }));
    expect(info).toMatchObject({
      source: 'generated',
      certPath: null,
      keyType: 'EC P-256',
      selfSigned: true,
      subject: 'CN=testbox.local, O=rustysignal LAN certificate',
    });
    expect(info.subjectAltNames).toEqual(['DNS:testbox.local', 'DNS:localhost', 'IP:127.0.0.1']);
    expect(info.daysLeft).toBe(89);
    expect(info.warnings.map((w) => w.code)).toEqual(['self-signed']);
    expect(info.fingerprint256).toBe(new X509Certificate(info.pem).fingerprint256);

    const st = ok(await call('server:status'));
    expect(st.tls).toBe(true);
    const wss = await connect(`wss://127.0.0.1:${st.port}/?user=bob`, { ca: info.pem });
    await wss.close();
    expect(eventsOf('certificate').at(-1)?.fingerprint256).toBe(info.fingerprint256);

    expect(ok(await call('certs:export', { to: 'text' }))).toEqual({ pem: info.pem, path: null });
    expect(err(await call('certs:export', { to: 'dialog' })).code).toBe('unsupported');

    expect(ok(await call('certs:remove'))).toBeNull();
    expect(ok(await call('certs:current'))).toBeNull();
    expect(ok(await call('server:status')).tls).toBe(false);
    expect(err(await call('certs:export', { to: 'text' })).code).toBe('not-found');
  });

  it('imports PEM text, refusing a key that does not match, an expired certificate and garbage', async () => {
    const a = await generateLanCertificate({ dns: ['a.local'], ip: ['127.0.0.1'] });
    const b = await generateLanCertificate({ dns: ['b.local'], ip: ['127.0.0.1'] });
    const old = await generateLanCertificate({
      dns: ['old.local'],
      ip: [],
      days: 1,
      now: new Date(Date.now() - 10 * 86_400_000),
    });
    await running();

    const mismatch = err(await call('certs:import', { source: 'pem', cert: a.cert, key: b.key }));
    expect(mismatch).toMatchObject({
      code: 'tls-invalid',
      field: 'key',
      message: 'The private key does not belong to this certificate: choose the key that was created with it',
    });
    const expired = err(await call('certs:import', { source: 'pem', cert: old.cert, key: old.key }));
    expect(expired.code).toBe('tls-invalid');
    expect(expired.field).toBe('cert');
    expect(expired.message).toMatch(/^The certificate expired on \d{4}-\d\d-\d\d/);
    const swapped = err(await call('certs:import', { source: 'pem', cert: a.key, key: a.cert }));
    expect(swapped).toMatchObject({ code: 'tls-invalid', field: 'cert' });
    expect(ok(await call('certs:current'))).toBeNull();
    expect(ok(await call('server:status')).tls).toBe(false);

    const info = ok(await call('certs:import', { source: 'pem', cert: a.cert, key: a.key }));
    expect(info.source).toBe('imported');
    expect(info.warnings.map((w) => w.code)).toEqual(['self-signed', 'san-missing']);
    expect(info.warnings[1]!.message).toContain('testbox.local is not named in the certificate');
  });

  it('imports through file dialogs (copy or link), and reports a cancelled dialog', async () => {
    const a = await generateLanCertificate({ dns: ['testbox.local'], ip: ['127.0.0.1'] });
    writeFileSync(path.join(dir, 'c.pem'), a.cert);
    writeFileSync(path.join(dir, 'k.pem'), a.key);
    const answers: Array<string | null> = [];
    const dialogs: Dialogs = {
      openFile: () => Promise.resolve(answers.shift() ?? null),
      saveFile: () => Promise.resolve(path.join(dir, 'export.crt')),
    };
    stopForwarding();
    await deps.host.stop();
    setup({ dialogs });
    answers.push(path.join(dir, 'c.pem'), null);
    expect(err(await call('certs:import', { source: 'dialog' })).code).toBe('cancelled');
    answers.push(path.join(dir, 'c.pem'), path.join(dir, 'k.pem'));
    const linked = ok(await call('certs:import', { source: 'dialog', link: true }));
    expect(linked).toMatchObject({ source: 'files', certPath: path.join(dir, 'c.pem') });
    const out = ok(await call('certs:export', { to: 'dialog' }));
    expect(out.path).toBe(path.join(dir, 'export.crt'));
    expect(readFileSync(out.path!, 'utf8')).toBe(linked.pem);
    const s = await running();
    expect(s.tls).toBe(true);
  });

  it('refuses a bad host name for a generated certificate', async () => {
    expect(err(await call('certs:generate', { hostname: 'no_underscores!' })).field).toBe('hostname');
  });
});

describe('push', () => {
  it('generates keys, sets the subject, enables push on the running server, and removes it', async () => {
    await running();
    expect(ok(await call('push:info'))).toEqual({
      configured: false,
      enabled: false,
      subject: null,
      publicKey: null,
      subscriptions: 0,
    });
    const noSubject = ok(await call('push:generate'));
    expect(noSubject).toMatchObject({ configured: true, enabled: false, subject: null });
    expect(noSubject.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(err(await call('push:test', { name: 'alice' })).code).toBe('push-unavailable');

    const bad = err(await call('push:setSubject', { subject: 'admin@example.org' }));
    expect(bad).toMatchObject({ code: 'push-invalid', field: 'subject' });
    const empty = err(await call('push:setSubject', { subject: '' }));
    expect(empty).toMatchObject({ code: 'push-invalid', field: 'subject' });
    const info = ok(await call('push:setSubject', { subject: 'mailto:admin@example.org' }));
    expect(info).toMatchObject({
      configured: true,
      enabled: true,
      subject: 'mailto:admin@example.org',
      publicKey: noSubject.publicKey,
      subscriptions: 0,
    });
    expect(ok(await call('server:status')).push.publicKey).toBe(noSubject.publicKey);

    const r = ok(await call('push:test', { name: 'nobody' }));
    expect(r.ok).toBe(false);
    expect(r.message).toBeTruthy();

    const removed = ok(await call('push:remove'));
    expect(removed).toMatchObject({ configured: false, enabled: false, publicKey: null });
  });

  it('imports a PEM key and refuses one that is not EC P-256', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const info = ok(await call('push:import', { source: 'pem', pem, subject: 'https://example.org/contact' }));
    expect(info).toMatchObject({ configured: true, subject: 'https://example.org/contact' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const e = err(await call('push:import', { source: 'pem', pem: rsa }));
    expect(e).toMatchObject({ code: 'push-invalid', field: 'pem' });
    expect(ok(await call('push:info')).publicKey).toBe(info.publicKey);
    expect(err(await call('push:import', { source: 'dialog' })).code).toBe('unsupported');
  });
});

describe('settings', () => {
  it('returns values, defaults and the secrets notice', async () => {
    const s = ok(await call('settings:get'));
    expect(s.values).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      accessKey: null,
      mdns: { enabled: false, name: null, interface: null },
      startServerOnLaunch: true,
    });
    expect(s.defaults).toMatchObject({ host: '0.0.0.0', port: 3012, maxConnections: 10_000, serveWebClient: true });
    expect(s.secrets).toEqual({
      encrypted: false,
      message: 'Secrets are stored unencrypted: no system keychain is available to this process.',
    });
  });

  it('rejects invalid fields one by one and changes nothing', async () => {
    const before = ok(await call('settings:get')).values;
    const e = err(
      await call('settings:set', { port: 70000, rateLimit: { burst: 0 }, host: 'example.org', mdns: { name: '' } }),
    );
    expect(e.code).toBe('invalid-argument');
    expect(e.fields).toEqual([
      { field: 'host', message: 'host must be an IP address or localhost' },
      { field: 'port', message: 'must be at most 65535' },
      { field: 'rateLimit.burst', message: 'must be at least 1' },
      { field: 'mdns.name', message: 'must not be empty' },
    ]);
    expect(err(await call('settings:set', { colour: 'red' })).fields).toEqual([
      { field: 'colour', message: 'unknown field: colour' },
    ]);
    expect(ok(await call('settings:get')).values).toEqual(before);
  });

  it('applies limits live, rebinding changes by restart, and rolls back a port that is taken', async () => {
    const s = await running();
    const peer = await connect(`ws://127.0.0.1:${s.port}/?user=carol`);
    const live = ok(await call('settings:set', { maxConnections: 50, rateLimit: { perSecond: 10 } }));
    expect(live.applied).toBe('live');
    expect(live.settings.values.rateLimit).toEqual({ perSecond: 10, burst: 400 });
    expect(deps.host.current()!.options.maxConnections).toBe(50);
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);

    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const e = err(await call('settings:set', { port: taken }));
      expect(e).toMatchObject({ code: 'port-in-use', field: 'port' });
      expect(e.message).toMatch(/\(the change was not kept\)$/);
      expect(ok(await call('settings:get')).values.port).toBe(0);
      const back = ok(await call('server:status'));
      expect(back.state).toBe('running');
      expect(back.problems).toEqual([]);
    } finally {
      blocker.close();
    }
    expect(eventsOf('settings').at(-1)?.values.maxConnections).toBe(50);
    const moved = ok(await call('settings:set', { host: '127.0.0.1', port: 0, offlineTtlMs: 1000, startHidden: true }));
    expect(moved.applied).toBe('live');
    await peer.close();
  });

  it('keeps settings on disk across a restart of the app', async () => {
    ok(await call('settings:set', { maxConnections: 77, accessKey: 'k' }));
    const saved = JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')) as {
      server: { maxConnections: number; accessKey: unknown };
    };
    expect(saved.server.maxConnections).toBe(77);
    expect(saved.server.accessKey).toEqual({ scheme: 'plain', data: 'k' });
    stopForwarding();
    setup({}, {});
    expect(ok(await call('settings:get')).values).toMatchObject({ maxConnections: 77, accessKey: 'k' });
  });

  it('reads and writes start-at-login through the login item', async () => {
    let on = false;
    stopForwarding();
    setup({ loginItem: { get: () => Promise.resolve(on), set: (v) => Promise.resolve(void (on = v)) } });
    expect(ok(await call('settings:get')).values.startAtLogin).toBe(false);
    on = true; // changed outside the app: read fresh
    expect(ok(await call('settings:get')).values.startAtLogin).toBe(true);
    ok(await call('settings:set', { startAtLogin: false }));
    expect(on).toBe(false);
  });
});

describe('app, log', () => {
  it('describes the app and opens only our own web client in the browser', async () => {
    expect(ok(await call('app:info'))).toMatchObject({
      name: 'rustysignal',
      version: '0.0.0-test',
      dataFolder: dir,
      dialogs: false,
    });
    stopForwarding();
    setup(
      { openExternal: (u) => Promise.resolve(void opened.push(u)), copyText: (t) => void copied.push(t) },
      base,
      dir,
    );
    const s = await running();
    const web = s.addresses[0]!.webClientUrl!;
    expect(web).toBe(`http://127.0.0.1:${s.port}/`);
    expect(ok(await call('app:openExternal', { url: `${web}?room=a` }))).toBeNull();
    expect(err(await call('app:openExternal', { url: 'https://example.org/' })).code).toBe('forbidden');
    expect(err(await call('app:openExternal', { url: 'file:///etc/passwd' })).code).toBe('forbidden');
    expect(err(await call('app:openExternal', { url: 'not a url' })).field).toBe('url');
    expect(opened).toEqual([`${web}?room=a`]);
    expect(ok(await call('app:copyText', { text: web }))).toBeNull();
    expect(copied).toEqual([web]);
  });

  it('returns recent log lines and opens the log folder', async () => {
    await running();
    const lines = ok(await call('log:recent', { limit: 1 }));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toMatch(/^listening /);
    expect(eventsOf('log').some((l) => l.message.startsWith('listening'))).toBe(true);
    expect(err(await call('log:openFolder')).code).toBe('unsupported');
    const paths: string[] = [];
    stopForwarding();
    await deps.host.stop();
    setup({ openPath: (p) => Promise.resolve((paths.push(p), p.includes('nope') ? 'no such folder' : '')) });
    expect(ok(await call('log:openFolder'))).toEqual({ path: dir });
    expect(paths).toEqual([dir]);
  });
});
