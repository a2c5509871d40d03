// Waiting for the messages still in flight at the end of a traffic phase, bounded.

/** A traffic phase whose in-flight messages can be waited for. */
export interface Drainable {
  outstanding: number;
  onDrained: (() => void) | null;
}

/** How long a phase waits for in-flight messages after its last send, in ms. */
export const DRAIN_TIMEOUT_MS = 10_000;

/** Resolves when `phase` has nothing in flight, or after DRAIN_TIMEOUT_MS (what is left then is lost). */
export async function drain(phase: Drainable): Promise<void> {
  if (phase.outstanding === 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
    phase.onDrained = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}
