// Reading the app log back for the dashboard: electron-log's default line format parsed into LogLines,
// a file source (tail of the current log file) and a memory source for plain Node. No electron import.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { LogSource } from '../ipc/deps.js';
import type { Logger, LogLevel, LogLine } from '../server/logger.js';

const levels: readonly LogLevel[] = ['error', 'warn', 'info', 'verbose', 'debug', 'silly'];
// electron-log's default file format: `[2026-11-26 11:31:00.123] [info]  text`.
const lineRe = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\] \[(\w+)\]\s+(.*)$/;

/** Parses electron-log lines; a line that does not start a record continues the previous one. */
export function parseLogText(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = lineRe.exec(raw);
    if (m) {
      const level = (levels as string[]).includes(m[2]!) ? (m[2] as LogLevel) : 'info';
      out.push({ time: m[1]!.replace(' ', 'T'), level, message: m[3]! });
    } else if (raw !== '') {
      const last = out.at(-1);
      if (last) last.message += `\n${raw}`;
      else out.push({ time: '', level: 'info', message: raw });
    }
  }
  return out;
}

/** Reads the last `maxBytes` of a file (default 256 KiB); '' when it does not exist. */
async function tail(file: string, maxBytes = 256 * 1024): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    // Drop the partial first line when we started mid-file.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await fh.close();
  }
}

/** A LogSource over electron-log's file; `subscribe` lets the app push each new line as it is written. */
export function fileLogSource(file: string, subscribe?: (fn: (line: LogLine) => void) => () => void): LogSource {
  return {
    folder: path.dirname(file),
    recent: async (limit) => parseLogText(await tail(file)).slice(-limit),
    ...(subscribe ? { onLine: subscribe } : {}),
  };
}

/** A LogSource that keeps the newest `capacity` lines in memory (default 2000), plus a Logger writing to it. */
export function memoryLogSource(
  folder: string,
  capacity = 2000,
): LogSource & { logger: Logger; write(level: LogLevel, message: string): void } {
  const lines: LogLine[] = [];
  const listeners = new Set<(l: LogLine) => void>();
  const write = (level: LogLevel, message: string) => {
    const line = { time: new Date().toISOString(), level, message };
    lines.push(line);
    if (lines.length > capacity) lines.shift();
    for (const fn of listeners) fn(line);
  };
  const fmt = (obj: object, msg?: string) =>
    [msg, Object.keys(obj).length ? JSON.stringify(obj) : ''].filter(Boolean).join(' ');
  return {
    folder,
    recent: (limit) => Promise.resolve(lines.slice(-limit)),
    onLine(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    write,
    logger: {
      debug: (o, m) => write('debug', fmt(o, m)),
      info: (o, m) => write('info', fmt(o, m)),
      warn: (o, m) => write('warn', fmt(o, m)),
      error: (o, m) => write('error', fmt(o, m)),
    },
  };
}
