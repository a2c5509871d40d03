// docs/protocol.md (Push) end to end: real ws clients, the real server, the real push service module and
// a push service on 127.0.0.1 over HTTPS. What arrives is decrypted with the test's own code.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushServiceFactory } from '../../../main/server/push/factory.js';
import { generateVapidKey } from '../../../main/server/push/vapid.js';
import type { ServerProblem } from '../../../main/server/surface.js';
import { FakeClock } from '../../support/fake-clock.js';
import { connect, type Frame, type TestClient } from '../../support/clients.js';
import { startServer, type Running } from '../../support/server.js';
import { makeBrowserSubscription, type BrowserSubscription } from './support/browser-subscription.js';
import { decryptAes128gcm, decryptAesgcm, headerParam } from './support/ece.js';
import { startFakePushService, type FakePushService, type ReceivedPush } from './support/fake-push-service.js';
import { verifyVapid } from './support/vapid-jwt.js';

const vapidPem = generateVapidKey().pem;
const subject = 'mailto:ops@example.org';
const payloadFrom = (sender: string) =>
  `{"body":${JSON.stringify(`${sender}\nwants to connect with you`)},"sender":${JSON.stringify(sender)},"actions":[{"action":"allowConnection","title":"\u2714\uFE0F Allow"},{"action":"denyConnection","title":"\u2716\uFE0F Deny"}]}`;

let fake: FakePushService;
let dataRoot: string;
let dirs = 0;
let s: Running | null = null;
const open: TestClient[] = [];
const problems: ServerProblem[] = [];

beforeAll(async () => {
  fake = await startFakePushService();
  dataRoot = await mkdtemp(path.join(tmpdir(), 'rs-push-e2e-'));
});
afterAll(async () => {
  await fake.close();
  await rm(dataRoot, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await s?.stop();
  s = null;
  fake.respond = () => ({ status: 201 });
  problems.length = 0;
});

async function start(
  opts: { encoding?: 'aes128gcm' | 'aesgcm'; timeoutMs?: number; dataDir?: string; clock?: FakeClock } = {},
): Promise<Running> {
  s = await startServer(
    {
      push: {
        vapidPrivateKeyPem: vapidPem,
        subject,
        encoding: opts.encoding ?? 'aes128gcm',
        timeoutMs: opts.timeoutMs ?? 5000,
        allowHosts: [new URL(fake.origin).host],
      },
      dataDir: opts.dataDir ?? path.join(dataRoot, `d${++dirs}`),
      rateLimit: { perSecond: 0 },
    },
    { pushFactory: pushServiceFactory({ agent: fake.agent }), ...(opts.clock ? { clock: opts.clock } : {}) },
  );
  s.server.events.on('error', (p) => problems.push(p));
  s.server.events.on('warning', (p) => problems.push(p));
  return s;
}
async function client(query: string): Promise<TestClient> {
  const c = await connect(s!.url(query));
  open.push(c);
  return c;
}
async function v2(query: string): Promise<TestClient> {
  const c = await client(`v=2&${query}`);
  expect((await c.nextJson()).action).toBe('welcome');
  return c;
}
/** The next control message with `action`, skipping presence news (peer-joined / peer-left). */
async function nextControl(c: TestClient, action: string, timeoutMs = 5000): Promise<Frame> {
  for (;;) {
    const m = await c.nextJson(timeoutMs);
    if (m.action === action) return m;
    if (m.action !== 'peer-joined' && m.action !== 'peer-left')
      throw new Error(`expected ${action}, got ${JSON.stringify(m)}`);
  }
}
const browser = (name: string) => makeBrowserSubscription(`${fake.origin}/push/${name}`);
const plaintext = (r: ReceivedPush, b: BrowserSubscription) =>
  decryptAes128gcm(r.body, b.ecdh, b.authSecret).toString('utf8');

describe('publishing the key', () => {
  it('welcome and GET /push/public-key carry the key the pushes are signed with', async () => {
    await start();
    const key = s!.server.status().push.publicKey!;
    expect(key).toMatch(/^[A-Za-z0-9_-]{87}$/);
    const c = await client('v=2&user=alice');
    expect((await c.nextJson()).data.push).toEqual({ publicKey: key });
    const res = await fetch(s!.http('/push/public-key'));
    expect([res.status, await res.text()]).toEqual([200, key]);

    const alice = browser('alice');
    c.send({ action: 'subscribe-push', subscriptionData: alice.json });
    expect((await c.nextJson()).action).toBe('push-subscribed');
    const arrived = fake.nextRequest();
    expect((await s!.server.sendTestPush('', 'alice')).ok).toBe(true);
    const r = await arrived;
    expect(plaintext(r, alice)).toBe(payloadFrom('rustysignal'));
    expect(verifyVapid(r.headers, 'aes128gcm', key).claims).toMatchObject({ aud: fake.origin, sub: subject });
  });
});

describe('v1 clients (the original protocol)', () => {
  it('subscribe-push with JSON text, then a connection_request with endpoint reaches the device', async () => {
    await start();
    const alice = browser('alice');
    const a = await client('user=alice');
    // As the original's clients sent it: no protocol, so the routing error follows the push action.
    a.send({ action: 'subscribe-push', subscriptionData: JSON.stringify(alice.json) });
    expect(await a.next()).toMatch(/^Invalid protocol, valid protocols include:/);
    expect(s!.server.status().push.subscriptions).toBe(1);
    expect(s!.server.peers().find((p) => p.name === 'alice')?.pushSubscribed).toBe(true);
    await a.close();

    const b = await client('user=bob');
    const arrived = fake.nextRequest();
    // With a protocol the message is also routed: alice is offline, so the original's routing error.
    b.send({ protocol: 'one-to-one', action: 'connection_request', endpoint: 'alice' });
    expect(await b.next()).toBe('Could not find a node with the name alice');
    expect(plaintext(await arrived, alice)).toBe(payloadFrom('bob'));
    expect(b.pending()).toEqual([]); // success is silent for v1
  });

  it('one-to-self subscribe-push is echoed byte for byte; a bad subscription and an anonymous sender get the texts', async () => {
    await start();
    const a = await client('user=alice');
    const frame = JSON.stringify({
      protocol: 'one-to-self',
      action: 'subscribe-push',
      subscriptionData: JSON.stringify(browser('alice').json),
    });
    a.send(frame);
    expect(await a.next()).toBe(frame);
    a.send({
      protocol: 'one-to-self',
      action: 'subscribe-push',
      subscriptionData: '{"endpoint":"http://127.0.0.1/x","keys":{}}',
    });
    expect(await a.next()).toBe('Invalid push subscription: subscription endpoint must be an https: URL');
    const anon = await client('');
    anon.send({ protocol: 'one-to-self', action: 'connection-request', to: 'alice' });
    expect(await anon.next()).toBe('Push requires a username');
  });
});

describe('v2 clients', () => {
  it('subscribe (object), connection-request with to and connection_request with endpoint get push-result', async () => {
    const clock = new FakeClock(Date.now());
    await start({ clock });
    const alice = browser('alice');
    const a = await v2('user=alice&room=lab');
    a.send({ action: 'subscribe-push', subscriptionData: alice.json, id: 's1' });
    expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'push-subscribed', data: { ref: 's1' } });
    await a.close();

    const b = await v2('user=bob&room=lab');
    let arrived = fake.nextRequest();
    b.send({ action: 'connection-request', to: 'alice', id: 'c1' });
    expect(await b.nextJson()).toEqual({
      protocol: 'server',
      action: 'push-result',
      data: { to: 'alice', ok: true, status: 201, ref: 'c1' },
    });
    expect(plaintext(await arrived, alice)).toBe(payloadFrom('bob'));

    // A second request to the same user within 5 s is refused, so no client can spam a phone.
    b.send({ action: 'connection-request', to: 'alice', id: 'again' });
    expect(await b.nextJson()).toEqual({
      protocol: 'server',
      action: 'push-result',
      data: {
        to: 'alice',
        ok: false,
        status: null,
        ref: 'again',
        message: 'a connection request to alice was sent less than 5 s ago; wait before asking again',
      },
    });
    clock.advance(5000);
    arrived = fake.nextRequest();
    b.send({ action: 'connection_request', endpoint: 'alice', to: 'ignored', id: 2 });
    expect(await b.nextJson()).toEqual({
      protocol: 'server',
      action: 'push-result',
      data: { to: 'alice', ok: true, status: 201, ref: 2 },
    });
    expect(plaintext(await arrived, alice)).toBe(payloadFrom('bob'));

    // Rooms are separate namespaces for push too.
    const other = await v2('user=carol&room=elsewhere');
    other.send({ action: 'connection-request', to: 'alice', id: 3 });
    expect(await other.nextJson()).toEqual({
      protocol: 'server',
      action: 'push-result',
      data: { to: 'alice', ok: false, status: null, ref: 3, message: '"alice" has no push subscription' },
    });
  });

  it('aesgcm servers send the legacy encoding', async () => {
    await start({ encoding: 'aesgcm' });
    const alice = browser('alice');
    const a = await v2('user=alice');
    a.send({ action: 'subscribe-push', subscriptionData: JSON.stringify(alice.json) });
    await a.nextJson();
    const b = await v2('user=bob');
    const arrived = fake.nextRequest();
    b.send({ action: 'connection-request', to: 'alice' });
    expect((await b.nextJson()).data).toEqual({ to: 'alice', ok: true, status: 201, ref: null });
    const r = await arrived;
    expect(r.headers['content-encoding']).toBe('aesgcm');
    const plain = decryptAesgcm(
      r.body,
      alice.ecdh,
      alice.authSecret,
      headerParam(r.headers['crypto-key'], 'dh'),
      headerParam(r.headers.encryption, 'salt'),
    );
    expect(plain.toString('utf8')).toBe(payloadFrom('bob'));
    expect(verifyVapid(r.headers, 'aesgcm', s!.server.status().push.publicKey!).claims.aud).toBe(fake.origin);
  });

  it('unsubscribe-push, invalid subscriptions, anonymous senders and a 410', async () => {
    await start();
    const a = await v2('user=alice');
    a.send({ action: 'subscribe-push', subscriptionData: { endpoint: `${fake.origin}/x` }, id: 1 });
    expect(await a.nextJson()).toEqual({
      protocol: 'server',
      action: 'error',
      data: {
        code: 'invalid-subscription',
        message: 'subscription keys are missing (keys.p256dh and keys.auth)',
        ref: 1,
      },
    });
    a.send({ action: 'subscribe-push', subscriptionData: browser('alice').json, id: 2 });
    expect((await a.nextJson()).action).toBe('push-subscribed');
    a.send({ action: 'unsubscribe-push', id: 3 });
    expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'push-unsubscribed', data: { ref: 3 } });
    expect(s!.server.status().push.subscriptions).toBe(0);

    const anon = await v2('');
    anon.send({ action: 'subscribe-push', subscriptionData: browser('anon').json, id: 4 });
    expect((await anon.nextJson()).data).toMatchObject({ code: 'not-registered', ref: 4 });

    a.send({ action: 'subscribe-push', subscriptionData: browser('alice').json });
    await a.nextJson();
    fake.respond = () => ({ status: 410 });
    const b = await v2('user=bob');
    b.send({ action: 'connection-request', to: 'alice', id: 5 });
    expect((await b.nextJson()).data).toEqual({
      to: 'alice',
      ok: false,
      status: 410,
      ref: 5,
      message: 'the push subscription of "alice" has expired (410) and was deleted; "alice" must subscribe again',
    });
    expect(s!.server.status().push.subscriptions).toBe(0);
  });

  it('a slow push service does not delay relayed messages', async () => {
    // The push service holds the request until the test answers it: no race with a timeout.
    await start({ timeoutMs: 60_000 });
    const a = await v2('user=alice');
    a.send({ action: 'subscribe-push', subscriptionData: browser('alice').json });
    await a.nextJson();
    fake.respond = () => 'hold';
    const b = await v2('user=bob');
    const c = await v2('user=carol');
    const d = await v2('user=dave');
    const arrived = fake.nextRequest();
    b.send({ action: 'connection-request', to: 'alice', id: 'slow' });
    const held = await arrived; // the push service now holds bob's request
    c.send({ protocol: 'one-to-one', to: 'dave', data: 'hi' });
    expect(JSON.parse(await d.next())).toEqual({ protocol: 'one-to-one', to: 'dave', data: 'hi', from: 'carol' });
    const pushResults = () => b.pending().filter((f) => (JSON.parse(f) as Frame).action === 'push-result');
    expect(pushResults()).toEqual([]);
    held.res.writeHead(201).end();
    expect((await nextControl(b, 'push-result')).data).toEqual({ to: 'alice', ok: true, status: 201, ref: 'slow' });
    expect(problems).toEqual([]);
  });
});

describe('restart', () => {
  it('a connection request to a user who is offline after a restart still reaches the device', async () => {
    const dataDir = path.join(dataRoot, 'restart');
    await start({ dataDir });
    const alice = browser('alice');
    const a = await client('user=alice');
    a.send({ protocol: 'one-to-self', action: 'subscribe-push', subscriptionData: JSON.stringify(alice.json) });
    await a.next();
    await a.close();
    await s!.stop();

    // A new server object, as after a process restart.
    await start({ dataDir });
    expect(s!.server.status().push.subscriptions).toBe(1);
    const b = await v2('user=bob');
    const arrived = fake.nextRequest();
    b.send({ action: 'connection-request', to: 'alice', id: 1 });
    expect((await b.nextJson()).data).toEqual({ to: 'alice', ok: true, status: 201, ref: 1 });
    expect(plaintext(await arrived, alice)).toBe(payloadFrom('bob'));
  });

  it('new keys through reconfigure share the stored subscriptions and publish the new key', async () => {
    await start();
    const a = await v2('user=alice');
    a.send({ action: 'subscribe-push', subscriptionData: browser('alice').json });
    await a.nextJson();
    const newPem = generateVapidKey().pem;
    await s!.server.reconfigure({
      push: { vapidPrivateKeyPem: newPem, subject, allowHosts: [new URL(fake.origin).host] },
    });
    const key = s!.server.status().push.publicKey!;
    expect(s!.server.status().push.subscriptions).toBe(1);
    const arrived = fake.nextRequest();
    a.send({ action: 'subscribe-push', subscriptionData: browser('alice2').json });
    await a.nextJson();
    expect(s!.server.status().push.subscriptions).toBe(1);
    expect((await s!.server.sendTestPush('', 'alice')).ok).toBe(true);
    expect(verifyVapid((await arrived).headers, 'aes128gcm', key).key).toBe(key);
    expect(await fetch(s!.http('/push/public-key')).then((r) => r.text())).toBe(key);
  });
});
