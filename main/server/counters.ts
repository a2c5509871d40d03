// Plain numbers the hot path bumps (one increment per message at most); the metrics module reads them when
// /metrics is scraped, so a message never pays for label lookups.
import type { Dialect, ErrorCode, RouteProtocol } from './protocol.js';

export type PushOutcome = 'sent' | 'failed' | 'throttled';

export class Counters {
  /** Relayed messages by protocol, then dialect - 1. */
  readonly messages: Record<RouteProtocol, [number, number]> = {
    'one-to-one': [0, 0],
    'one-to-all': [0, 0],
    'one-to-self': [0, 0],
  };
  readonly errors = new Map<ErrorCode, number>();
  readonly push: Record<PushOutcome, number> = { sent: 0, failed: 0, throttled: 0 };
  rateLimitCloses = 0;

  message(protocol: RouteProtocol, dialect: Dialect): void {
    const m = this.messages[protocol];
    if (dialect === 1) m[0]++;
    else m[1]++;
  }

  error(code: ErrorCode): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }
}
