// The logging shape push code writes to: pino's (object first, then message), so the server's pino
// logger can be passed as is.
export interface PushLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Drops everything; the default when no logger is given. */
export const silentLogger: PushLogger = { info() {}, warn() {}, error() {} };
