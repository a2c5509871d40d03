// The app's one log sink: electron-log writing main.log in the platform log folder, rotated at 1 MiB
// into five archives, plus a live feed of lines for the dashboard and a Logger for the server core.
import { format } from 'node:util';
import log from 'electron-log/main.js';
import type { LogSource } from '../ipc/deps.js';
import type { Logger, LogLevel, LogLine } from '../server/logger.js';
import { redactingHook } from './log-hook.js';
import { fileLogSource } from './log-reader.js';
import { rotateLogFiles } from './log-rotate.js';

export interface AppLog {
  source: LogSource;
  /** For createSignalServer's `logger`. */
  logger: Logger;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Configures electron-log once; returns the source the dashboard reads and the server's logger. */
export function setupLog(): AppLog {
  log.transports.file.maxSize = 1024 * 1024;
  log.transports.file.archiveLogFn = (old) => rotateLogFiles(old.path, 5);
  log.transports.file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] {text}';
  log.transports.console.level = process.env.RUSTYSIGNAL_LOG_CONSOLE ? 'debug' : false;
  log.errorHandler.startCatching({ showDialog: false });
  // Before any transport (file, dashboard): secrets redacted, control characters escaped (a stack keeps
  // its lines).
  log.hooks.push(redactingHook);

  const listeners = new Set<(l: LogLine) => void>();
  const live = Object.assign(
    (m: { data: unknown[]; date: Date; level: string }) => {
      const line: LogLine = { time: m.date.toISOString(), level: m.level as LogLevel, message: format(...m.data) };
      for (const fn of listeners) fn(line);
    },
    { level: 'info' as const, transforms: [] },
  );
  log.transports.dashboard = live;

  const file = log.transports.file.getFile().path;
  const source = fileLogSource(file, (fn) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  });
  const line = (o: object, m?: string) => [m, Object.keys(o).length ? JSON.stringify(o) : ''].filter(Boolean).join(' ');
  return {
    source,
    logger: {
      debug: (o, m) => log.debug(line(o, m)),
      info: (o, m) => log.info(line(o, m)),
      warn: (o, m) => log.warn(line(o, m)),
      error: (o, m) => log.error(line(o, m)),
    },
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  };
}
