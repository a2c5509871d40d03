// CLI logging through pino: JSON lines with --json-logs, short text lines otherwise.
import { Writable } from 'node:stream';
import { pino, type Logger as Pino } from 'pino';
import type { LogLevel } from './args.js';

const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

type PinoLine = { level: number; msg?: string } & Record<string, unknown>;

/** Turns pino's JSON lines into `LEVEL message key=value` for people reading a terminal. */
function textStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        // pino's own output, so its shape is known: a numeric level, an optional message, any other fields.
        const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as PinoLine;
        const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
        out.write(`${names[level] ?? String(level)}: ${msg ?? ''}${extra.length ? ` ${extra.join(' ')}` : ''}\n`);
      }
      done();
    },
  });
}

/** A pino logger for the CLI (to stdout for JSON, to stderr for text). */
export function createCliLogger(level: LogLevel, json: boolean): Pino {
  return json
    ? pino({ level }, pino.destination({ fd: 1, sync: true }))
    : pino({ level, base: undefined, timestamp: false }, textStream(process.stderr));
}
