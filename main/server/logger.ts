/** The logging the server needs; pino's logger satisfies it, and so does electron-log with an adapter. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const nothing = () => {};
export const silentLogger: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing };

/** The levels of the app's log file (electron-log's), as the dashboard's log view filters them. */
export type LogLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug' | 'silly';

/** One line of the log as read back from the file or as it is written. */
export interface LogLine {
  /** ISO 8601 as written in the log file (or empty when the line had none). */
  time: string;
  level: LogLevel;
  message: string;
}
