// Builds the real signaling server for the desktop host: the core plus Web Push, logging to the app log.
// Plain Node (no electron), so tests and the dashboard's browser tests build the very same server.
import type { Logger } from '../server/logger.js';
import type { ServerOptions } from '../server/options.js';
import { pushServiceFactory } from '../server/push/factory.js';
import { createSignalServer } from '../server/signal-server.js';
import type { SignalServer } from '../server/surface.js';

export type ServerFactory = (options: ServerOptions) => SignalServer;

/**
 * The production factory. One push factory serves every server it makes, so restarts in this process
 * share one subscription store. `stopGraceMs` bounds how long stopping waits for clients (default 2000).
 */
export function serverFactory(opts: { logger?: Logger; stopGraceMs?: number } = {}): ServerFactory {
  const pushFactory = pushServiceFactory();
  return (options) =>
    createSignalServer(options, {
      pushFactory,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.stopGraceMs !== undefined ? { stopGraceMs: opts.stopGraceMs } : {}),
    });
}
