// The commands the bench sends to a load-generator process, and what it answers.
import type { Dialect } from '../wire.js';

export type GeneratorCommand =
  /** Opens `pairs` sender/receiver pairs (2 × pairs connections). */
  | { cmd: 'pairs-setup'; dialect: Dialect; port: number; pairs: number }
  /** Closed loop: every pair keeps `inFlight` messages outstanding for `ms`, then drains. */
  | { cmd: 'closed-loop'; ms: number; inFlight: number; frameBytes: number }
  /** Open loop: `rate` messages/s in total, spread over the pairs, for `ms`, then drains. */
  | { cmd: 'fixed-rate'; ms: number; rate: number; frameBytes: number }
  /** Opens one sender and `receivers` receivers for broadcasts. */
  | { cmd: 'broadcast-setup'; dialect: Dialect; port: number; receivers: number }
  /** `rate` broadcasts/s for `ms`, then drains. */
  | { cmd: 'broadcast'; ms: number; rate: number; frameBytes: number }
  /** Opens idle registered clients until `upTo` are connected, `concurrency` handshakes at a time. */
  | { cmd: 'idle-connect'; dialect: Dialect; port: number; upTo: number; concurrency: number }
  /** Sends one message to `samples` idle clients spread over all of them and counts deliveries. */
  | { cmd: 'idle-probe'; samples: number; frameBytes: number }
  /** How many WebSocket pings the idle clients have received so far (heartbeats of the server). */
  | { cmd: 'idle-pings' };

/** Latency summary in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Result of a traffic phase, counted after the drain. */
export interface TrafficResult {
  sent: number;
  /** Deliveries (a broadcast counts once per receiving connection). */
  delivered: number;
  /** Deliveries expected but not seen by the end of the drain. */
  lost: number;
  /** Frames that arrived after a later frame of the same sender. */
  outOfOrder: number;
  /** Frames that matched no sent frame (altered bytes, error texts, duplicates). */
  mismatched: number;
  /** Sends skipped because too many were outstanding (open loop only: the server fell behind). */
  skipped: number;
  /** From the first send to the end of the drain. */
  elapsedMs: number;
  latency: LatencySummary;
  /** p99 of the generator's own event-loop delay during the phase, in ms: high values mean the load
   *  generator itself was starved (shared cores), so its latency figures carry that noise. */
  generatorLagP99ms: number;
  /** First problem seen, for the report. */
  firstProblem: string | null;
}

export interface SetupResult {
  connections: number;
  ms: number;
  /** Negotiated WebSocket extensions of the first connection ('' when none). */
  extensions: string;
}

export interface IdleConnectResult {
  connected: number;
  /** Time to open the connections of this step, in ms. */
  ms: number;
  failed: number;
  firstProblem: string | null;
}

export interface PingCount {
  pings: number;
}

export interface ProbeResult {
  tried: number;
  reached: number;
}

export type GeneratorReply = { ok: true; result: unknown } | { ok: false; error: string };
