// `npm run bench`: every scenario against every server, interleaved and repeated; prints markdown tables and
// writes JSON + markdown into bench-results/. Exit code 1 when a run failed or a delivery check failed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig, type ScenarioId, type SubjectId } from './config.js';
import { clockTicksPerSecond, openFilesLimit } from './proc-stats.js';
import { killAll } from './processes.js';
import { resultTables, targetTable } from './report.js';
import { runScenario, scenarioSubjects, type Measurement, type RunError } from './scenarios.js';
import { cliPath, describeServer, repoRoot, serverUnavailable, subjects, useCli } from './servers.js';
import { summarise } from './summary.js';
import { checkTargets } from './targets.js';
import { relayTable, runRelayBench, type RelayRun } from './relay/run-relay.js';

const cfg = parseConfig(process.argv.slice(2));
const started = performance.now();
if (cfg.cli) useCli(cfg.cli);

const skipped: Record<string, string> = {};
cfg.subjects = cfg.subjects.filter((s) => {
  const why = serverUnavailable(subjects[s].server);
  if (why) skipped[s] = why;
  return !why;
});
for (const [s, why] of Object.entries(skipped)) console.warn(`skipping ${s}: ${why}`);

const hardOpenFiles = Number(
  /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? NaN,
);
const neededOpenFiles = Math.max(...cfg.idleCounts) + 1000;
if (cfg.scenarios.includes('idle') && hardOpenFiles < neededOpenFiles) {
  console.warn(
    `warning: the hard open-files limit is ${hardOpenFiles}, the idle test needs ${neededOpenFiles}; expect failed connections`,
  );
}

const machine = {
  date: new Date().toISOString(),
  commit: git(['rev-parse', '--short', 'HEAD']),
  // What rustysignal build ran: the checkout's dist/ (which may hold uncommitted changes), or --cli.
  rustysignalBuild: cfg.cli
    ? `${cliPath}, built ${builtAt(cliPath)}`
    : `dist/ of commit ${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--', 'main']) ? ' + uncommitted changes in main/' : ''}, built ${builtAt(cliPath)}`,
  node: process.version,
  kernel: `${os.type()} ${os.release()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryMB: Math.round(os.totalmem() / 2 ** 20),
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  openFilesSoftHard: [openFilesLimit('self'), hardOpenFiles],
  clockTicksPerSecond,
};

if (cfg.relayOnly) cfg.scenarios = [];
const measurements: Measurement[] = [];
const errors: RunError[] = [];
for (let repeat = 1; repeat <= cfg.repeats; repeat++) {
  for (const scenario of cfg.scenarios) {
    const list = scenarioSubjects[scenario].filter((s) => cfg.subjects.includes(s));
    // Rotate the order every repeat, so no server always runs first (or right after the same one).
    const order = list.map((_, i) => list[(i + repeat - 1) % list.length]!);
    for (const subject of order) {
      const t0 = performance.now();
      const tag = `[${repeat}/${cfg.repeats}] ${scenario.padEnd(10)} ${subjects[subject].label.padEnd(24)}`;
      try {
        const ms = await calmestRun(scenario, subject, repeat);
        measurements.push(...ms);
        console.log(`${tag} ${((performance.now() - t0) / 1000).toFixed(1)} s  ${ms.map(brief).join('; ')}`);
      } catch (err) {
        const error = (err as Error).message;
        errors.push({ scenario, subject, repeat, error });
        console.log(`${tag} FAILED: ${error.split('\n')[0]}`);
      }
    }
  }
}
killAll();

// The relay: rustysignal's TURN server against coturn under the same load (a class of video calls).
const relayCfg = {
  allocations: 30,
  rate: 1000,
  size: 1200,
  warmupMs: cfg.quick ? 1000 : 2000,
  measureMs: cfg.quick ? 3000 : 8000,
  repeats: cfg.repeats,
  cli: cliPath,
};
let relayRuns: RelayRun[] = [];
let relayMarkdown = '';
if (cfg.relay || cfg.relayOnly) {
  const why = relayUnavailable();
  if (why) console.warn(`skipping the relay comparison: ${why}`);
  else
    try {
      relayRuns = await runRelayBench(relayCfg, console.log);
      relayMarkdown = relayTable(relayRuns, relayCfg);
    } catch (err) {
      errors.push({
        scenario: 'relay' as ScenarioId,
        subject: 'rustysignal',
        repeat: 0,
        error: (err as Error).message,
      });
    }
}

const rows = summarise(measurements);
const checks = checkTargets(rows, cfg);
const minutes = (performance.now() - started) / 60_000;
const header =
  `rustysignal bench, ${machine.date}; rustysignal from ${machine.rustysignalBuild}; ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; ` +
  `${cfg.repeats} repeat(s)${cfg.quick ? ' (--quick)' : ''}, ${minutes.toFixed(1)} min, machine load ${machine.loadAverageAtStart[0]} at the start and ${os.loadavg()[0]!.toFixed(2)} at the end (1-min average). Values: median (min–max) over repeats; × bare: ratio to the bare ws relay in the same repeat.\n`;
const markdown = [header, resultTables(rows, cfg), targetTable(checks), relayMarkdown].join('\n');
console.log('\n' + markdown);
if (errors.length)
  console.log(
    `${errors.length} run(s) failed:\n${errors.map((e) => `- ${e.scenario} ${e.subject} repeat ${e.repeat}: ${e.error}`).join('\n')}`,
  );

const outDir = resolve(repoRoot, cfg.outDir);
mkdirSync(outDir, { recursive: true });
const stamp = machine.date.replace(/[:.]/g, '-');
const json = JSON.stringify(
  {
    machine,
    config: cfg,
    servers: Object.fromEntries((['rustysignal', 'bare', 'peerjs'] as const).map((s) => [s, describeServer(s)])),
    skipped,
    summary: rows,
    targets: checks,
    measurements,
    relay: relayRuns,
    errors,
  },
  null,
  2,
);
for (const name of [`bench-${stamp}`, 'latest']) {
  writeFileSync(join(outDir, `${name}.json`), json);
  writeFileSync(join(outDir, `${name}.md`), markdown);
}
console.log(`results: ${join(cfg.outDir, `bench-${stamp}.json`)} (and latest.json, latest.md)`);
const failedChecks = measurements.some((m) => !m.correct);
process.exit(errors.length || failedChecks ? 1 : 0);

/** Runs once, or with --calm up to three times, keeping the attempt least disturbed by other processes. */
async function calmestRun(scenario: ScenarioId, subject: SubjectId, repeat: number): Promise<Measurement[]> {
  const disturbance = (ms: Measurement[]) => Math.max(...ms.map((m) => m.metrics['otherLoadPct'] ?? 0));
  let best = await runScenario(scenario, subject, repeat, cfg);
  for (let attempt = 2; cfg.calmPct !== null && attempt <= 3 && disturbance(best) > cfg.calmPct; attempt++) {
    console.log(
      `  other processes used ${disturbance(best).toFixed(0)} % of a core during ${scenario} ${subject}: attempt ${attempt}`,
    );
    const next = await runScenario(scenario, subject, repeat, cfg);
    for (const m of next) m.notes['attempt'] = attempt;
    if (disturbance(next) < disturbance(best)) best = next;
  }
  return best;
}

function brief(m: Measurement): string {
  const x = m.metrics;
  const ok = m.correct ? '' : ' INCORRECT';
  if (m.row.startsWith('idle')) {
    const rest =
      x['restUsPerConnMin'] === undefined
        ? ''
        : `, at rest ${x['restUsPerConnMin'].toFixed(1)} µs/conn/min over ${x['restWindowS']!.toFixed(0)} s (${x['heartbeatRounds']!.toFixed(1)} heartbeat rounds)`;
    return `${m.row}: ${Math.round(x['bytesPerConn']!)} B/conn, ${Math.round(x['setupPerSec']!)} conn/s${rest}${ok}`;
  }
  return `${m.row}: ${Math.round(x['deliveredPerSec']!)} msg/s, ${x['cpuUsPerMsg']!.toFixed(2)} µs/msg, p99 ${x['p99ms']!.toFixed(2)} ms (gen lag p99 ${x['generatorLagP99ms']!.toFixed(1)} ms)${ok}`;
}

/** Why the relay comparison cannot run here (it needs root for a network namespace, and coturn), or null. */
function relayUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (it runs in a network namespace)';
  try {
    execFileSync('turnserver', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'coturn (turnserver) is not installed: apt-get install coturn';
  }
  return null;
}

function builtAt(file: string): string {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return 'missing';
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
