// Each scenario run against one subject: start a fresh server and a generator, measure, always end both.
import { loadavg } from 'node:os';
import type { BenchConfig, ScenarioId, SubjectId } from './config.js';
import { Generator } from './generator-client.js';
import type { IdleConnectResult, PingCount, ProbeResult, SetupResult, TrafficResult } from './generator/messages.js';
import { otherLoadPct, sampleProc, sampleWindow, type ProcSample, type WindowSample } from './proc-stats.js';
import { sleep } from './processes.js';
import { heartbeatMs, startServer, stopServer, subjects, type RunningServer, type ServerId } from './servers.js';

/** One row of one repeat for one subject. Metric units are in the names (ms, us, MB, B, pct, per s). */
export interface Measurement {
  row: string;
  subject: SubjectId;
  repeat: number;
  metrics: Record<string, number>;
  /** sent = received, in order, unaltered (byte for byte where the dialect forwards bytes). */
  correct: boolean;
  problems: string[];
  notes: Record<string, string | number>;
}

export interface RunError {
  scenario: ScenarioId;
  subject: SubjectId;
  repeat: number;
  error: string;
}

/** Which subjects take part in a scenario; the others get n/a. */
export const scenarioSubjects: Record<ScenarioId, SubjectId[]> = {
  'one-to-one': ['rustysignal', 'rustysignal-v2', 'bare', 'peerjs'],
  latency: ['rustysignal', 'bare', 'peerjs'],
  class: ['rustysignal', 'rustysignal-v2', 'bare', 'peerjs'],
  broadcast: ['rustysignal', 'bare'],
  idle: ['rustysignal', 'bare', 'peerjs'],
};

/** Row names of a scenario, in table order. */
export function scenarioRows(s: ScenarioId, cfg: BenchConfig): string[] {
  switch (s) {
    case 'one-to-one':
      return cfg.frameSizes.flatMap((b) => [`one-to-one ${b} B`, `one-to-one ${b} B at ${cfg.steadyRate} msg/s`]);
    case 'latency':
      return [`latency at ${cfg.latencyRate} msg/s`];
    case 'class':
      return [`class of ${2 * cfg.classPairs} at ${cfg.classRate} msg/s`];
    case 'broadcast':
      return [`broadcast ${cfg.broadcastReceivers} receivers`];
    case 'idle':
      return cfg.idleCounts.map((n) => `idle ${n}`);
  }
}

const MB = 1024 * 1024;
const CALL_SLACK_MS = 30_000;

/** Runs scenario `s` once for `subject`; servers and generators are ended whatever happens. */
export async function runScenario(
  s: ScenarioId,
  subjectId: SubjectId,
  repeat: number,
  cfg: BenchConfig,
): Promise<Measurement[]> {
  const subject = subjects[subjectId];
  const openFiles = Math.max(...cfg.idleCounts) + 1000;
  let server: RunningServer | null = null;
  let gen: Generator | null = null;
  try {
    const profile = cfg.profileDir ? { dir: cfg.profileDir, name: `${subjectId}-${s}-r${repeat}` } : null;
    server = await startServer(subject.server, openFiles, profile);
    gen = await Generator.start(openFiles);
    const ctx: Ctx = { cfg, server, gen, subjectId, repeat, rows: scenarioRows(s, cfg) };
    const notes = {
      profiled: server.profiled ? 'yes' : 'no',
      serverOpenFiles: server.openFiles,
      generatorOpenFiles: gen.openFiles(),
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    };
    const out = await runners[s](ctx);
    for (const m of out) Object.assign(m.notes, notes);
    return out;
  } catch (err) {
    // Name the server's death when it is the cause: its exit code and last output say more than ENOENT in /proc.
    const p = server?.process;
    if (p && (p.child.exitCode !== null || p.child.signalCode !== null)) {
      throw new Error(
        `${subject.server} exited (${p.child.exitCode ?? p.child.signalCode}) during the run: ${(err as Error).message}\n${p.output()}`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    // The server goes first: its sockets close from its side, so the generator's ports do not sit in TIME_WAIT.
    if (server) await stopServer(server).catch(() => undefined);
    if (gen) await gen.close().catch(() => undefined);
  }
}

interface Ctx {
  cfg: BenchConfig;
  server: RunningServer;
  gen: Generator;
  subjectId: SubjectId;
  repeat: number;
  rows: string[];
}

const runners: Record<ScenarioId, (c: Ctx) => Promise<Measurement[]>> = {
  async 'one-to-one'(c) {
    const { cfg } = c;
    const setup = await c.gen.call<SetupResult>(
      { cmd: 'pairs-setup', dialect: subjects[c.subjectId].dialect, port: c.server.port, pairs: cfg.pairs },
      CALL_SLACK_MS,
    );
    const out: Measurement[] = [];
    for (const [i, frameBytes] of cfg.frameSizes.entries()) {
      const closed = (ms: number) => ({ cmd: 'closed-loop' as const, ms, inFlight: cfg.inFlight, frameBytes });
      await c.gen.call<TrafficResult>(closed(cfg.warmupMs), cfg.warmupMs + CALL_SLACK_MS);
      let before = window(c);
      const r = await c.gen.call<TrafficResult>(closed(cfg.throughputMs), cfg.throughputMs + CALL_SLACK_MS);
      out.push(relayMeasurement(c, c.rows[2 * i]!, r, before, window(c), setup, 1));
      // The same server and clients at a fixed rate; already warm, so a short settling phase is enough.
      const steady = (ms: number) => ({ cmd: 'fixed-rate' as const, ms, rate: cfg.steadyRate, frameBytes });
      await c.gen.call<TrafficResult>(steady(500), 500 + CALL_SLACK_MS);
      before = window(c);
      const s = await c.gen.call<TrafficResult>(steady(cfg.steadyMs), cfg.steadyMs + CALL_SLACK_MS);
      out.push(relayMeasurement(c, c.rows[2 * i + 1]!, s, before, window(c), setup, 1));
    }
    return out;
  },

  latency: (c) => fixedRateRow(c, c.cfg.pairs, c.cfg.latencyRate, c.cfg.latencyMs),

  // A class setting up calls: few clients, a few hundred messages a second, each one a wake-up of its own.
  class: (c) => fixedRateRow(c, c.cfg.classPairs, c.cfg.classRate, c.cfg.classMs),

  async broadcast(c) {
    const { cfg } = c;
    const setup = await c.gen.call<SetupResult>(
      {
        cmd: 'broadcast-setup',
        dialect: subjects[c.subjectId].dialect,
        port: c.server.port,
        receivers: cfg.broadcastReceivers,
      },
      CALL_SLACK_MS,
    );
    const phase = (ms: number) => ({ cmd: 'broadcast' as const, ms, rate: cfg.broadcastRate, frameBytes: 200 });
    await c.gen.call<TrafficResult>(phase(cfg.warmupMs), cfg.warmupMs + CALL_SLACK_MS);
    const before = window(c);
    const r = await c.gen.call<TrafficResult>(phase(cfg.broadcastMs), cfg.broadcastMs + CALL_SLACK_MS);
    const fanOut = r.sent > 0 ? (r.delivered + r.lost) / r.sent : 0;
    return [relayMeasurement(c, c.rows[0]!, r, before, window(c), setup, fanOut)];
  },

  async idle(c) {
    const { cfg } = c;
    const dialect = subjects[c.subjectId].dialect;
    const pid = c.server.process.pid;
    const connect = (upTo: number) =>
      c.gen.call<IdleConnectResult>(
        { cmd: 'idle-connect', dialect, port: c.server.port, upTo, concurrency: cfg.idleConcurrency },
        120_000,
      );
    const warm = await connect(cfg.idleWarm);
    if (warm.failed) throw new Error(`warm-up connections failed: ${warm.firstProblem}`);
    await sleep(1000);
    const before = sampleProc(pid);
    const out: Measurement[] = [];
    let setupMs = 0;
    for (const [i, n] of cfg.idleCounts.entries()) {
      const r = await connect(n);
      setupMs += r.ms;
      const connected = sampleProc(pid);
      await sleep(500);
      const a = window(c);
      await sleep(1500);
      const b = window(c);
      const rest = i === cfg.idleCounts.length - 1 ? await restWindow(c, r.connected) : {};
      const probe = await c.gen.call<ProbeResult>({ cmd: 'idle-probe', samples: 20, frameBytes: 200 }, CALL_SLACK_MS);
      const added = r.connected - cfg.idleWarm;
      const problems: string[] = [];
      if (r.connected !== n) problems.push(`${r.connected} of ${n} connected (${r.failed} failed: ${r.firstProblem})`);
      if (probe.reached !== probe.tried)
        problems.push(`${probe.reached} of ${probe.tried} probed clients reachable by name`);
      out.push({
        row: c.rows[i]!,
        subject: c.subjectId,
        repeat: c.repeat,
        metrics: {
          clients: r.connected,
          rssBeforeMB: before.rss / MB,
          rssAfterMB: b.rss / MB,
          bytesPerConn: (b.rss - before.rss) / added,
          setupPerSec: added / (setupMs / 1000),
          setupCpuUsPerConn: (connected.cpuUs - before.cpuUs) / added,
          idleCpuPct: cpuPct(a, b),
          otherLoadPct: otherLoadPct(a, b),
          probed: probe.tried,
          reached: probe.reached,
          ...rest,
        },
        correct: problems.length === 0,
        problems,
        notes: {},
      });
    }
    return out;
  },
};

/** Length of the rest window for a server: long enough to hold one full round of its heartbeat (unless quick). */
export function restWindowMs(cfg: BenchConfig, server: ServerId): number {
  const beat = heartbeatMs[server];
  return cfg.restCoversHeartbeat && beat !== null ? Math.max(cfg.restMinMs, beat + 1000) : cfg.restMinMs;
}

/**
 * Server CPU at rest over the rest window, and the heartbeat pings the clients received meanwhile. Per
 * connection per minute, so servers measured over windows of different lengths compare.
 */
async function restWindow(c: Ctx, connected: number): Promise<Record<string, number>> {
  const pingsBefore = await c.gen.call<PingCount>({ cmd: 'idle-pings' }, CALL_SLACK_MS);
  const a = window(c);
  await sleep(restWindowMs(c.cfg, subjects[c.subjectId].server));
  const z = window(c);
  const pingsAfter = await c.gen.call<PingCount>({ cmd: 'idle-pings' }, CALL_SLACK_MS);
  const cpuUs = z.cpuUs - a.cpuUs;
  const rounds = (pingsAfter.pings - pingsBefore.pings) / connected;
  return {
    restWindowS: (z.atMs - a.atMs) / 1000,
    restCpuPct: cpuPct(a, z),
    restUsPerConnMin: cpuUs / connected / ((z.atMs - a.atMs) / 60_000),
    heartbeatRounds: rounds,
    // NaN when no heartbeat fell into the window (quick runs, servers without one).
    restUsPerConnRound: rounds >= 0.5 ? cpuUs / connected / rounds : NaN,
    restOtherLoadPct: otherLoadPct(a, z),
  };
}

/** An open loop of 200-byte one-to-one frames over fresh pairs: warm-up, then one measured window. */
async function fixedRateRow(c: Ctx, pairs: number, rate: number, ms: number): Promise<Measurement[]> {
  const setup = await c.gen.call<SetupResult>(
    { cmd: 'pairs-setup', dialect: subjects[c.subjectId].dialect, port: c.server.port, pairs },
    CALL_SLACK_MS,
  );
  const phase = (phaseMs: number) => ({ cmd: 'fixed-rate' as const, ms: phaseMs, rate, frameBytes: 200 });
  await c.gen.call<TrafficResult>(phase(c.cfg.warmupMs), c.cfg.warmupMs + CALL_SLACK_MS);
  const before = window(c);
  const r = await c.gen.call<TrafficResult>(phase(ms), ms + CALL_SLACK_MS);
  return [relayMeasurement(c, c.rows[0]!, r, before, window(c), setup, 1)];
}

function window(c: Ctx): WindowSample {
  return sampleWindow(c.server.process.pid, c.gen.process.pid);
}

function cpuPct(a: ProcSample, b: ProcSample): number {
  return ((b.cpuUs - a.cpuUs) / ((b.atMs - a.atMs) * 1000)) * 100;
}

function relayMeasurement(
  c: Ctx,
  row: string,
  r: TrafficResult,
  before: WindowSample,
  after: WindowSample,
  setup: SetupResult,
  fanOut: number,
): Measurement {
  const problems: string[] = [];
  if (r.lost) problems.push(`${r.lost} lost`);
  if (r.outOfOrder) problems.push(`${r.outOfOrder} out of order`);
  if (r.mismatched) problems.push(`${r.mismatched} altered or unexpected`);
  if (r.skipped) problems.push(`${r.skipped} sends skipped (server behind)`);
  if (r.firstProblem) problems.push(`first: ${r.firstProblem}`);
  return {
    row,
    subject: c.subjectId,
    repeat: c.repeat,
    metrics: {
      deliveredPerSec: r.delivered / (r.elapsedMs / 1000),
      cpuUsPerMsg: (after.cpuUs - before.cpuUs) / r.delivered,
      cpuPct: cpuPct(before, after),
      p50ms: r.latency.p50,
      p99ms: r.latency.p99,
      p999ms: r.latency.p999,
      maxMs: r.latency.max,
      generatorLagP99ms: r.generatorLagP99ms,
      generatorCpuPct: ((after.generatorCpuUs - before.generatorCpuUs) / ((after.atMs - before.atMs) * 1000)) * 100,
      otherLoadPct: otherLoadPct(before, after),
      rssMB: after.rss / MB,
      sent: r.sent,
      delivered: r.delivered,
      fanOut,
      lost: r.lost,
      outOfOrder: r.outOfOrder,
      mismatched: r.mismatched,
      skipped: r.skipped,
    },
    correct: problems.length === 0,
    problems,
    notes: { extensions: setup.extensions || 'none' },
  };
}
