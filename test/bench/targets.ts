// Issue 17's targets, checked against the summary: ratios to the bare relay and comparisons with PeerJS.
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

/** Every target of issue 17 that this run can judge, in the order, then the comparisons with PeerJS. */
export function checkTargets(rows: RowSummary[], cfg: BenchConfig): TargetCheck[] {
  const out: TargetCheck[] = [];
  const closed = cfg.frameSizes.map((b) => `one-to-one ${b} B`);
  const fixed = cfg.frameSizes.map((b) => `one-to-one ${b} B at ${cfg.steadyRate} msg/s`);
  const o2o = cfg.frameSizes.flatMap((b) => [`one-to-one ${b} B`, `one-to-one ${b} B at ${cfg.steadyRate} msg/s`]);
  const lat = `latency at ${cfg.latencyRate} msg/s`;
  const cls = `class of ${2 * cfg.classPairs} at ${cfg.classRate} msg/s`;
  const cpu = (row: string, who: 'rustysignal' | 'rustysignal-v2') => find(rows, row, who)?.ratios.cpuUsPerMsg;
  // Fixed rate: every message a wake-up of its own, the load a signaling server really sees.
  for (const row of fixed) out.push(check(`CPU per relayed message, ${row}`, 0.9, cpu(row, 'rustysignal')));
  for (const row of fixed) out.push(check(`v2 stamped relay CPU per message, ${row}`, 1.0, cpu(row, 'rustysignal-v2')));
  // Saturated (closed loop).
  for (const row of closed) out.push(check(`CPU per relayed message, ${row}`, 0.9, cpu(row, 'rustysignal')));
  for (const row of closed)
    out.push(check(`v2 stamped relay CPU per message, ${row}`, 1.1, cpu(row, 'rustysignal-v2')));
  out.push(check(`p99 latency at ${cfg.latencyRate} msg/s`, 1.1, find(rows, lat, 'rustysignal')?.ratios.p99ms));
  for (const n of cfg.idleCounts)
    out.push(
      check(
        `memory per idle registered connection, ${n} clients`,
        1.0,
        find(rows, `idle ${n}`, 'rustysignal')?.ratios.bytesPerConn,
      ),
    );
  out.push(
    check(
      'broadcast CPU per delivery',
      0.9,
      find(rows, `broadcast ${cfg.broadcastReceivers} receivers`, 'rustysignal')?.ratios.cpuUsPerMsg,
    ),
  );
  out.push(check(`CPU per relayed message, ${cls}`, 1.0, cpu(cls, 'rustysignal')));
  out.push(check(`v2 stamped relay CPU per message, ${cls}`, 1.0, cpu(cls, 'rustysignal-v2')));
  // At rest the bare relay does nothing at all, so a ratio to it means nothing. The yardstick instead: one
  // heartbeat round (a ping out and a pong in per connection) should cost no more per connection than one
  // message relayed by the bare relay (a frame in and a frame out) at the class's rate.
  const last = `idle ${cfg.idleCounts[cfg.idleCounts.length - 1]}`;
  const perRound = find(rows, last, 'rustysignal')?.metrics['restUsPerConnRound']?.median;
  const bareMsg = find(rows, cls, 'bare')?.metrics['cpuUsPerMsg']?.median;
  out.push(
    check(
      `CPU at rest per connection and heartbeat round, ${last} clients (ratio to one message of the bare relay, ${cls})`,
      1.0,
      single(perRound !== undefined && bareMsg !== undefined && bareMsg > 0 ? perRound / bareMsg : NaN),
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
    out.push(check(`ahead of PeerJS: ${label} (ratio to PeerJS)`, 1, single(ratio), true));
  };
  for (const row of o2o) vsPeer(`CPU per message, ${row}`, row, 'cpuUsPerMsg');
  for (const row of o2o)
    vsPeer(`v2 CPU per message vs PeerJS (both stamp the sender), ${row}`, row, 'cpuUsPerMsg', 'rustysignal-v2');
  vsPeer(`CPU per message at ${cfg.latencyRate} msg/s`, lat, 'cpuUsPerMsg');
  vsPeer(`p99 latency at ${cfg.latencyRate} msg/s`, lat, 'p99ms');
  vsPeer(`CPU per message, ${cls}`, cls, 'cpuUsPerMsg');
  vsPeer(`v2 CPU per message vs PeerJS (both stamp the sender), ${cls}`, cls, 'cpuUsPerMsg', 'rustysignal-v2');
  vsPeer(`p99 latency, ${cls}`, cls, 'p99ms');
  for (const n of cfg.idleCounts) vsPeer(`memory per idle connection, ${n} clients`, `idle ${n}`, 'bytesPerConn');
  return out;
}

/** A ratio of two medians as a spread of one value (undefined when it is not a number). */
function single(ratio: number): Spread | undefined {
  return Number.isFinite(ratio) ? { median: ratio, min: ratio, max: ratio, n: 1 } : undefined;
}
