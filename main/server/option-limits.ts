// The bounds of every numeric and text server option, as plain data. options.ts builds its schema from
// this table and the dashboard checks its form against it, so a limit exists once. Import-free (no node,
// no zod): the dashboard bundle imports it.
import { DAY_MS, KiB, MiB } from './units.js';

export interface NumberLimit {
  min: number;
  /** Absent: no upper bound beyond what a JavaScript number holds exactly. */
  max?: number;
  /** Whole numbers only. */
  integer: boolean;
}

export interface TextLimit {
  minLength: number;
  maxLength?: number;
}

export const numberLimits = {
  port: { min: 0, max: 65535, integer: true },
  // Timers hold at most 2^31-1 ms; a day is far below that and far above any useful value.
  pingIntervalMs: { min: 50, max: DAY_MS, integer: true },
  maxPayloadBytes: { min: 256, max: 64 * MiB, integer: true },
  maxBufferedBytes: { min: 64 * KiB, integer: true },
  offlineTtlMs: { min: 0, max: DAY_MS, integer: true },
  offlineQueueMax: { min: 1, max: 10_000, integer: true },
  maxConnections: { min: 0, integer: true },
  'rateLimit.perSecond': { min: 0, integer: false },
  'rateLimit.burst': { min: 1, integer: true },
  offlineQueueBytes: { min: 64 * KiB, max: 1024 * MiB, integer: true },
  offlineQueueSenderBytes: { min: 64 * KiB, max: 1024 * MiB, integer: true },
  requestTimeoutMs: { min: 500, max: 120_000, integer: true },
  'push.timeoutMs': { min: 100, integer: true },
  'push.maxInFlight': { min: 1, max: 1000, integer: true },
  'push.maxInFlightPerConnection': { min: 1, max: 100, integer: true },
  'push.maxResponseBytes': { min: 1 * KiB, max: 1 * MiB, integer: true },
  'push.maxSubscriptions': { min: 1, max: 100_000, integer: true },
  'push.subscriptionsPerAddress': { min: 1, max: 100_000, integer: true },
  'push.subscriptionTtlMs': { min: 60_000, integer: true },
  /** 0 turns the relay off. */
  'relay.port': { min: 0, max: 65535, integer: true },
  /** Each end of the range relayed addresses use: unprivileged ports only. */
  'relay.relayPorts': { min: 1024, max: 65535, integer: true },
} as const satisfies Record<string, NumberLimit>;

export const textLimits = {
  accessKey: { minLength: 1, maxLength: 256 },
  // An mDNS instance name is one DNS label.
  'mdns.name': { minLength: 1, maxLength: 63 },
  'mdns.interface': { minLength: 1 },
  dataDir: { minLength: 1 },
  webClientDir: { minLength: 1 },
} as const satisfies Record<string, TextLimit>;

export type NumberOption = keyof typeof numberLimits;
export type TextOption = keyof typeof textLimits;
