// Turns the measurements of all repeats into medians, spreads and ratios to the bare relay of the same repeat.
import type { SubjectId } from './config.js';
import type { Measurement } from './scenarios.js';
import { spread, type Spread } from './stats.js';

/** Metrics that also get a ratio to the bare relay. */
export const ratioMetrics = [
  'cpuUsPerMsg',
  'p50ms',
  'p99ms',
  'p999ms',
  'bytesPerConn',
  'deliveredPerSec',
  'restUsPerConnMin',
] as const;

export interface RowSummary {
  row: string;
  subject: SubjectId;
  runs: number;
  correctRuns: number;
  metrics: Record<string, Spread>;
  /** Per repeat: this subject's value / the bare relay's value in the same repeat and row. */
  ratios: Partial<Record<(typeof ratioMetrics)[number], Spread>>;
  problems: string[];
}

/** Groups measurements by row and subject (in first-seen order) and summarises each group. */
export function summarise(ms: Measurement[]): RowSummary[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of ms) {
    const k = `${m.row}\u0000${m.subject}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  const out: RowSummary[] = [];
  for (const group of groups.values()) {
    const { row, subject } = group[0]!;
    const names = [...new Set(group.flatMap((m) => Object.keys(m.metrics)))];
    const metrics = Object.fromEntries(names.map((n) => [n, spread(group.map((m) => m.metrics[n] ?? NaN))]));
    const ratios: RowSummary['ratios'] = {};
    for (const n of ratioMetrics) {
      const per = group.map((m) => {
        const ref = ms.find((b) => b.subject === 'bare' && b.row === row && b.repeat === m.repeat);
        const v = m.metrics[n];
        const rv = ref?.metrics[n];
        return v !== undefined && rv !== undefined && rv !== 0 ? v / rv : NaN;
      });
      const s = spread(per);
      if (s.n > 0) ratios[n] = s;
    }
    out.push({
      row,
      subject,
      runs: group.length,
      correctRuns: group.filter((m) => m.correct).length,
      metrics,
      ratios,
      problems: [...new Set(group.flatMap((m) => m.problems.map((p) => `repeat ${m.repeat}: ${p}`)))],
    });
  }
  return out;
}

/** The summary of one row and subject, if measured. */
export function find(rows: RowSummary[], row: string, subject: SubjectId): RowSummary | undefined {
  return rows.find((r) => r.row === row && r.subject === subject);
}
