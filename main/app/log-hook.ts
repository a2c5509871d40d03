// What the app log does to every record before any transport (file, dashboard) sees it: secrets
// redacted, control characters escaped (a stack keeps its lines). No electron import, so it is testable.
import { redactFields, redactSecrets, safeLogText } from '../server/log-safety.js';

/** electron-log hook: every argument of a log call made safe to write (see server/log-safety.ts). */
export function redactingHook<M extends { data: unknown[] }>(message: M): M {
  return { ...message, data: message.data.map(safeArgument) };
}

function safeArgument(a: unknown): unknown {
  if (typeof a === 'string') return safeLogText(a);
  if (a instanceof Error) return redactSecrets(a.stack ?? a.message);
  return redactFields(a);
}
