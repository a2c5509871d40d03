// The relay benchmark: the same TURN load (N allocations × rate packets/s × size bytes, ChannelData
// client → relay → peer) against rustysignal's relay and coturn, in one network namespace with
// non-loopback addresses on its lo (no traffic leaves the machine). Reports, per server: packets
// relayed per second, loss, CPU per relayed packet (user + system of the server process, all threads),
// one-way latency through the relay.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { cpuMicros } from '../proc-stats.js';

export interface RelayBenchConfig {
  allocations: number;
  rate: number;
  size: number;
  warmupMs: number;
  measureMs: number;
  repeats: number;
  cli: string;
}

export interface RelayRun {
  server: 'rustysignal' | 'coturn';
  repeat: number;
  sent: number;
  received: number;
  lossPct: number;
  packetsPerSec: number;
  cpuUsPerPacket: number;
  cpuPct: number;
  p50ms: number;
  p99ms: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'bench-secret-' + randomBytes(6).toString('hex');
const SERVER = '10.201.0.1';
const CLIENT = '10.201.0.2';
const PEER = '10.201.0.3';
const PORT = 3478;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' });
}

function startServer(ns: string, which: RelayRun['server'], cli: string): ChildProcess {
  const args =
    which === 'coturn'
      ? [
          'turnserver',
          '-n',
          `--listening-ip=${SERVER}`,
          `--relay-ip=${SERVER}`,
          `--listening-port=${PORT}`,
          '--use-auth-secret',
          `--static-auth-secret=${SECRET}`,
          '--realm=rustysignal',
          '--allowed-peer-ip=10.201.0.0-10.201.0.255',
          '--min-port=49160',
          '--max-port=49300',
          '--no-tls',
          '--no-dtls',
          '--no-cli',
          '--log-file=stdout',
          '--simple-log',
        ]
      : [
          process.execPath,
          cli,
          `${SERVER}:0`,
          '--no-mdns',
          '--no-web-client',
          '--turn-port',
          String(PORT),
          '--turn-secret',
          SECRET,
          '--turn-allow-peers',
          '10.201.0.0/24',
          '--log-level',
          'warn',
        ];
  // `ip netns exec` execs the command, so the child's pid is the server's.
  return spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitForUdp(ns: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-uln'], { encoding: 'utf8' });
    if (out.includes(`${SERVER}:${PORT}`)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('relay server did not listen');
}

async function once(ns: string, which: RelayRun['server'], repeat: number, cfg: RelayBenchConfig): Promise<RelayRun> {
  const server = startServer(ns, which, cfg.cli);
  let serverOut = '';
  server.stdout!.on('data', (d: Buffer) => (serverOut = (serverOut + d.toString()).slice(-4000)));
  server.stderr!.on('data', (d: Buffer) => (serverOut = (serverOut + d.toString()).slice(-4000)));
  try {
    await waitForUdp(ns);
    const load = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        path.join(here, 'load.ts'),
        JSON.stringify({
          server: SERVER,
          port: PORT,
          clientAddress: CLIENT,
          peerAddress: PEER,
          secret: SECRET,
          allocations: cfg.allocations,
          rate: cfg.rate,
          size: cfg.size,
          warmupMs: cfg.warmupMs,
          measureMs: cfg.measureMs,
        }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let cpu0 = 0;
    let cpu1 = 0;
    load.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      load.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (cpu0 === 0 && out.includes('start\n')) cpu0 = cpuMicros(server.pid!);
        if (cpu1 === 0 && out.includes('end\n')) cpu1 = cpuMicros(server.pid!);
      });
      load.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`load generator exited ${code}: ${err.slice(-2000)}`)),
      );
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      sent: number;
      received: number;
      p50ms: number;
      p99ms: number;
      startedAt: number;
      endedAt: number;
    };
    const seconds = (r.endedAt - r.startedAt) / 1000;
    return {
      server: which,
      repeat,
      sent: r.sent,
      received: r.received,
      lossPct: r.sent ? (100 * (r.sent - r.received)) / r.sent : 100,
      packetsPerSec: r.received / seconds,
      cpuUsPerPacket: (cpu1 - cpu0) / Math.max(1, r.received),
      cpuPct: (100 * (cpu1 - cpu0)) / 1e6 / seconds,
      p50ms: r.p50ms,
      p99ms: r.p99ms,
    };
  } catch (e) {
    throw new Error(`${which}: ${(e as Error).message}\nserver output: ${serverOut}`, { cause: e });
  } finally {
    server.kill('SIGKILL');
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
  }
}

/** Runs the comparison; every run of both servers, interleaved. */
export async function runRelayBench(cfg: RelayBenchConfig, log: (s: string) => void): Promise<RelayRun[]> {
  const ns = `rs-relaybench-${randomBytes(3).toString('hex')}`;
  ip('netns', 'add', ns);
  const runs: RelayRun[] = [];
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    for (const a of [SERVER, CLIENT, PEER]) ip('-n', ns, 'addr', 'add', `${a}/24`, 'dev', 'lo');
    for (let repeat = 1; repeat <= cfg.repeats; repeat++) {
      const order: RelayRun['server'][] = repeat % 2 ? ['rustysignal', 'coturn'] : ['coturn', 'rustysignal'];
      for (const which of order) {
        const r = await once(ns, which, repeat, cfg);
        runs.push(r);
        log(
          `[${repeat}/${cfg.repeats}] relay ${which.padEnd(12)} ${Math.round(r.packetsPerSec)} pkt/s relayed, loss ${r.lossPct.toFixed(2)} %, ` +
            `${r.cpuUsPerPacket.toFixed(2)} µs CPU/pkt (${r.cpuPct.toFixed(0)} % of a core), p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms`,
        );
      }
    }
  } finally {
    ip('netns', 'del', ns);
  }
  return runs;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/** Markdown table: medians over repeats per server, and the CPU ratio against coturn. */
export function relayTable(runs: RelayRun[], cfg: RelayBenchConfig): string {
  const by = (w: RelayRun['server']) => runs.filter((r) => r.server === w);
  const row = (w: RelayRun['server']) => {
    const rs = by(w);
    if (!rs.length) return `| ${w} | – | – | – | – | – |`;
    const m = (f: (r: RelayRun) => number, d = 2) => median(rs.map(f)).toFixed(d);
    return `| ${w} | ${m((r) => r.packetsPerSec, 0)} | ${m((r) => r.lossPct)} % | ${m((r) => r.cpuUsPerPacket)} | ${m((r) => r.cpuPct, 0)} % | ${m((r) => r.p50ms)} / ${m((r) => r.p99ms)} |`;
  };
  const ours = by('rustysignal');
  const theirs = by('coturn');
  const ratio =
    ours.length && theirs.length
      ? median(ours.map((r) => r.cpuUsPerPacket)) / median(theirs.map((r) => r.cpuUsPerPacket))
      : NaN;
  return [
    `### Relay (TURN): ${cfg.allocations} allocations × ${cfg.rate} packets/s × ${cfg.size} B, ChannelData over UDP, ${cfg.measureMs / 1000} s measured, ${cfg.repeats} repeat(s)`,
    '',
    '| server | relayed pkt/s | loss | CPU µs / relayed packet | server CPU | one-way latency p50 / p99 ms |',
    '| --- | --- | --- | --- | --- | --- |',
    row('rustysignal'),
    row('coturn'),
    '',
    `CPU per relayed packet, rustysignal ÷ coturn: **${ratio.toFixed(2)}×** (target ≤ 3×); loss target: 0 below saturation.`,
    '',
  ].join('\n');
}
