// Markdown tables of a bench run: one per kind of scenario, then the targets.
import type { BenchConfig, SubjectId } from './config.js';
import { scenarioRows } from './scenarios.js';
import { subjects } from './servers.js';
import type { Spread } from './stats.js';
import { find, type RowSummary } from './summary.js';
import type { TargetCheck } from './targets.js';

/** A number with sensible precision for its size. */
function num(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return '–';
  const d = digits ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "median (min–max)", or just the median when the repeats agree or there is one. */
function cell(s: Spread | undefined, digits?: number): string {
  if (!s || s.n === 0) return '–';
  const m = num(s.median, digits);
  if (s.n === 1 || num(s.min, digits) === num(s.max, digits)) return m;
  return `${m} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

function ratio(s: Spread | undefined, subject: SubjectId): string {
  return subject === 'bare' ? '1' : cell(s, 2);
}

function correctness(r: RowSummary): string {
  return r.correctRuns === r.runs ? `ok ${r.runs}/${r.runs}` : `**FAILED ${r.runs - r.correctRuns}/${r.runs}**`;
}

function naRow(row: string, subject: SubjectId, cols: number): string {
  return `| ${row} | ${subjects[subject].label} | n/a: PeerJS has no broadcast |${' |'.repeat(cols - 3)}`;
}

/** The relay tables (one-to-one, latency, class, broadcast) and the idle table, for the rows this run measured. */
export function resultTables(rows: RowSummary[], cfg: BenchConfig): string {
  const out: string[] = [];
  const relayHead =
    '| scenario | server | delivered msg/s | server CPU µs/msg | × bare | p50 ms | p99 ms | × bare | p99.9 ms | gen. lag p99 ms | other load % | server RSS MB | correct |\n' +
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|';
  const relay: string[] = [];
  for (const s of ['one-to-one', 'latency', 'class', 'broadcast'] as const) {
    if (!cfg.scenarios.includes(s)) continue;
    for (const row of scenarioRows(s, cfg)) {
      for (const subject of cfg.subjects) {
        const r = find(rows, row, subject);
        if (!r) {
          if (s === 'broadcast' && subject === 'peerjs') relay.push(naRow(row, subject, 13));
          continue;
        }
        const m = r.metrics;
        relay.push(
          `| ${row} | ${subjects[subject].label} | ${cell(m['deliveredPerSec'], 0)} | ${cell(m['cpuUsPerMsg'])} | ${ratio(r.ratios.cpuUsPerMsg, subject)} | ${cell(m['p50ms'])} | ${cell(m['p99ms'])} | ${ratio(r.ratios.p99ms, subject)} | ${cell(m['p999ms'])} | ${cell(m['generatorLagP99ms'], 1)} | ${cell(m['otherLoadPct'], 0)} | ${cell(m['rssMB'], 1)} | ${correctness(r)} |`,
        );
      }
    }
  }
  if (relay.length) out.push(relayHead, ...relay, '');
  if (cfg.scenarios.includes('idle')) {
    out.push(
      '| idle clients | server | RSS before MB | RSS after MB | bytes/connection | × bare | setup conn/s | server CPU µs/setup | idle CPU % | other load % | rest window s | heartbeat rounds | CPU % at rest | CPU µs/conn/min at rest | × bare | correct |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    );
    for (const row of scenarioRows('idle', cfg)) {
      for (const subject of cfg.subjects) {
        const r = find(rows, row, subject);
        if (!r) continue;
        const m = r.metrics;
        out.push(
          `| ${num(m['clients']?.median ?? NaN, 0)} | ${subjects[subject].label} | ${cell(m['rssBeforeMB'], 1)} | ${cell(m['rssAfterMB'], 1)} | ${cell(m['bytesPerConn'], 0)} | ${ratio(r.ratios.bytesPerConn, subject)} | ${cell(m['setupPerSec'], 0)} | ${cell(m['setupCpuUsPerConn'], 0)} | ${cell(m['idleCpuPct'], 1)} | ${cell(m['otherLoadPct'], 0)} | ${cell(m['restWindowS'], 0)} | ${cell(m['heartbeatRounds'], 1)} | ${cell(m['restCpuPct'], 2)} | ${cell(m['restUsPerConnMin'])} | ${m['restUsPerConnMin'] ? ratio(r.ratios.restUsPerConnMin, subject) : '–'} | ${correctness(r)} |`,
        );
      }
    }
    out.push('');
  }
  const problems = rows.filter((r) => r.problems.length);
  if (problems.length) {
    out.push('Correctness problems:', '');
    for (const r of problems)
      for (const p of r.problems.slice(0, 5)) out.push(`- ${r.row}, ${subjects[r.subject].label}, ${p}`);
    out.push('');
  }
  return out.join('\n');
}

/** The targets table: limit, measured median ratio (min–max over repeats), verdict. */
export function targetTable(checks: TargetCheck[]): string {
  const lines = ['| target | limit | measured | result |', '|---|---|--:|---|'];
  for (const c of checks) {
    const verdict =
      c.verdict === 'missed'
        ? `**missed** by ${num(c.overByPct ?? NaN, (c.overByPct ?? 0) < 10 ? 1 : 0)} %`
        : c.verdict;
    lines.push(`| ${c.target} | ${c.limit} | ${c.measured ? cell(c.measured, 2) : '–'} | ${verdict} |`);
  }
  return lines.join('\n') + '\n';
}
