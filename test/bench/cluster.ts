// `npm run bench:cluster`: one-to-one between clients on different cluster nodes vs on one node.
// 1. Latency and CPU at a fixed rate (default 2,000 msg/s): senders and receivers on the same node, then
//    on different nodes, of one two-node cluster (real redis-server, CLI nodes as child processes). Server
//    CPU per message is the CPU of both nodes together (Redis reported apart), from /proc.
// 2. Throughput: as many one-to-one messages as the nodes carry (closed loop, a window per pair) on one
//    plain node, then with the pairs split over two clustered nodes (each pair within one node).
// Clients run in this process (latency is measured on one clock); results are printed as markdown.
import os from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startRedis, type TestRedis } from '../support/redis.js';
import { cpuMicros, machineBusyMicros } from './proc-stats.js';
import { freePort, sleep, spawnNode, stop, waitForPort, type BenchProcess } from './processes.js';
import { repoRoot } from './servers.js';
import { percentile } from './stats.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const rate = arg('rate', 2000);
const seconds = arg('seconds', 10);
const pairs = arg('pairs', 20);
const repeats = arg('repeats', 3);
const window = arg('window', 16);
const cli = join(repoRoot, 'dist/main/cli.js');

interface Node {
  proc: BenchProcess;
  port: number;
}

async function startNode(id: string, redis: TestRedis | null): Promise<Node> {
  const port = await freePort();
  const args = [cli, `127.0.0.1:${port}`, '--rate-limit', '0', '--max-connections', '0', '--no-mdns'];
  args.push('--no-web-client', '--log-level', 'warn');
  if (redis) args.push('--redis', redis.url, '--node-id', id);
  const proc = spawnNode(id, { args, openFiles: 4096 });
  await waitForPort(port, proc);
  return { proc, port };
}

function open(port: number, query: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?${query}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

interface Pair {
  tx: WebSocket;
  rx: WebSocket;
  to: string;
}

/** `n` pairs; senders on `txPort`, receivers on `rxPort`; resolves once every receiver is reachable. */
async function makePairs(n: number, txPort: (i: number) => number, rxPort: (i: number) => number, tag: string) {
  const out: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const to = `${tag}r${i}`;
    const rx = await open(rxPort(i), `user=${to}`);
    const tx = await open(txPort(i), `user=${tag}s${i}`);
    out.push({ tx, rx, to });
  }
  // Presence travels to the other node asynchronously: probe until a message gets through.
  for (const p of out) {
    for (;;) {
      const got = new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 200);
        p.rx.once('message', () => (clearTimeout(t), resolve(true)));
        p.tx.once('message', () => (clearTimeout(t), resolve(false)));
      });
      p.tx.send(JSON.stringify({ protocol: 'one-to-one', endpoint: p.to, probe: true }));
      if (await got) break;
    }
  }
  return out;
}

const pad = 'x'.repeat(60);

/** Open loop at `rate` msg/s over all pairs for `seconds`; latency per message, CPU of `pids`. */
async function fixedRate(list: Pair[], pids: number[], redisPid: number | null) {
  const lat: number[] = [];
  let sent = 0;
  // What a sender hears back instead of a delivery (v1: "Could not find a node ..." while the target's
  // node seems unreachable): counted, so a loss is never silent.
  let refused = 0;
  for (const p of list) p.tx.on('message', () => refused++);
  for (const p of list)
    p.rx.on('message', (d) => {
      const t = Number(/"t":(\d+)/.exec((d as Buffer).toString())?.[1]);
      if (t) lat.push(Number(process.hrtime.bigint() - BigInt(t)) / 1e6);
    });
  const cpu0 = pids.map(cpuMicros);
  const r0 = redisPid ? cpuMicros(redisPid) : 0;
  const busy0 = machineBusyMicros();
  const start = performance.now();
  let i = 0;
  // Every 5 ms, send what is due by now: a late timer catches up instead of lowering the rate.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), seconds * rate);
      while (sent < due) {
        const p = list[i++ % list.length]!;
        p.tx.send(`{"protocol":"one-to-one","endpoint":"${p.to}","t":${process.hrtime.bigint()},"pad":"${pad}"}`);
        sent++;
      }
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  // Let the last ones arrive (a loaded machine may be seconds behind), at most 20 s.
  for (let waited = 0; lat.length + refused < sent && waited < 20_000; waited += 50) await sleep(50);
  const wallMs = performance.now() - start;
  const cpuUs = pids.map(cpuMicros).reduce((a, b, k) => a + b - cpu0[k]!, 0);
  const redisUs = redisPid ? cpuMicros(redisPid) - r0 : 0;
  const machineUs = machineBusyMicros() - busy0;
  for (const p of list) p.rx.removeAllListeners('message');
  for (const p of list) p.tx.removeAllListeners('message');
  lat.sort((a, b) => a - b);
  return {
    sent,
    received: lat.length,
    refused,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    cpuUsPerMsg: cpuUs / sent,
    redisUsPerMsg: redisUs / sent,
    /** Busy CPU of the whole machine, in % of all its cores. */
    machineBusyPct: (machineUs / (wallMs * 1000 * os.cpus().length)) * 100,
  };
}

/** Closed loop: each pair keeps `window` messages in flight for `seconds`; delivered messages per second. */
async function throughput(list: Pair[]): Promise<number> {
  let received = 0;
  let running = true;
  const frame = (to: string) => `{"protocol":"one-to-one","endpoint":"${to}","pad":"${pad}"}`;
  for (const p of list)
    p.rx.on('message', () => {
      received++;
      if (running) p.tx.send(frame(p.to));
    });
  for (const p of list) for (let k = 0; k < window; k++) p.tx.send(frame(p.to));
  await sleep(1000); // warm up
  const r0 = received;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const n = received - r0;
  const dt = (performance.now() - t0) / 1000;
  running = false;
  await sleep(300);
  for (const p of list) p.rx.removeAllListeners('message');
  return n / dt;
}

function closeAll(list: Pair[]): void {
  for (const p of list) {
    p.tx.terminate();
    p.rx.terminate();
  }
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  console.log(
    `cluster bench: ${rate} msg/s for ${seconds} s over ${pairs} pairs, ${repeats} repeats; ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average at start ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  const redis = await startRedis();
  const rows: string[] = [];
  const tput: Array<{ one: number; two: number }> = [];
  try {
    for (let r = 1; r <= repeats; r++) {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      const pids = [a.proc.pid, b.proc.pid];
      for (const kind of r % 2 ? ['same-node', 'cross-node'] : ['cross-node', 'same-node']) {
        const cross = kind === 'cross-node';
        const list = await makePairs(
          pairs,
          () => a.port,
          () => (cross ? b.port : a.port),
          `${kind[0]}${r}`,
        );
        const m = await fixedRate(list, pids, redis.pid());
        closeAll(list);
        rows.push(
          `| ${r} | ${kind} | ${m.sent} | ${m.received} | ${m.refused} | ${fmt(m.p50, 2)} | ${fmt(m.p99, 2)} | ${fmt(m.cpuUsPerMsg)} | ${fmt(m.redisUsPerMsg)} | ${fmt(m.machineBusyPct, 0)} |`,
        );
        console.log(rows.at(-1));
      }
      // Throughput: the same pairs on one plain node, then split over the two clustered nodes.
      const single = await startNode('single', null);
      const one = await makePairs(
        pairs,
        () => single.port,
        () => single.port,
        `o${r}`,
      );
      const oneRate = await throughput(one);
      closeAll(one);
      await stop(single.proc);
      const two = await makePairs(
        pairs,
        (i) => (i % 2 ? b.port : a.port),
        (i) => (i % 2 ? b.port : a.port),
        `t${r}`,
      );
      const twoRate = await throughput(two);
      closeAll(two);
      tput.push({ one: oneRate, two: twoRate });
      console.log(`throughput repeat ${r}: one node ${fmt(oneRate, 0)} msg/s, two nodes ${fmt(twoRate, 0)} msg/s`);
      await stop(a.proc);
      await stop(b.proc);
    }
  } finally {
    await redis.stop();
  }
  console.log(
    `\nload average at end ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(
    '| repeat | clients | sent | received | refused | p50 ms | p99 ms | nodes CPU µs/msg | Redis CPU µs/msg | machine busy % |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\n| repeat | one node msg/s | two nodes msg/s | ratio |');
  console.log('|---|---|---|---|');
  tput.forEach((t, i) => console.log(`| ${i + 1} | ${fmt(t.one, 0)} | ${fmt(t.two, 0)} | ${fmt(t.two / t.one, 2)} |`));
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
