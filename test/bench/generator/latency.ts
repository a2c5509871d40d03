// Collects one latency sample per delivery and summarises them.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { percentile } from '../stats.js';
import type { LatencySummary } from './messages.js';

/** Growable store of latency samples in ms. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private n = 0;

  add(ms: number): void {
    if (this.n === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.n++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.n).sort();
    return {
      count: this.n,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: this.n ? sorted[this.n - 1]! : NaN,
    };
  }
}

/** Watches this process's event-loop delay from now until `stop()`, which returns its p99 in ms. */
export function watchLoopLag(): { stop(): number } {
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return {
    stop() {
      h.disable();
      return h.count > 0 ? h.percentile(99) / 1e6 : NaN;
    },
  };
}
