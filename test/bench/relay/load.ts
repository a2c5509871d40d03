// Relay load generator (runs inside the bench's network namespace): N allocations on the TURN server,
// each with a channel to its own UDP sink; each sends `rate` ChannelData packets/s of `size` bytes for
// warmup + measured time. Prints one JSON line: sent, received, one-way latency percentiles, and the
// measured window's start and end (so the caller reads the server's CPU over exactly that window).
import { createSocket, type Socket } from 'node:dgram';
import { mintTurnCredentials } from '../../../main/server/relay/credentials.js';
import { TurnTestClient } from '../../support/turn-client.js';

interface LoadConfig {
  server: string;
  port: number;
  clientAddress: string;
  peerAddress: string;
  secret: string;
  allocations: number;
  rate: number;
  size: number;
  warmupMs: number;
  measureMs: number;
}

const cfg = JSON.parse(process.argv[2]!) as LoadConfig;
const TICK_MS = 10;

async function setup(i: number): Promise<{ c: TurnTestClient; sink: Socket }> {
  const sink = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  // A fixed port below the kernel's ephemeral range: an ephemeral one can fall inside the relay range, and
  // a peer on the server's own host at a relay port is refused (as it must be).
  await new Promise<void>((r) => sink.bind(20_000 + i, cfg.peerAddress, r));
  const c = await TurnTestClient.udp({ address: cfg.server, port: cfg.port }, cfg.clientAddress);
  const cred = mintTurnCredentials(cfg.secret, `bench${i}`, 3600, Date.now());
  const a = await c.allocate(cred.username, cred.credential);
  if (a.code !== 0) throw new Error(`allocate ${i}: ${a.code} ${a.reason}`);
  const b = await c.channelBind(0x4000 + i, { family: 4, address: cfg.peerAddress, port: sink.address().port });
  if (b.code !== 0) throw new Error(`channel bind ${i}: ${b.code} ${b.reason}`);
  return { c, sink };
}

const pairs: { c: TurnTestClient; sink: Socket }[] = [];
for (let i = 0; i < cfg.allocations; i++) pairs.push(await setup(i));

let measuring = false;
let sent = 0;
let received = 0;
const latencies: number[] = [];
const base = process.hrtime.bigint();
const nowUs = () => Number((process.hrtime.bigint() - base) / 1000n);
for (const { sink } of pairs)
  sink.on('message', (m) => {
    if (m.length < 5 || m[0] !== 1) return; // 1: sent in the measured window
    received++;
    latencies.push(nowUs() - m.readUInt32BE(1));
  });

const payload = () => Buffer.alloc(cfg.size);
const perTick = (cfg.rate * TICK_MS) / 1000;
let carry = 0;
const timer = setInterval(() => {
  carry += perTick;
  const n = Math.floor(carry);
  carry -= n;
  for (let k = 0; k < n; k++)
    for (let i = 0; i < pairs.length; i++) {
      const p = payload();
      p[0] = measuring ? 1 : 0;
      p.writeUInt32BE(nowUs() >>> 0, 1);
      pairs[i]!.c.sendChannel(0x4000 + i, p);
      if (measuring) sent++;
    }
}, TICK_MS);

await new Promise((r) => setTimeout(r, cfg.warmupMs));
const startedAt = Date.now();
measuring = true;
process.stdout.write('start\n'); // the caller reads the server's CPU time now and at 'end'
await new Promise((r) => setTimeout(r, cfg.measureMs));
measuring = false;
const endedAt = Date.now();
process.stdout.write('end\n');
clearInterval(timer);
await new Promise((r) => setTimeout(r, 500)); // stragglers
latencies.sort((a, b) => a - b);
const pct = (q: number) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! / 1000 : NaN;
process.stdout.write(JSON.stringify({ sent, received, p50ms: pct(0.5), p99ms: pct(0.99), startedAt, endedAt }) + '\n');
for (const { c, sink } of pairs) {
  c.close();
  sink.close();
}
process.exit(0);
