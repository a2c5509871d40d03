// The hostile-client soak: the attacks of docs/security.md at once against the built CLI, while
// well-behaved pairs keep talking. Nothing is lost for them, and the server's memory stays within its
// budget (the queue's accounted bytes from /healthz, the process's RSS from /proc).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateVapidKey } from '../../main/server/push/vapid.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { connect, type TestClient } from '../support/clients.js';
import { makeBrowserSubscription } from './push/support/browser-subscription.js';
import { startFakePushService, type FakePushService } from './push/support/fake-push-service.js';

const MiB = 1024 * 1024;
const queueBudget = 8 * MiB;
const attackMs = 4000;
let cli: RunningCli;
let fake: FakePushService;
let internal: FakePushService;
let dir: string;

/** What the server sends, as far as these tests read it. */
interface ServerMessage {
  protocol?: string;
  action?: string;
  from?: string | null;
  seq?: number;
  data: { code?: string; message?: string; ref?: unknown; ok?: boolean; to?: string; status?: number | null };
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

beforeAll(async () => {
  [fake, internal] = await Promise.all([startFakePushService(), startFakePushService()]);
  dir = await mkdtemp(path.join(tmpdir(), 'rs-soak-'));
  await writeFile(path.join(dir, 'ca.pem'), fake.caPem);
  await writeFile(path.join(dir, 'vapid.pem'), generateVapidKey().pem);
  process.env.NODE_EXTRA_CA_CERTS = path.join(dir, 'ca.pem');
  cli = await startCli([
    '127.0.0.1:0',
    '--no-mdns',
    '--data-dir',
    dir,
    '--vapid-key',
    path.join(dir, 'vapid.pem'),
    '--vapid-subject',
    'mailto:ops@example.org',
    '--push-allow-hosts',
    new URL(fake.origin).host,
    '--offline-queue-bytes',
    String(queueBudget),
    '--offline-queue-sender-bytes',
    '1MiB',
    '--request-timeout',
    '2s',
    '--max-connections',
    '400',
  ]).finally(() => delete process.env.NODE_EXTRA_CA_CERTS);
});
afterAll(async () => {
  cli?.child.kill('SIGTERM');
  await cli?.exited;
  await Promise.all([fake?.close(), internal?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const url = (q: string) => `ws://127.0.0.1:${cli.port}/?${q}`;
const health = async () =>
  (await (await fetch(`http://127.0.0.1:${cli.port}/healthz`)).json()) as { queued: { bytes: number } };

/** A pair that sends `n` numbered messages each way and checks every one arrives, in order. */
async function talkingPair(i: number, n: number, dialect: 1 | 2): Promise<{ sent: number; received: number }> {
  const v = dialect === 2 ? 'v=2&' : '';
  const a = await connect(url(`${v}user=good-a${i}`));
  const b = await connect(url(`${v}user=good-b${i}`));
  if (dialect === 2) {
    await a.next();
    await b.next();
  }
  const expectFrom = async (c: TestClient, from: string) => {
    const got: number[] = [];
    while (got.length < n) {
      const m = JSON.parse(await c.next(20_000)) as ServerMessage;
      if (m.protocol === 'server') continue; // presence news
      expect(m.from ?? from).toBe(from);
      got.push(m.seq!);
    }
    return got;
  };
  const gotB = expectFrom(b, `good-a${i}`);
  const gotA = expectFrom(a, `good-b${i}`);
  for (let k = 0; k < n; k++) {
    a.send({ protocol: 'one-to-one', endpoint: `good-b${i}`, seq: k, data: 'offer'.repeat(20) });
    b.send({ protocol: 'one-to-one', endpoint: `good-a${i}`, seq: k, data: 'answer'.repeat(20) });
    // Within the rate limit, like a real client: a few messages per tick.
    if (k % 20 === 19) await new Promise((r) => setTimeout(r, 150));
  }
  const expected = Array.from({ length: n }, (_, k) => k);
  expect(await gotB).toEqual(expected);
  expect(await gotA).toEqual(expected);
  await Promise.all([a.close(), b.close()]);
  return { sent: 2 * n, received: 2 * n };
}

/** A v2 client from `address` that floods the offline queue with 60 KiB messages to ever new names. */
async function queueFlooder(address: string, until: number): Promise<{ queued: number; refused: number }> {
  const ws = new WebSocket(url(`v=2&user=flood-${address}`), { localAddress: address });
  let queued = 0;
  let refused = 0;
  ws.on('message', (d) => {
    const m = JSON.parse((d as Buffer).toString()) as ServerMessage;
    if (m.action === 'queued') queued++;
    if (m.data?.code === 'queue-full') refused++;
  });
  await new Promise((r) => ws.once('open', r));
  const big = 'x'.repeat(60 * 1024);
  let n = 0;
  while (Date.now() < until && ws.readyState === WebSocket.OPEN) {
    // 100 messages a second stays under the rate limit: the budget, not the limiter, must hold them.
    for (let k = 0; k < 15; k++)
      ws.send(`{"protocol":"one-to-one","endpoint":"ghost-${address}-${n++}","data":"${big}"}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  ws.close();
  return { queued, refused };
}

/** Cross-site upgrades, idle and slowloris sockets, invisible names, SSRF subscriptions, garbage frames. */
async function otherAttacks(
  until: number,
): Promise<{ forbidden: number; idleClosed: number; refusedPush: number; badNames: number }> {
  let forbidden = 0;
  let idleClosed = 0;
  let refusedPush = 0;
  let badNames = 0;
  const sockets: Socket[] = [];
  const closedByServer: Array<Promise<unknown>> = [];
  for (let i = 0; i < 60; i++) {
    const s = createConnection(cli.port, '127.0.0.1');
    s.on('error', () => {});
    s.on('close', () => idleClosed++);
    closedByServer.push(new Promise((r) => s.once('close', r)));
    if (i % 2) s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    sockets.push(s);
  }
  const drip = setInterval(() => sockets.forEach((s, i) => i % 2 && s.writable && s.write('X: y\r\n')), 200);
  const ssrf = await connect(url('v=2&user=mallory'));
  await ssrf.next();
  // At least three rounds, however slow the machine is.
  for (let round = 0; round < 3 || Date.now() < until; round++) {
    await connect(url('user=csrf'), { headers: { Origin: 'https://evil.example' } }).then(
      (c) => c.close(),
      (e: { status?: number }) => e.status === 403 && forbidden++,
    );
    const named = await connect(url(`user=${encodeURIComponent('ali\u200Bce')}`));
    if ((await named.next()) === 'Invalid username') badNames++;
    named.send('{"__proto__":{"protocol":"one-to-all"}}');
    named.send('[[[[[[[[[[');
    await named.close();
    ssrf.send({ action: 'subscribe-push', subscriptionData: makeBrowserSubscription(`${internal.origin}/admin`).json });
    for (;;) {
      const m = JSON.parse(await ssrf.next()) as ServerMessage;
      if (m.action === 'error') {
        if (m.data.code === 'push-refused') refusedPush++;
        break;
      }
    }
    for (let k = 0; k < 20; k++) ssrf.send({ action: 'connection-request', to: `victim-${k}` });
    await new Promise((r) => setTimeout(r, 50));
  }
  clearInterval(drip);
  await ssrf.close();
  // Nobody closes them here: the server must, at its request timeout.
  await Promise.all(closedByServer);
  return { forbidden, idleClosed, refusedPush, badNames };
}

describe('hostile-client soak against the built CLI', () => {
  it('keeps well-behaved pairs talking, loses nothing for them, and stays within its memory budget', async () => {
    const baseline = rssOf(cli.child.pid!);
    const until = Date.now() + attackMs;
    let peakRss = baseline;
    let peakQueued = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssOf(cli.child.pid!));
      void health().then(
        (h) => (peakQueued = Math.max(peakQueued, h.queued.bytes)),
        () => {},
      );
    }, 100);
    const [floods, others, pairs] = await Promise.all([
      // Twelve machines at 1 MiB each ask for more than the 8 MiB in all.
      Promise.all(Array.from({ length: 12 }, (_, i) => queueFlooder(`127.0.0.${i + 2}`, until))),
      otherAttacks(until),
      Promise.all([0, 1, 2, 3].map((i) => talkingPair(i, 200, i % 2 === 0 ? 2 : 1))),
    ]);
    clearInterval(sampler);
    const report = {
      baselineMiB: baseline / MiB,
      peakRssMiB: peakRss / MiB,
      peakQueuedMiB: peakQueued / MiB,
      floods,
      others,
    };
    console.log(`soak: ${JSON.stringify(report)}`);

    for (const p of pairs) expect(p).toEqual({ sent: 400, received: 400 });
    // Each flooder's address budget filled, then it was refused, never silently.
    // No address got more than its 1 MiB held; together they asked for more than the budget and were refused.
    for (const f of floods) expect(f.queued).toBeLessThanOrEqual(Math.ceil(MiB / (60 * 1024)));
    expect(floods.reduce((n, f) => n + f.refused, 0)).toBeGreaterThan(0);
    expect(peakQueued).toBeLessThanOrEqual(queueBudget);
    // The queue holds at most its budget; the rest of the growth is buffers of the frames in flight and
    // garbage V8 has not collected yet (seen 30-62 MiB). Without the budget the same attack grew by 394 MiB.
    expect(peakRss - baseline).toBeLessThan(queueBudget + 96 * MiB);
    expect(others.forbidden).toBeGreaterThan(0);
    expect(others.badNames).toBeGreaterThan(0);
    expect(others.refusedPush).toBeGreaterThan(0);
    expect(others.idleClosed).toBe(60);
    expect(internal.received).toEqual([]);
    const h = (await (await fetch(`http://127.0.0.1:${cli.port}/healthz`)).json()) as { status: string };
    expect(h.status).toBe('ok');
  }, 60_000);
});
