// Reconnect delays: exponential, capped, with jitter so a room full of phones that lost the server at
// the same moment does not come back in one burst.

export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 500. */
  initialMs?: number;
  /** Upper bound of any delay, in ms. Default 15000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
}

export const defaultBackoff: Required<BackoffOptions> = { initialMs: 500, maxMs: 15_000, factor: 2 };

/**
 * Delay in ms before retry number `attempt` (0-based): the capped exponential value scaled by a
 * random factor in [0.5, 1), so it never exceeds `maxMs` and never drops below half the nominal delay.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialMs, maxMs, factor } = { ...defaultBackoff, ...options };
  const nominal = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  return Math.round(nominal * (0.5 + 0.5 * Math.min(Math.max(random(), 0), 0.999999)));
}
