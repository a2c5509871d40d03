// Findings 3 to 6 and 10: push used against the network (SSRF, port scans), outbound requests without
// bound, a hijacked subscription, and the throttle's cleanup cost.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeyedThrottle } from '../../../main/server/limits.js';
import { pushServiceFactory } from '../../../main/server/push/factory.js';
import { generateVapidKey } from '../../../main/server/push/vapid.js';
import type { ServerProblem } from '../../../main/server/surface.js';
import type { TestClient } from '../../support/clients.js';
import { startServer, type Running } from '../../support/server.js';
import { makeBrowserSubscription } from '../push/support/browser-subscription.js';
import { startFakePushService, type FakePushService } from '../push/support/fake-push-service.js';
import { connectV2, nextControl } from './support.js';

const vapidPem = generateVapidKey().pem;
let fake: FakePushService;
/** Another HTTPS service on this machine that push must never reach (an "internal admin page"). */
let internal: FakePushService;
let s: Running | null = null;
const open: TestClient[] = [];
const problems: ServerProblem[] = [];

beforeAll(async () => {
  [fake, internal] = await Promise.all([startFakePushService(), startFakePushService()]);
});
afterAll(async () => {
  await Promise.all([fake.close(), internal.close()]);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await s?.stop();
  s = null;
  fake.respond = () => ({ status: 201 });
  problems.length = 0;
});

async function start(push: Record<string, unknown> = {}): Promise<Running> {
  s = await startServer(
    {
      push: {
        vapidPrivateKeyPem: vapidPem,
        subject: 'mailto:ops@example.org',
        allowHosts: [new URL(fake.origin).host],
        ...push,
      },
      rateLimit: { perSecond: 0 },
    },
    // The agent trusts the test CA of both services; only the endpoint guard keeps push off `internal`.
    { pushFactory: pushServiceFactory({ agent: fake.agent }) },
  );
  s.server.events.on('warning', (p) => problems.push(p));
  return s;
}
const v2 = (query: string) => connectV2(s!.url(`v=2&${query}`), open);
const sub = (endpoint: string) => makeBrowserSubscription(endpoint).json;

describe('push endpoints (SSRF)', () => {
  it('refuses endpoints on the LAN, this machine, other ports or plain http, before sending anything', async () => {
    await start();
    const m = await v2('user=mallory');
    const endpoints = [
      `${internal.origin}/internal/admin`,
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://push.example.org:8443/x',
    ];
    for (const endpoint of endpoints) {
      m.send({ action: 'subscribe-push', subscriptionData: sub(endpoint), id: endpoint });
      const r = await nextControl(m);
      expect([endpoint, r.data.code]).toEqual([endpoint, 'push-refused']);
    }
    m.send({ action: 'subscribe-push', subscriptionData: sub('http://push.example.org/x') });
    expect((await nextControl(m)).data.code).toBe('invalid-subscription');
    expect(internal.received).toEqual([]);
  });

  it('checks what a name resolves to when connecting, and tells the requester only "refused"', async () => {
    await start();
    const m = await v2('user=mallory');
    // A name (not an IP) on port 443 passes the first check; it resolves to loopback when connecting.
    m.send({ action: 'subscribe-push', subscriptionData: sub('https://localhost/scan') });
    expect((await nextControl(m)).action).toBe('push-subscribed');
    const other = await v2('user=eve');
    other.send({ action: 'connection-request', to: 'mallory', id: 1 });
    const r = await nextControl(other);
    expect(r.data).toEqual({
      to: 'mallory',
      ok: false,
      status: null,
      ref: 1,
      message: 'push to "mallory" refused: its subscription does not point to a push service this server sends to',
    });
    expect(JSON.stringify(r)).not.toMatch(/ECONN|127\.0\.0\.1|::1/);
    // The operator sees why, once.
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), which is not a public address/);
  });

  it('follows no redirect and reads no more of an answer than maxResponseBytes', async () => {
    await start({ maxResponseBytes: 16 * 1024 });
    const a = await v2('user=alice');
    a.send({ action: 'subscribe-push', subscriptionData: sub(`${fake.origin}/push/alice`) });
    await nextControl(a);
    fake.respond = () => ({ status: 307, headers: { Location: `${internal.origin}/internal/admin` } });
    expect(await s!.server.sendTestPush('', 'alice')).toMatchObject({ ok: false, status: 307 });
    expect(internal.received).toEqual([]);
    fake.respond = () => ({ status: 201, body: 'x'.repeat(200 * 1024) });
    expect(await s!.server.sendTestPush('', 'alice')).toEqual({
      ok: false,
      status: null,
      message: 'push to "alice" refused: the push service could not be used',
    });
    expect(problems.at(-1)!.message).toMatch(/answer was longer than 16384 bytes/);
  });
});

describe('outbound push requests are bounded', () => {
  it('per connection and server-wide; refused requests get an immediate push-result', async () => {
    await start({ maxInFlight: 3, maxInFlightPerConnection: 2 });
    fake.respond = () => 'hold';
    const targets = ['t0', 't1', 't2', 't3', 't4'];
    for (const t of targets) {
      const c = await v2(`user=${t}`);
      c.send({ action: 'subscribe-push', subscriptionData: sub(`${fake.origin}/push/${t}`) });
      expect((await nextControl(c)).action).toBe('push-subscribed');
    }
    const before = fake.received.length;
    const a = await v2('user=attacker');
    const b = await v2('user=bystander');
    for (const t of targets) a.send({ action: 'connection-request', to: t, id: t });
    const refusedA = [];
    for (let i = 0; i < 3; i++) refusedA.push((await nextControl(a)).data);
    expect(refusedA.map((d) => d.ref)).toEqual(['t2', 't3', 't4']);
    expect(refusedA[0]!.message).toBe(
      'push to "t2" refused: 2 of your push requests are still on their way; wait for their results',
    );
    b.send({ action: 'connection-request', to: 't0', id: 'b0' });
    b.send({ action: 'connection-request', to: 't1', id: 'b1' });
    const refusedB = (await nextControl(b)).data;
    expect(refusedB.ref).toBe('b1');
    expect(refusedB.message).toMatch(/the server is sending as many push messages as it may/);
    const held = [await fake.nextRequest(), await fake.nextRequest(), await fake.nextRequest()];
    expect(fake.received.length - before).toBe(3);
    for (const r of held) r.res.writeHead(201).end();
    expect((await nextControl(a)).data.ok).toBe(true);
    expect((await nextControl(a)).data.ok).toBe(true);
    expect((await nextControl(b)).data.ok).toBe(true);
  });

  it('the throttle forgets expired keys from the oldest end, never walking all of them per request', () => {
    let visited = 0;
    class CountingMap extends Map<string, number> {
      override [Symbol.iterator](): MapIterator<[string, number]> {
        const it = super[Symbol.iterator]();
        return Object.assign(Object.create(it) as MapIterator<[string, number]>, {
          next: () => (visited++, it.next()),
        });
      }
      override entries(): MapIterator<[string, number]> {
        return this[Symbol.iterator]();
      }
    }
    const t = new KeyedThrottle(5000, 100_000, new CountingMap());
    for (let i = 0; i < 20_000; i++) t.allow(`k${i}`, 1000 + i / 10);
    visited = 0;
    for (let i = 0; i < 1000; i++) t.allow(`new${i}`, 3000);
    expect(visited).toBeLessThan(3000);
    // Expired keys do go, oldest first.
    t.allow('later', 1000 + 20_000 / 10 + 5000);
    expect(t.size).toBeLessThan(1100);
    expect(t.allow('k19999', 99_999)).toBe(true);
  });
});

describe('push subscription of an offline user', () => {
  it('cannot be replaced or removed by someone who registers the name later', async () => {
    await start();
    const alice = await v2('user=alice');
    alice.send({ action: 'subscribe-push', subscriptionData: sub(`${fake.origin}/push/alice`) });
    expect((await nextControl(alice)).action).toBe('push-subscribed');
    await alice.close();
    const mallory = await v2('user=alice');
    mallory.send({ action: 'subscribe-push', subscriptionData: sub(`${fake.origin}/push/mallory`), id: 1 });
    expect((await nextControl(mallory)).data).toMatchObject({ code: 'push-refused', ref: 1 });
    mallory.send({ action: 'unsubscribe-push', id: 2 });
    expect((await nextControl(mallory)).data).toMatchObject({ code: 'push-refused', ref: 2 });
    await mallory.close();
    const arrived = fake.nextRequest();
    expect((await s!.server.sendTestPush('', 'alice')).ok).toBe(true);
    expect((await arrived).path).toBe('/push/alice');

    // The real alice, back on the same device (same endpoint), may renew and remove it.
    const back = await v2('user=alice');
    back.send({
      action: 'subscribe-push',
      subscriptionData: sub(`${fake.origin}/push/alice`),
      pushSecret: 'alice-secret-0123456789',
    });
    expect((await nextControl(back)).action).toBe('push-subscribed');
    await back.close();
    // From a new device, the pushSecret she set proves it is her.
    const phone = await v2('user=alice');
    phone.send({
      action: 'subscribe-push',
      subscriptionData: sub(`${fake.origin}/push/alice-phone`),
      pushSecret: 'alice-secret-0123456789',
    });
    expect((await nextControl(phone)).action).toBe('push-subscribed');
    phone.send({ action: 'unsubscribe-push' });
    expect((await nextControl(phone)).action).toBe('push-unsubscribed');
  });
});
