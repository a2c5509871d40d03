// CLI logging through pino: JSON lines with --json-logs, short text lines otherwise. Either way secrets
// are redacted; text lines also escape control characters (JSON already does).
// The text printer stays hand-written rather than pino-pretty: pino-pretty would add 10 packages to what
// the app ships for these 20 lines, and would still need custom prettifiers to escape control characters
// in every key and value (log injection) and to keep the one-line `level: message key=value` form.
import { Writable } from 'node:stream';
import { pino, type Logger as Pino, type LoggerOptions } from 'pino';
import { redactFields, redactSecrets, safeLogText } from '../server/log-safety.js';
import type { LogLevel } from './args.js';

const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** One `LEVEL: message key=value` line for a pino JSON record, secrets redacted and controls escaped. */
export function textLine(record: Record<string, unknown>): string {
  const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = record;
  const extra = Object.entries(rest).map(
    ([k, v]) => `${safeLogText(k)}=${safeLogText(typeof v === 'string' ? v : JSON.stringify(v))}`,
  );
  const text = safeLogText(typeof msg === 'string' ? msg : '');
  return `${names[level as number] ?? String(level)}: ${text}${extra.length ? ` ${extra.join(' ')}` : ''}\n`;
}

/** Turns pino's JSON lines into text lines for people reading a terminal. */
function textStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        out.write(textLine(JSON.parse(line) as Record<string, unknown>));
      }
      done();
    },
  });
}

// Secrets never reach either format: members named like secrets, and secrets inside URLs and messages.
const redacting: LoggerOptions = {
  formatters: { log: (o) => redactFields(o) as Record<string, unknown> },
  hooks: {
    logMethod(args, method) {
      method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
    },
  },
};

/** A pino logger for the CLI (to stdout for JSON, to stderr for text). */
export function createCliLogger(level: LogLevel, json: boolean): Pino {
  return json
    ? pino({ level, ...redacting }, pino.destination({ fd: 1, sync: true }))
    : pino({ level, base: undefined, timestamp: false, ...redacting }, textStream(process.stderr));
}
