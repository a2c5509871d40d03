// One-to-one traffic over sender→receiver pairs: closed loop (throughput) and fixed rate (latency).
import type WebSocket from 'ws';
import { delivered, frameMaker, type SentFrame, type WireAdapter } from '../wire.js';
import { openClient } from './connect.js';
import { DRAIN_TIMEOUT_MS, drain } from './drain.js';
import { LatencyRecorder, watchLoopLag } from './latency.js';
import type { SetupResult, TrafficResult } from './messages.js';

/** Open loop: a pair with this many messages outstanding skips its turn (the server is behind). */
const MAX_OUTSTANDING_PER_PAIR = 1000;
/** Open loop: most messages sent in one timer tick, so a stalled timer does not cause a huge burst. */
const MAX_BURST = 200;

interface Pair {
  from: string;
  to: string;
  sender: WebSocket;
  make: (seq: number) => SentFrame;
  nextSeq: number;
  /** Sent and not yet delivered, oldest first, with the send time (performance.now()). */
  outstanding: { frame: SentFrame; at: number }[];
}

interface Phase {
  mode: 'closed-loop' | 'fixed-rate';
  running: boolean;
  result: Omit<TrafficResult, 'latency' | 'elapsedMs' | 'generatorLagP99ms'>;
  latency: LatencyRecorder;
  lag: { stop(): number };
  outstanding: number;
  onDrained: (() => void) | null;
}

/** Sender/receiver pairs (`a0`→`b0`, …) on one server, driven one phase at a time. */
export class PairTraffic {
  private pairs: Pair[] = [];
  private receivers: WebSocket[] = [];
  private phase: Phase | null = null;
  private frameBytes = 0;

  private constructor(private readonly adapter: WireAdapter) {}

  /** Connects 2 × `count` clients (receivers first, so every target exists before anything is sent). */
  static async open(
    adapter: WireAdapter,
    port: number,
    count: number,
  ): Promise<{ traffic: PairTraffic; setup: SetupResult }> {
    const t = new PairTraffic(adapter);
    const start = performance.now();
    const receivers: WebSocket[] = [];
    for (let i = 0; i < count; i++) {
      const idx = i;
      receivers.push(await openClient(adapter, port, `b${i}`, (text) => t.onDelivery(idx, text)));
    }
    for (let i = 0; i < count; i++) {
      const sender = await openClient(adapter, port, `a${i}`, (text) => t.onSenderMessage(text));
      t.pairs.push({
        from: `a${i}`,
        to: `b${i}`,
        sender,
        make: () => {
          throw new Error('no frame size yet');
        },
        nextSeq: 0,
        outstanding: [],
      });
    }
    t.receivers = receivers;
    const extensions = receivers[0]?.extensions ?? '';
    return { traffic: t, setup: { connections: 2 * count, ms: performance.now() - start, extensions } };
  }

  /** Every pair keeps `inFlight` messages outstanding for `ms`; then no new sends, and the phase drains. */
  async closedLoop(ms: number, inFlight: number, frameBytes: number): Promise<TrafficResult> {
    const phase = this.begin('closed-loop', frameBytes);
    const start = performance.now();
    for (const p of this.pairs) for (let i = 0; i < inFlight; i++) this.send(p);
    await new Promise((r) => setTimeout(r, ms));
    phase.running = false;
    return this.finish(phase, start);
  }

  /** Sends `rate` messages/s in total, round-robin over the pairs, for `ms`; then drains. */
  async fixedRate(ms: number, rate: number, frameBytes: number): Promise<TrafficResult> {
    const phase = this.begin('fixed-rate', frameBytes);
    const start = performance.now();
    let due = 0;
    let rr = 0;
    const tick = () => {
      const target = Math.floor(((performance.now() - start) * rate) / 1000);
      let burst = Math.min(target - due, MAX_BURST);
      due = target;
      while (burst-- > 0) {
        const p = this.pairs[rr++ % this.pairs.length]!;
        if (p.outstanding.length >= MAX_OUTSTANDING_PER_PAIR) phase.result.skipped++;
        else this.send(p);
      }
    };
    const timer = setInterval(tick, 1);
    await new Promise((r) => setTimeout(r, ms));
    clearInterval(timer);
    phase.running = false;
    return this.finish(phase, start);
  }

  close(): void {
    for (const p of this.pairs) p.sender.terminate();
    for (const r of this.receivers) r.terminate();
  }

  private begin(mode: Phase['mode'], frameBytes: number): Phase {
    if (frameBytes !== this.frameBytes) {
      this.frameBytes = frameBytes;
      for (const p of this.pairs)
        p.make = frameMaker(
          this.adapter,
          (body) => this.adapter.oneToOne(p.from, p.to, body),
          p.from,
          p.to,
          frameBytes,
        );
    }
    for (const p of this.pairs) p.outstanding.length = 0;
    this.phase = {
      mode,
      running: true,
      result: { sent: 0, delivered: 0, lost: 0, outOfOrder: 0, mismatched: 0, skipped: 0, firstProblem: null },
      latency: new LatencyRecorder(),
      lag: watchLoopLag(),
      outstanding: 0,
      onDrained: null,
    };
    return this.phase;
  }

  private async finish(phase: Phase, start: number): Promise<TrafficResult> {
    await drain(phase);
    const elapsedMs = performance.now() - start;
    phase.result.lost = phase.outstanding;
    if (phase.outstanding > 0)
      phase.result.firstProblem ??= `${phase.outstanding} messages not delivered ${DRAIN_TIMEOUT_MS} ms after the last send`;
    this.phase = null;
    return { ...phase.result, elapsedMs, latency: phase.latency.summary(), generatorLagP99ms: phase.lag.stop() };
  }

  private send(p: Pair): void {
    const phase = this.phase!;
    const frame = p.make(p.nextSeq++);
    p.outstanding.push({ frame, at: performance.now() });
    phase.outstanding++;
    phase.result.sent++;
    p.sender.send(frame.text);
  }

  private onSenderMessage(text: string): void {
    if (this.adapter.isControl(text) || !this.phase) return;
    // Senders receive nothing in these scenarios: anything is an error reply from the server.
    this.phase.result.mismatched++;
    this.phase.result.firstProblem ??= `sender got: ${text.slice(0, 200)}`;
  }

  private onDelivery(idx: number, text: string): void {
    if (this.adapter.isControl(text)) return;
    const phase = this.phase;
    const p = this.pairs[idx];
    if (!phase || !p) return;
    const q = p.outstanding;
    let i = 0;
    if (!(q.length > 0 && delivered(this.adapter, text, q[0]!.frame))) {
      i = q.findIndex((o) => delivered(this.adapter, text, o.frame));
      if (i < 0) {
        phase.result.mismatched++;
        phase.result.firstProblem ??= `${p.to} got an unexpected frame: ${text.slice(0, 200)}`;
        return;
      }
      phase.result.outOfOrder++;
      phase.result.firstProblem ??= `${p.to} got seq ${q[i]!.frame.body.slice(0, 10)} before ${q[0]!.frame.body.slice(0, 10)}`;
    }
    const o = i === 0 ? q.shift()! : q.splice(i, 1)[0]!;
    phase.latency.add(performance.now() - o.at);
    phase.result.delivered++;
    phase.outstanding--;
    if (phase.running) {
      if (phase.mode === 'closed-loop') this.send(p);
    } else if (phase.outstanding === 0) phase.onDrained?.();
  }
}
