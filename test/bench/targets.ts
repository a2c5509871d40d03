// The targets, checked against the summary: ratios to the bare relay and comparisons with PeerJS.
import type { BenchConfig } from './config.js';
import type { Spread } from './stats.js';
import { find, type RowSummary } from './summary.js';

export interface TargetCheck {
  target: string;
  limit: string;
  /** Median (min–max over repeats) of the compared ratio. */
  measured: Spread | null;
  verdict: 'met' | 'missed' | 'not measured';
  /** How far over the limit the median is, in percent (missed only). */
  overByPct: number | null;
}

function check(target: string, limit: number, measured: Spread | undefined, strict = false): TargetCheck {
  if (!measured || !Number.isFinite(measured.median))
    return { target, limit: `≤ ${limit}×`, measured: null, verdict: 'not measured', overByPct: null };
  const ok = strict ? measured.median < limit : measured.median <= limit;
  return {
    target,
    limit: strict ? `< ${limit}×` : `≤ ${limit}×`,
    measured,
    verdict: ok ? 'met' : 'missed',
    overByPct: ok ? null : (measured.median / limit - 1) * 100,
  };
}

/** Every target of the issue that this run can judge, in the order. */
export function checkTargets(rows: RowSummary[], cfg: BenchConfig): TargetCheck[] {
  const out: TargetCheck[] = [];
  const o2o = cfg.frameSizes.flatMap((b) => [`one-to-one ${b} B`, `one-to-one ${b} B at ${cfg.steadyRate} msg/s`]);
  for (const row of o2o)
    out.push(check(`CPU per relayed message, ${row}`, 0.9, find(rows, row, 'rustysignal')?.ratios.cpuUsPerMsg));
  for (const row of o2o)
    out.push(
      check(`v2 stamped relay CPU per message, ${row}`, 1.1, find(rows, row, 'rustysignal-v2')?.ratios.cpuUsPerMsg),
    );
  for (const n of cfg.idleCounts)
    out.push(
      check(
        `memory per idle registered connection, ${n} clients`,
        1.1,
        find(rows, `idle ${n}`, 'rustysignal')?.ratios.bytesPerConn,
      ),
    );
  const lat = `latency at ${cfg.latencyRate} msg/s`;
  out.push(check(`p99 latency at ${cfg.latencyRate} msg/s`, 1.2, find(rows, lat, 'rustysignal')?.ratios.p99ms));
  out.push(
    check(
      'broadcast CPU per delivery',
      0.9,
      find(rows, `broadcast ${cfg.broadcastReceivers} receivers`, 'rustysignal')?.ratios.cpuUsPerMsg,
    ),
  );
  // Ahead of PeerJS: rustysignal's median over PeerJS's median on each row PeerJS can run, on the row's key figure.
  const vsPeer = (
    label: string,
    row: string,
    metric: 'cpuUsPerMsg' | 'p99ms' | 'bytesPerConn',
    who: 'rustysignal' | 'rustysignal-v2' = 'rustysignal',
  ) => {
    const mine = find(rows, row, who)?.metrics[metric]?.median;
    const theirs = find(rows, row, 'peerjs')?.metrics[metric]?.median;
    const ratio = mine !== undefined && theirs !== undefined && theirs > 0 ? mine / theirs : NaN;
    out.push(
      check(
        `ahead of PeerJS: ${label} (ratio to PeerJS)`,
        1,
        Number.isFinite(ratio) ? { median: ratio, min: ratio, max: ratio, n: 1 } : undefined,
        true,
      ),
    );
  };
  for (const row of o2o) vsPeer(`CPU per message, ${row}`, row, 'cpuUsPerMsg');
  for (const row of o2o)
    vsPeer(`v2 CPU per message vs PeerJS (both stamp the sender), ${row}`, row, 'cpuUsPerMsg', 'rustysignal-v2');
  vsPeer(`CPU per message at ${cfg.latencyRate} msg/s`, lat, 'cpuUsPerMsg');
  vsPeer(`p99 latency at ${cfg.latencyRate} msg/s`, lat, 'p99ms');
  for (const n of cfg.idleCounts) vsPeer(`memory per idle connection, ${n} clients`, `idle ${n}`, 'bytesPerConn');
  return out;
}
