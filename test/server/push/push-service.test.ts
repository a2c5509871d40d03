// The push service against a real HTTPS push service on 127.0.0.1: what arrives is decrypted with the
// test's own RFC 8291 / aesgcm code and the VAPID JWT is verified against the published key.
import https from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPushService, type LocalPushService } from '../../../main/server/push/push-service.js';
import { generateVapidKey } from '../../../main/server/push/vapid.js';
import type { ServerProblem } from '../../../main/server/surface.js';
import { makeBrowserSubscription } from './support/browser-subscription.js';
import { decryptAes128gcm, decryptAesgcm, headerParam } from './support/ece.js';
import { startFakePushService, type FakePushService } from './support/fake-push-service.js';
import { verifyVapid } from './support/vapid-jwt.js';

const subject = 'mailto:ops@example.org';
const vapidPem = generateVapidKey().pem;
// Written out by hand (not built by the code under test): the original rustysignal's payload.
const expectedPayload = (sender: string) =>
  `{"body":${JSON.stringify(`${sender}\nwants to connect with you`)},"sender":${JSON.stringify(sender)},"actions":[{"action":"allowConnection","title":"\u2714\uFE0F Allow"},{"action":"denyConnection","title":"\u2716\uFE0F Deny"}]}`;

let fake: FakePushService;
const services: LocalPushService[] = [];

beforeAll(async () => {
  fake = await startFakePushService();
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  fake.respond = () => ({ status: 201 });
});

function service(
  opts: {
    encoding?: 'aes128gcm' | 'aesgcm';
    timeoutMs?: number;
    now?: () => number;
    problems?: ServerProblem[];
    allowHosts?: string[];
  } = {},
) {
  const s = createPushService(
    {
      vapidPrivateKeyPem: vapidPem,
      subject,
      encoding: opts.encoding ?? 'aes128gcm',
      timeoutMs: opts.timeoutMs ?? 5000,
      allowHosts: opts.allowHosts ?? [new URL(fake.origin).host],
      dataDir: null,
    },
    { agent: fake.agent, ...(opts.now ? { now: opts.now } : {}), onProblem: (p) => opts.problems?.push(p) },
  );
  services.push(s);
  return s;
}

function expectValidVapid(
  headers: Parameters<typeof verifyVapid>[0],
  encoding: 'aes128gcm' | 'aesgcm',
  publicKey: string,
) {
  const v = verifyVapid(headers, encoding, publicKey);
  const nowS = Date.now() / 1000;
  expect(v.header).toEqual({ typ: 'JWT', alg: 'ES256' });
  expect(v.key).toBe(publicKey);
  expect(v.claims.aud).toBe(fake.origin);
  expect(v.claims.sub).toBe(subject);
  expect(v.claims.exp).toBeGreaterThan(nowS);
  expect(v.claims.exp).toBeLessThanOrEqual(nowS + 24 * 3600);
}

describe('connection requests', () => {
  it('aes128gcm: sends the original payload, TTL 3600, signed with the published key', async () => {
    const s = service();
    const sub = makeBrowserSubscription(`${fake.origin}/push/alice`);
    expect(s.subscribe('', 'alice', sub.json)).toEqual({ ok: true });
    const arrived = fake.nextRequest();
    expect(await s.connectionRequest('', 'bob', 'alice')).toEqual({ ok: true, status: 201, message: null });
    const r = await arrived;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/push/alice');
    expect(r.headers['content-encoding']).toBe('aes128gcm');
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers.ttl).toBe('3600');
    expect(decryptAes128gcm(r.body, sub.ecdh, sub.authSecret).toString('utf8')).toBe(expectedPayload('bob'));
    expectValidVapid(r.headers, 'aes128gcm', s.publicKey);
  });

  it('aesgcm: legacy encoding for a subscription given as JSON text, sender with quotes and non-ASCII', async () => {
    const s = service({ encoding: 'aesgcm' });
    const sub = makeBrowserSubscription(`${fake.origin}/push/zoe`);
    expect(s.subscribe('room-1', 'zoë', JSON.stringify(sub.json))).toEqual({ ok: true });
    const arrived = fake.nextRequest();
    const sender = 'Zoë "Z" \\ 🦀';
    expect(await s.connectionRequest('room-1', sender, 'zoë')).toEqual({ ok: true, status: 201, message: null });
    const r = await arrived;
    expect(r.headers['content-encoding']).toBe('aesgcm');
    expect(r.headers.ttl).toBe('3600');
    const plain = decryptAesgcm(
      r.body,
      sub.ecdh,
      sub.authSecret,
      headerParam(r.headers['crypto-key'], 'dh'),
      headerParam(r.headers.encryption, 'salt'),
    );
    expect(plain.toString('utf8')).toBe(expectedPayload(sender));
    expect((JSON.parse(plain.toString('utf8')) as { body: unknown }).body).toBe(`${sender}\nwants to connect with you`);
    expectValidVapid(r.headers, 'aesgcm', s.publicKey);
  });

  it('a user without a subscription (or in another room) gets nothing sent', async () => {
    const s = service();
    s.subscribe('a', 'carol', makeBrowserSubscription(`${fake.origin}/push/carol`).json);
    const before = fake.received.length;
    expect(await s.connectionRequest('', 'bob', 'nobody')).toEqual({
      ok: false,
      status: null,
      message: '"nobody" has no push subscription',
    });
    expect(await s.connectionRequest('b', 'bob', 'carol')).toEqual({
      ok: false,
      status: null,
      message: '"carol" has no push subscription',
    });
    expect(fake.received.length).toBe(before);
  });

  it.each([404, 410])('%i from the push service deletes the subscription', async (status) => {
    const problems: ServerProblem[] = [];
    const s = service({ problems });
    fake.respond = () => ({ status });
    s.subscribe('', 'gone', makeBrowserSubscription(`${fake.origin}/push/gone`).json);
    s.subscribe('', 'stays', makeBrowserSubscription(`${fake.origin}/push/stays`).json);
    expect(await s.connectionRequest('', 'bob', 'gone')).toEqual({
      ok: false,
      status,
      message: `the push subscription of "gone" has expired (${status}) and was deleted; "gone" must subscribe again`,
    });
    expect(s.isSubscribed('', 'gone')).toBe(false);
    expect(s.isSubscribed('', 'stays')).toBe(true);
    expect(s.subscriptionCount()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('a 410 for a subscription replaced while the request was in flight keeps the new one', async () => {
    const s = service();
    fake.respond = () => 'hold';
    s.subscribe('', 'dave', makeBrowserSubscription(`${fake.origin}/push/dave-old`).json);
    const arrived = fake.nextRequest();
    const result = s.connectionRequest('', 'bob', 'dave');
    const held = await arrived;
    s.subscribe('', 'dave', makeBrowserSubscription(`${fake.origin}/push/dave-new`).json);
    held.res.writeHead(410).end();
    expect(await result).toEqual({
      ok: false,
      status: 410,
      message: 'the push subscription of "dave" had expired (410); "dave" has subscribed again since',
    });
    expect(s.isSubscribed('', 'dave')).toBe(true);
    fake.respond = () => ({ status: 201 });
    const next = fake.nextRequest();
    expect((await s.connectionRequest('', 'bob', 'dave')).ok).toBe(true);
    expect((await next).path).toBe('/push/dave-new');
  });

  it('401/403 say the subscription probably belongs to another VAPID key', async () => {
    const problems: ServerProblem[] = [];
    const s = service({ problems });
    fake.respond = () => ({ status: 403 });
    s.subscribe('', 'erin', makeBrowserSubscription(`${fake.origin}/push/erin`).json);
    const message =
      'the push service refused the message to "erin" (403 Forbidden): the subscription was probably made with another VAPID key, so "erin" must subscribe again';
    expect(await s.connectionRequest('', 'bob', 'erin')).toEqual({ ok: false, status: 403, message });
    expect(problems).toEqual([{ code: 'push-failed', message }]);
    expect(s.isSubscribed('', 'erin')).toBe(true);
  });
});

describe('Retry-After', () => {
  it('429 with a delay in seconds: nothing is sent to that push service before the delay is over', async () => {
    let t = Date.parse('2026-11-26T12:00:00.000Z');
    const problems: ServerProblem[] = [];
    const s = service({ now: () => t, problems });
    s.subscribe('', 'fay', makeBrowserSubscription(`${fake.origin}/push/fay`).json);
    s.subscribe('', 'gus', makeBrowserSubscription(`${fake.origin}/push/gus`).json);
    fake.respond = () => ({ status: 429, headers: { 'Retry-After': '120' } });
    const first = fake.received.length;
    const refused = `the push service refused the message to "fay" (429 Too Many Requests); nothing is sent to this push service before 2026-11-26T12:02:00.000Z (Retry-After)`;
    expect(await s.connectionRequest('', 'bob', 'fay')).toEqual({ ok: false, status: 429, message: refused });
    expect(problems).toEqual([{ code: 'push-failed', message: refused }]);
    expect(fake.received.length).toBe(first + 1);

    fake.respond = () => ({ status: 201 });
    const wait = `not sent: the push service ${fake.origin} asked not to be contacted before 2026-11-26T12:02:00.000Z (Retry-After)`;
    t += 119_999;
    // The same push service, for another user too (Retry-After speaks for the service).
    expect(await s.connectionRequest('', 'bob', 'fay')).toEqual({ ok: false, status: null, message: wait });
    expect(await s.connectionRequest('', 'bob', 'gus')).toEqual({ ok: false, status: null, message: wait });
    expect(fake.received.length).toBe(first + 1);

    t += 1;
    expect(await s.connectionRequest('', 'bob', 'fay')).toEqual({ ok: true, status: 201, message: null });
    expect(fake.received.length).toBe(first + 2);
  });

  it('503 with an HTTP-date is honoured to the second; 500 without Retry-After blocks nothing', async () => {
    let t = Date.parse('2026-11-26T12:00:00.400Z');
    const s = service({ now: () => t });
    s.subscribe('', 'hal', makeBrowserSubscription(`${fake.origin}/push/hal`).json);
    fake.respond = () => ({ status: 503, headers: { 'Retry-After': 'Thu, 26 Nov 2026 12:00:30 GMT' } });
    expect(await s.connectionRequest('', 'bob', 'hal')).toEqual({
      ok: false,
      status: 503,
      message:
        'the push service refused the message to "hal" (503 Service Unavailable); nothing is sent to this push service before 2026-11-26T12:00:30.000Z (Retry-After)',
    });
    fake.respond = () => ({ status: 500 });
    t = Date.parse('2026-11-26T12:00:29.999Z');
    expect((await s.connectionRequest('', 'bob', 'hal')).status).toBe(null);
    t = Date.parse('2026-11-26T12:00:30.000Z');
    const before = fake.received.length;
    expect(await s.connectionRequest('', 'bob', 'hal')).toEqual({
      ok: false,
      status: 500,
      message: 'the push service refused the message to "hal" (500 Internal Server Error)',
    });
    expect(await s.connectionRequest('', 'bob', 'hal')).toMatchObject({ ok: false, status: 500 });
    expect(fake.received.length).toBe(before + 2);
  });
});

describe('a slow push service', () => {
  function roundTrip(): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request(`${fake.origin}/other-work`, { method: 'POST', agent: fake.agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('is bounded by the timeout, and other sockets and timers are served meanwhile', async () => {
    const s = service({ timeoutMs: 400 });
    s.subscribe('', 'ivy', makeBrowserSubscription(`${fake.origin}/push/ivy`).json);
    fake.respond = (r) => (r.path === '/push/ivy' ? 'hold' : { status: 201 });
    const arrived = fake.nextRequest();
    const started = performance.now();
    let pushDone = false;
    const result = s.connectionRequest('', 'bob', 'ivy').finally(() => {
      pushDone = true;
    });
    await arrived;
    // While the push hangs: a full HTTPS exchange and a timer both complete.
    expect(await roundTrip()).toBe(201);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    expect(pushDone).toBe(false);
    expect(await result).toEqual({
      ok: false,
      status: null,
      message: 'push to "ivy" refused: the push service could not be used',
    });
    // Not before its time (a hung request is cut by the timeout, not by something else).
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('an answer that trickles in forever is cut at the timeout too', async () => {
    const s = service({ timeoutMs: 300 });
    s.subscribe('', 'jo', makeBrowserSubscription(`${fake.origin}/push/jo`).json);
    fake.respond = () => 'hold';
    const arrived = fake.nextRequest();
    const started = performance.now();
    const result = s.connectionRequest('', 'bob', 'jo');
    const held = await arrived;
    held.res.writeHead(201, { 'Content-Type': 'text/plain' });
    const drip = setInterval(() => held.res.write('.'), 50);
    try {
      expect(await result).toEqual({
        ok: false,
        status: null,
        message: 'push to "jo" refused: the push service could not be used',
      });
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      clearInterval(drip);
      held.res.destroy();
    }
  });

  it('requests run side by side, not one after another', async () => {
    const s = service({ timeoutMs: 60_000 });
    fake.respond = () => 'hold';
    const names = Array.from({ length: 8 }, (_, i) => `k${i}`);
    for (const n of names) s.subscribe('', n, makeBrowserSubscription(`${fake.origin}/push/${n}`).json);
    let settled = 0;
    const results = Promise.all(names.map((n) => s.connectionRequest('', 'bob', n).finally(() => settled++)));
    // Serially, the second request would only leave once the first was answered: all eight are held
    // open by the push service at the same time, none answered yet.
    const held = [];
    while (held.length < names.length) held.push(await fake.nextRequest());
    expect(settled).toBe(0);
    expect(new Set(held.map((r) => r.path))).toEqual(new Set(names.map((n) => `/push/${n}`)));
    for (const r of held) r.res.writeHead(201).end();
    expect((await results).every((r) => r.ok && r.status === 201)).toBe(true);
  });

  it('an unreachable push service is reported (details to the operator only), not thrown', async () => {
    const problems: ServerProblem[] = [];
    const s = service({ timeoutMs: 2000, allowHosts: ['127.0.0.1'], problems });
    // A port nobody listens on: take one from a server that is closed again.
    const probe = https.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    s.subscribe('', 'kim', makeBrowserSubscription(`https://127.0.0.1:${port}/push/kim`).json);
    const r = await s.connectionRequest('', 'bob', 'kim');
    expect(r).toEqual({
      ok: false,
      status: null,
      message: 'push to "kim" refused: the push service could not be used',
    });
    expect(problems).toEqual([
      {
        code: 'push-failed',
        message: `push to "kim" (https://127.0.0.1:${port}) failed: could not reach the push service: connect ECONNREFUSED 127.0.0.1:${port}`,
      },
    ]);
  });

  it('close() waits for sends in flight, and later requests are refused', async () => {
    const s = service({ timeoutMs: 300 });
    s.subscribe('', 'lu', makeBrowserSubscription(`${fake.origin}/push/lu`).json);
    fake.respond = () => 'hold';
    const arrived = fake.nextRequest();
    let settled = false;
    void s.connectionRequest('', 'bob', 'lu').then(() => {
      settled = true;
    });
    await arrived;
    await s.close();
    expect(settled).toBe(true);
    expect(await s.connectionRequest('', 'bob', 'lu')).toEqual({
      ok: false,
      status: null,
      message: 'push is shutting down',
    });
  });
});
