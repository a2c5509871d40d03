// Cluster failures (docs/protocol.md "Several nodes"): a node killed with SIGKILL, Redis stalled with
// SIGSTOP, Redis restarted empty; push subscriptions shared through Redis. Real redis-server, real nodes
// (in-process, and one CLI process for the kill), real clients; the default failure timings.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serverFactory } from '../../main/app/server-factory.js';
import { createServerHost } from '../../main/app/server-host.js';
import { pushServiceFactory } from '../../main/server/push/factory.js';
import { generateVapidKey } from '../../main/server/push/vapid.js';
import { resolveOptions, type ServerOptionsInput } from '../../main/server/options.js';
import type { ClusterEvent, ServerProblem } from '../../main/server/surface.js';
import { startCli } from '../support/cli.js';
import { connect, type Frame, type TestClient } from '../support/clients.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startServer, type Running } from '../support/server.js';
import { makeBrowserSubscription } from './push/support/browser-subscription.js';
import { startFakePushService, type FakePushService } from './push/support/fake-push-service.js';

let redis: TestRedis;
const nodes: Running[] = [];
const open: TestClient[] = [];
const warnings: ServerProblem[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  redis.resume();
  await Promise.all(open.splice(0).map((c) => c.close()));
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  warnings.length = 0;
  await redis.command('FLUSHALL');
});

async function node(nodeId: string, options: ServerOptionsInput = {}, deps = {}): Promise<Running> {
  const n = await startServer({ redis: redis.url, nodeId, ...options }, deps);
  n.server.events.on('warning', (p) => warnings.push(p));
  nodes.push(n);
  return n;
}
async function client(url: string): Promise<TestClient> {
  const c = await connect(url);
  open.push(c);
  return c;
}
async function v2(n: { url(q: string): string }, query: string): Promise<TestClient> {
  const c = await client(n.url(`v=2&${query}`));
  expect(await c.nextJson()).toMatchObject({ action: 'welcome' });
  return c;
}
const redisState = (n: Running) => n.server.cluster()!.redis;
/** The next relayed message, skipping presence news (the outage's name conflict brings some). */
async function nextRelayed(c: TestClient, timeoutMs = 5000): Promise<Frame> {
  for (;;) {
    const m = await c.nextJson(timeoutMs);
    if (m.protocol !== 'server') return m;
    if (m.action !== 'peer-joined' && m.action !== 'peer-left') throw new Error(`unexpected ${JSON.stringify(m)}`);
  }
}

describe('look-alike names across nodes', () => {
  const q = (name: string) => encodeURIComponent(name);
  it('refuses a v2 name that reads the same as one on another node (NFC, case); v1 stays byte-exact', async () => {
    const a = await node('a');
    const b = await node('b');
    const zoeNfc = 'Zo\u00eb';
    const zoeNfd = 'zoe\u0308';
    const zoe = await v2(a, `user=${q(zoeNfc)}&room=r`);
    const look = await client(b.url(`v=2&user=${q(zoeNfd)}&room=r`));
    expect((await look.nextJson()).data.code).toBe('username-taken');
    // The display name stays as its holder typed it.
    expect((await look.nextJson()).data).toMatchObject({ user: null, peers: [zoeNfc] });
    // Other rooms are other namespaces.
    await v2(b, `user=${q(zoeNfd)}&room=s`);
    await zoe.close();
    // Freed in Redis too: the look-alike may register now, on either node.
    await expect.poll(() => redis.command('HLEN rustysignal:folded')).toBe(':1'); // room s
    const again = await client(b.url(`v=2&user=${q(zoeNfd)}&room=r`));
    expect((await again.nextJson()).data).toMatchObject({ user: zoeNfd });

    // v1: exact bytes, as in 2.0.2 (`ana` and `Ana` both register); a v2 look-alike of either is refused.
    const lower = await client(a.url('user=ana'));
    const upper = await client(b.url('user=Ana'));
    await expect.poll(() => a.server.cluster()!.remotePeers).toBe(3);
    lower.send('{"protocol":"one-to-one","endpoint":"Ana","n":1}');
    expect(await upper.next()).toBe('{"protocol":"one-to-one","endpoint":"Ana","n":1}');
    const exact = await client(a.url('user=Ana'));
    expect(await exact.next()).toBe('The username is taken');
    const v2Ana = await client(a.url('v=2&user=ANA'));
    expect((await v2Ana.nextJson()).data.code).toBe('username-taken');
    expect((await v2Ana.nextJson()).data).toMatchObject({ user: null });
  });
});

describe('relaying bursts across nodes', () => {
  it('a burst of one-to-one and one-to-all messages arrives whole and in order', async () => {
    const a = await node('a');
    const b = await node('b');
    const rx = await client(b.url('user=rx'));
    const tx = await client(a.url('user=tx'));
    await expect.poll(() => a.server.cluster()!.remotePeers).toBe(1);
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      const f =
        i % 7 === 3
          ? `{"protocol":"one-to-all","i":${i}}`
          : `{"protocol":"one-to-one","endpoint":"rx","i":${i},"pad":"${'x'.repeat(i * 40)}"}`;
      sent.push(f);
      tx.send(f);
    }
    const got: string[] = [];
    for (let i = 0; i < sent.length; i++) got.push(await rx.next());
    expect(got).toEqual(sent);
  });
});

describe('room controls across nodes', () => {
  it('a lock and a code set at one node apply at every node and outlive a node restart while another runs', async () => {
    const a = await node('a');
    const b = await node('b');
    const inside = await v2(b, 'user=early&room=hall');
    a.server.setRoom('hall', { locked: true, code: 'c0de' });
    await expect
      .poll(() => b.server.rooms().find((r) => r.room === 'hall'))
      .toMatchObject({ locked: true, code: 'c0de' });
    const noCode = await client(b.url('v=2&user=x&room=hall'));
    expect((await noCode.nextJson()).data.code).toBe('invalid-room-code');
    expect((await noCode.closed).code).toBe(4003);
    const locked = await client(b.url('v=2&user=x&room=hall&code=c0de'));
    expect((await locked.nextJson()).data.code).toBe('room-locked');

    // Node a restarts while b runs: the new a finds the controls in Redis.
    await a.stop();
    nodes.splice(nodes.indexOf(a), 1);
    const a2 = await node('a');
    expect(a2.server.rooms().find((r) => r.room === 'hall')).toMatchObject({ locked: true, code: 'c0de' });
    const refused = await client(a2.url('v=2&user=y&room=hall&code=c0de'));
    expect((await refused.nextJson()).data.code).toBe('room-locked');

    // Unlocked at b (the code stays): a2 lets new names in.
    b.server.setRoom('hall', { locked: false });
    await expect.poll(() => a2.server.rooms().find((r) => r.room === 'hall')?.locked).toBe(false);
    const welcome = await client(a2.url('v=2&user=y&room=hall&code=c0de'));
    expect((await welcome.nextJson()).data).toMatchObject({ user: 'y', peers: ['early'] });
    expect((await inside.nextJson()).data).toEqual({ user: 'y' });

    // Kept in Redis only while a node runs: each heartbeat extends it by the node key's lifetime (4 s).
    const ttl = Number((await redis.command('PTTL rustysignal:rooms')).slice(1));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(4000);
  });
});

describe('cluster changes on the control surface', () => {
  it('tells each node of others joining and stopping; the desktop host clears the Redis warning when it is back', async () => {
    const a = await node('a');
    const changes: ClusterEvent[] = [];
    a.server.events.on('cluster', (e) => changes.push(e));
    const b = await node('b');
    await expect
      .poll(() => changes)
      .toEqual([{ change: 'node-joined', node: 'b', nodes: 2, message: 'cluster node b joined' }]);
    expect(a.server.cluster()).toMatchObject({ nodes: 2, otherNodes: ['b'] });
    await b.stop();
    nodes.splice(nodes.indexOf(b), 1);
    await expect.poll(() => changes.length).toBe(2);
    expect(changes[1]).toEqual({ change: 'node-left', node: 'b', nodes: 1, message: 'cluster node b stopped' });

    // The desktop app's host over a clustered server: Redis away is a warning banner until it is back.
    const host = createServerHost({
      factory: serverFactory({ stopGraceMs: 300 }),
      options: () =>
        resolveOptions({
          host: '127.0.0.1',
          port: 0,
          mdns: { enabled: false },
          relay: { port: 0 },
          redis: redis.url,
          nodeId: 'desk',
        }),
    });
    try {
      expect((await host.start()).ok).toBe(true);
      redis.pause();
      await expect
        .poll(() => host.status().problems.map((p) => p.code), { timeout: 10_000 })
        .toEqual(['redis-unavailable']);
      redis.resume();
      await expect.poll(() => host.status().problems, { timeout: 10_000 }).toEqual([]);
    } finally {
      redis.resume();
      await host.stop();
    }
  });
});

describe('a node that dies', () => {
  it('is noticed within 10 s: its names are freed and its rooms get peer-left', async () => {
    const survivor = await node('survivor');
    const changes: ClusterEvent[] = [];
    survivor.server.events.on('cluster', (e) => changes.push(e));
    const doomed = await startCli([
      '127.0.0.1:0',
      '--redis',
      redis.url,
      '--node-id',
      'doomed',
      '--no-mdns',
      '--no-web-client',
    ]);
    try {
      await expect.poll(() => changes.map((e) => [e.change, e.node])).toEqual([['node-joined', 'doomed']]);
      const alice = await v2(survivor, 'user=alice&room=hall');
      await v2({ url: (q) => `ws://127.0.0.1:${doomed.port}/?${q}` }, 'user=bob&room=hall');
      expect(await alice.nextJson()).toEqual({ protocol: 'server', action: 'peer-joined', data: { user: 'bob' } });
      const killedAt = Date.now();
      doomed.child.kill('SIGKILL');
      expect(await alice.nextJson(12_000)).toEqual({ protocol: 'server', action: 'peer-left', data: { user: 'bob' } });
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      const bob = await client(survivor.url('v=2&user=bob&room=hall'));
      expect((await bob.nextJson()).data).toMatchObject({ user: 'bob', peers: ['alice'] });
      expect(survivor.server.cluster()).toMatchObject({ nodes: 1, otherNodes: [], remotePeers: 0 });
      expect(changes.slice(1)).toEqual([
        { change: 'node-lost', node: 'doomed', nodes: 1, message: expect.stringContaining('doomed') as string },
      ]);
      expect(warnings.map((w) => w.code)).toEqual(['cluster-node-lost']);
    } finally {
      doomed.child.kill('SIGKILL');
      await doomed.exited;
    }
  });
});

describe('Redis stalled (SIGSTOP) and back (SIGCONT)', () => {
  it('keeps serving local clients, answers cross-node sends with queued / unknown-peer, settles a doubly claimed name, then resumes', async () => {
    const n1 = await node('n1');
    const n2 = await node('n2');
    const changes: string[] = [];
    n1.server.events.on('cluster', (e) => changes.push(e.change));
    const alice = await v2(n1, 'user=alice');
    const bob = await v2(n2, 'user=bob');
    expect((await alice.nextJson()).action).toBe('peer-joined');
    const oldV1 = await client(n1.url('user=old'));
    expect((await alice.nextJson()).data).toEqual({ user: 'old' });
    await expect.poll(() => n2.server.cluster()!.remotePeers).toBe(2);

    redis.pause();
    await expect.poll(() => [redisState(n1), redisState(n2)]).toEqual(['disconnected', 'disconnected']);
    expect(warnings.filter((w) => w.code === 'redis-unavailable')).toHaveLength(2); // one per node
    expect(changes).toEqual(['redis-down']);
    expect(warnings[0]!.message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);

    // Same node: works as always, names included.
    const carol = await v2(n1, 'user=carol');
    expect(await alice.nextJson()).toMatchObject({ action: 'peer-joined', data: { user: 'carol' } });
    alice.send({ protocol: 'one-to-one', to: 'carol', n: 1 });
    expect(JSON.parse(await carol.next())).toEqual({ protocol: 'one-to-one', to: 'carol', n: 1, from: 'alice' });
    // Across nodes: held (v2) or refused (v1), nothing silently lost.
    alice.send({ protocol: 'one-to-one', to: 'bob', id: 'q1', n: 2 });
    expect(await alice.nextJson()).toEqual({ protocol: 'server', action: 'queued', data: { to: 'bob', ref: 'q1' } });
    oldV1.send('{"protocol":"one-to-one","endpoint":"bob"}');
    expect(await oldV1.next()).toBe('Could not find a node with the name bob');
    // A name known on the other node stays taken; a new one can be claimed on both nodes meanwhile.
    const bob2 = await client(n1.url('v=2&user=bob'));
    expect((await bob2.nextJson()).data.code).toBe('username-taken');
    const dave1 = await v2(n1, 'user=dave');
    const dave2 = await v2(n2, 'user=dave');
    // A room control changed meanwhile applies here at once and reaches the other node when Redis is back.
    n1.server.setRoom('late', { locked: true });

    redis.resume();
    const resumedAt = Date.now();
    await expect.poll(() => [redisState(n1), redisState(n2)]).toEqual(['connected', 'connected']);
    await expect.poll(() => n2.server.rooms().find((r) => r.room === 'late')?.locked).toBe(true);
    expect(changes).toEqual(['redis-down', 'redis-up']);
    // The held message reaches bob once his node is reachable again.
    expect(await nextRelayed(bob, 10_000)).toMatchObject({ to: 'bob', n: 2, from: 'alice' });
    expect(Date.now() - resumedAt).toBeLessThan(10_000);
    // One dave keeps the name; the other is closed with 4002.
    const closed = await Promise.race([
      dave1.closed.then((c) => ({ who: 1, ...c })),
      dave2.closed.then((c) => ({ who: 2, ...c })),
    ]);
    expect(closed.code).toBe(4002);
    const winner = closed.who === 1 ? dave2 : dave1;
    expect(winner.ws.readyState).toBe(1);
    // Cross-node traffic flows again, both ways.
    // alice, old, carol, and dave when n1's won.
    await expect.poll(() => n2.server.cluster()!.remotePeers).toBe(closed.who === 2 ? 4 : 3);
    alice.send({ protocol: 'one-to-one', to: 'bob', n: 3 });
    expect(await nextRelayed(bob)).toMatchObject({ n: 3, from: 'alice' });
    bob.send({ protocol: 'one-to-one', to: 'carol', n: 4 });
    expect(await nextRelayed(carol)).toMatchObject({ n: 4, from: 'bob' });
  });
});

describe('look-alike names claimed during an outage', () => {
  it('settles two v2 look-alikes like one name (4002 for the later claim); v1 names that differ in case both stay', async () => {
    const n1 = await node('n1');
    const n2 = await node('n2');
    redis.pause();
    await expect.poll(() => [redisState(n1), redisState(n2)]).toEqual(['disconnected', 'disconnected']);
    const eve1 = await v2(n1, 'user=Eve&room=r');
    const eve2 = await v2(n2, 'user=eve&room=r');
    const ann1 = await client(n1.url('user=Ann'));
    const ann2 = await client(n2.url('user=ann'));
    redis.resume();
    const closed = await Promise.race([
      eve1.closed.then((c) => ({ who: 1, ...c })),
      eve2.closed.then((c) => ({ who: 2, ...c })),
    ]);
    expect(closed.code).toBe(4002);
    const winner = closed.who === 1 ? eve2 : eve1;
    expect(winner.ws.readyState).toBe(1);
    await expect.poll(() => [redisState(n1), redisState(n2)]).toEqual(['connected', 'connected']);
    await expect.poll(() => redis.command('HLEN rustysignal:peers')).toBe(':3');
    expect([ann1.ws.readyState, ann2.ws.readyState]).toEqual([1, 1]);
    // Redis counts the winner once: when it leaves, the look-alike is free again.
    await winner.close();
    await expect.poll(() => redis.command('HLEN rustysignal:peers')).toBe(':2');
    const again = await client(n1.url('v=2&user=EVE&room=r'));
    expect((await again.nextJson()).data).toMatchObject({ user: 'EVE' });
  });
});

describe('Redis restarted empty', () => {
  it('re-claims every name and resumes cross-node traffic within 10 s', async () => {
    const n1 = await node('n1');
    const n2 = await node('n2');
    const alice = await v2(n1, 'user=alice&room=r');
    const bob = await v2(n2, 'user=bob&room=r');
    expect((await alice.nextJson()).action).toBe('peer-joined');
    n1.server.setRoom('quiet', { code: 'k3y' });

    await redis.restart();
    const restartedAt = Date.now();
    await expect.poll(() => redis.command('HLEN rustysignal:peers')).toBe(':2');
    // The room controls are written back by the nodes that hold them.
    await expect.poll(() => redis.command('HLEN rustysignal:rooms')).toBe(':1');
    await expect.poll(() => [redisState(n1), redisState(n2)]).toEqual(['connected', 'connected']);
    alice.send({ protocol: 'one-to-one', to: 'bob', n: 1 });
    expect(JSON.parse(await bob.next())).toMatchObject({ n: 1, from: 'alice' });
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    const dup = await client(n2.url('v=2&user=alice&room=r'));
    expect((await dup.nextJson()).data.code).toBe('username-taken');
    // Nobody was told anyone left or joined again.
    expect(alice.pending()).toEqual([]);
    expect(bob.pending()).toEqual([]);
  });
});

describe('resume and push across nodes', () => {
  let fake: FakePushService;
  beforeAll(async () => {
    fake = await startFakePushService();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('resumes a name at another node: the old connection gets 4001, the room sees no leave or join', async () => {
    const n1 = await node('n1');
    const n2 = await node('n2');
    const watcher = await v2(n1, 'user=w');
    const phone = await client(n1.url('v=2&user=phone'));
    const token = (await phone.nextJson()).data.token as string;
    expect((await watcher.nextJson()).action).toBe('peer-joined');
    const again = await client(n2.url(`v=2&user=phone&token=${encodeURIComponent(token)}`));
    expect((await again.nextJson()).data).toMatchObject({ user: 'phone', peers: ['w'] });
    expect((await phone.closed).code).toBe(4001);
    watcher.send({ protocol: 'one-to-one', to: 'phone', n: 1 });
    expect(JSON.parse(await again.next())).toMatchObject({ n: 1, from: 'w' });
    expect(watcher.pending()).toEqual([]);
  });

  it('stores subscriptions in Redis, so a connection request works from any node', async () => {
    const push = {
      vapidPrivateKeyPem: generateVapidKey().pem,
      subject: 'mailto:ops@example.org',
      allowHosts: [new URL(fake.origin).host],
    };
    const deps = { pushFactory: pushServiceFactory({ agent: fake.agent }) };
    const n1 = await node('n1', { push }, deps);
    const n2 = await node('n2', { push }, deps);
    const alice = await v2(n1, 'user=alice');
    alice.send({ action: 'subscribe-push', subscriptionData: makeBrowserSubscription(`${fake.origin}/p/a`).json });
    expect((await alice.nextJson()).action).toBe('push-subscribed');
    await alice.close();
    await expect.poll(() => n2.server.status().push.subscriptions).toBe(1);
    const bob = await v2(n2, 'user=bob');
    const arrived = fake.nextRequest();
    bob.send({ action: 'connection-request', to: 'alice', id: 7 });
    // Alice's leave, announced from the other node, may reach bob after his welcome: skip presence.
    let reply = await bob.nextJson();
    while (reply.action === 'peer-left' || reply.action === 'peer-joined') reply = await bob.nextJson();
    expect(reply.action).toBe('push-result');
    expect(reply.data).toMatchObject({ to: 'alice', ok: true, ref: 7 });
    expect((await arrived).path).toBe('/p/a');
  });
  it('bounds subscriptions per client address across nodes, counting as entries come and go', async () => {
    const push = {
      vapidPrivateKeyPem: generateVapidKey().pem,
      subject: 'mailto:ops@example.org',
      allowHosts: [new URL(fake.origin).host],
      subscriptionsPerAddress: 2,
    };
    const n1 = await node('n1', { push });
    const n2 = await node('n2', { push });
    const subscribe = async (n: Running, name: string) => {
      const c = await v2(n, `user=${name}&room=${name}`); // alone: no presence news
      c.send({ action: 'subscribe-push', subscriptionData: makeBrowserSubscription(`${fake.origin}/p/${name}`).json });
      return { c, answer: await c.nextJson() };
    };
    const a = await subscribe(n1, 'a');
    expect(a.answer.action).toBe('push-subscribed');
    expect((await subscribe(n1, 'b')).answer.action).toBe('push-subscribed');
    await expect.poll(() => n2.server.status().push.subscriptions).toBe(2);
    // The third from the same address (127.0.0.1), at the other node: refused.
    const third = await subscribe(n2, 'c');
    expect(third.answer.data).toMatchObject({
      code: 'push-refused',
      message: expect.stringMatching(/maximum of 2/) as string,
    });
    // One removed at n1: n2 counts one less and accepts it.
    a.c.send({ action: 'unsubscribe-push', id: 1 });
    expect((await a.c.nextJson()).action).toBe('push-unsubscribed');
    await expect.poll(() => n2.server.status().push.subscriptions).toBe(1);
    third.c.send({ action: 'subscribe-push', subscriptionData: makeBrowserSubscription(`${fake.origin}/p/c`).json });
    expect((await third.c.nextJson()).action).toBe('push-subscribed');
  });
});

describe('without --redis', () => {
  // ioredis is CommonJS, so whatever loaded it is in the require cache of a fresh process.
  const probe = `
    import { createRequire } from 'node:module';
    const { createSignalServer } = await import(process.argv[1]);
    const s = createSignalServer({ host: '127.0.0.1', port: 0, mdns: { enabled: false }, redis: process.argv[2] || null });
    await s.start();
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('ioredis')).length;
    await s.stop();
    console.log(loaded);`;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const run = (redisUrl: string) =>
    spawnSync(
      process.execPath,
      ['--input-type=module', '-e', probe, path.join(root, 'dist/main/server/signal-server.js'), redisUrl],
      { encoding: 'utf8', timeout: 20_000 },
    );

  it('loads no Redis code at all (and with --redis it does)', () => {
    const single = run('');
    expect([single.status, single.stdout.trim()]).toEqual([0, '0']);
    const clustered = run(redis.url);
    expect(clustered.status).toBe(0);
    expect(Number(clustered.stdout.trim())).toBeGreaterThan(0);
  });
});
