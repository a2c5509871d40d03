// Broadcast fan-out: one sender, many receivers, a fixed number of broadcasts per second.
import type WebSocket from 'ws';
import { delivered, frameMaker, type SentFrame, type WireAdapter } from '../wire.js';
import { openClient } from './connect.js';
import { DRAIN_TIMEOUT_MS, drain } from './drain.js';
import { LatencyRecorder, watchLoopLag } from './latency.js';
import type { SetupResult, TrafficResult } from './messages.js';

/** Broadcasts still short of a delivery beyond which new ones are skipped (the server is behind). */
const MAX_PENDING = 2000;
const SENDER = 's';

interface Pending {
  frame: SentFrame;
  at: number;
  /** Deliveries still expected. */
  remaining: number;
}

/** One sender `s` and receivers `r0…`; every receiving socket checks it sees each broadcast once, in order. */
export class BroadcastTraffic {
  private sender!: WebSocket;
  private receivers: WebSocket[] = [];
  /** Next sequence number each receiving socket expects; the last entry is the sender when it gets echoes. */
  private expect: number[] = [];
  private pending = new Map<number, Pending>();
  private phase: {
    running: boolean;
    result: Omit<TrafficResult, 'latency' | 'elapsedMs' | 'generatorLagP99ms'>;
    latency: LatencyRecorder;
    lag: { stop(): number };
    outstanding: number;
    onDrained: (() => void) | null;
  } | null = null;

  private constructor(private readonly adapter: WireAdapter) {}

  /** Connects the receivers, then the sender. */
  static async open(
    adapter: WireAdapter,
    port: number,
    receivers: number,
  ): Promise<{ traffic: BroadcastTraffic; setup: SetupResult }> {
    if (!adapter.broadcast) throw new Error(`${adapter.dialect} has no broadcast`);
    const t = new BroadcastTraffic(adapter);
    const start = performance.now();
    for (let i = 0; i < receivers; i++) {
      const idx = i;
      t.expect.push(0);
      t.receivers.push(await openClient(adapter, port, `r${i}`, (text) => t.onDelivery(idx, text)));
    }
    const senderIdx = adapter.broadcastEchoesSender ? t.expect.push(0) - 1 : -1;
    t.sender = await openClient(adapter, port, SENDER, (text) =>
      senderIdx >= 0 ? t.onDelivery(senderIdx, text) : t.onStray(text),
    );
    return {
      traffic: t,
      setup: { connections: receivers + 1, ms: performance.now() - start, extensions: t.sender.extensions },
    };
  }

  /** Sends `rate` broadcasts/s for `ms`, then drains. A delivery is one frame arriving at one socket. */
  async run(ms: number, rate: number, frameBytes: number): Promise<TrafficResult> {
    const build = this.adapter.broadcast!;
    const make = frameMaker(this.adapter, (body) => build(SENDER, body), SENDER, null, frameBytes);
    const fanOut = this.expect.length;
    this.pending.clear();
    const seq0 = Math.max(0, ...this.expect);
    this.expect.fill(seq0);
    const phase = (this.phase = {
      running: true as boolean,
      result: {
        sent: 0,
        delivered: 0,
        lost: 0,
        outOfOrder: 0,
        mismatched: 0,
        skipped: 0,
        firstProblem: null as string | null,
      },
      latency: new LatencyRecorder(),
      lag: watchLoopLag(),
      outstanding: 0,
      onDrained: null as (() => void) | null,
    });
    let seq = seq0;
    let due = 0;
    const start = performance.now();
    const timer = setInterval(() => {
      const target = Math.floor(((performance.now() - start) * rate) / 1000);
      let n = Math.min(target - due, 50);
      due = target;
      while (n-- > 0) {
        if (this.pending.size >= MAX_PENDING) {
          phase.result.skipped++;
          continue;
        }
        const frame = make(seq);
        this.pending.set(seq++, { frame, at: performance.now(), remaining: fanOut });
        phase.outstanding += fanOut;
        phase.result.sent++;
        this.sender.send(frame.text);
      }
    }, 1);
    await new Promise((r) => setTimeout(r, ms));
    clearInterval(timer);
    phase.running = false;
    await drain(phase);
    const elapsedMs = performance.now() - start;
    phase.result.lost = phase.outstanding;
    if (phase.outstanding > 0)
      phase.result.firstProblem ??= `${phase.outstanding} deliveries missing ${DRAIN_TIMEOUT_MS} ms after the last broadcast`;
    this.phase = null;
    return { ...phase.result, elapsedMs, latency: phase.latency.summary(), generatorLagP99ms: phase.lag.stop() };
  }

  close(): void {
    this.sender.terminate();
    for (const r of this.receivers) r.terminate();
  }

  private onStray(text: string): void {
    if (this.adapter.isControl(text) || !this.phase) return;
    this.phase.result.mismatched++;
    this.phase.result.firstProblem ??= `sender got: ${text.slice(0, 200)}`;
  }

  private onDelivery(idx: number, text: string): void {
    if (this.adapter.isControl(text)) return;
    const phase = this.phase;
    if (!phase) return;
    let seq = this.expect[idx]!;
    let p = this.pending.get(seq);
    if (!(p && delivered(this.adapter, text, p.frame))) {
      // Find which later broadcast this is; anything else is a wrong frame.
      const found = [...this.pending.entries()].find(([s, q]) => s > seq && delivered(this.adapter, text, q.frame));
      if (!found) {
        phase.result.mismatched++;
        phase.result.firstProblem ??= `receiver ${idx} got an unexpected frame: ${text.slice(0, 200)}`;
        return;
      }
      phase.result.outOfOrder++;
      phase.result.firstProblem ??= `receiver ${idx} got broadcast ${found[0]} while expecting ${seq}`;
      [seq, p] = found;
    }
    this.expect[idx] = seq + 1;
    phase.latency.add(performance.now() - p.at);
    phase.result.delivered++;
    phase.outstanding--;
    if (--p.remaining === 0) this.pending.delete(seq);
    if (!phase.running && phase.outstanding === 0) phase.onDrained?.();
  }
}
