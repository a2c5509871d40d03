// Plugs the push service into the server core (signal-server.ts `deps.pushFactory`).
import type https from 'node:https';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { PushOptions } from '../options.js';
import type { ServerProblem } from '../report-types.js';
import { createPushService } from './push-service.js';
import type { SubscriptionStoreLike } from './subscription-store.js';
import type { PushService } from './types.js';

/** Creates the push service for a key pair; the default is pushServiceFactory(), tests may pass their own agent. */
export type PushFactory = (
  options: PushOptions,
  context: {
    dataDir: string | null;
    logger: Logger;
    clock: Clock;
    onProblem: (p: ServerProblem) => void;
    /** Clustered: the subscriptions every node shares (in Redis), instead of a file in dataDir. */
    store?: SubscriptionStoreLike;
  },
) => PushService | Promise<PushService>;

/**
 * Returns a PushFactory for createSignalServer. Services it makes for the same data directory share
 * one subscription store, so replacing the keys (reconfigure) or restarting the server in the same
 * process never has two writers of one file. `agent`/`ca`: how to trust push services (tests).
 */
export function pushServiceFactory(extra: { agent?: https.Agent; ca?: string | Buffer } = {}): PushFactory {
  let shared: { dataDir: string | null; store: SubscriptionStoreLike } | null = null;
  return (options, ctx) => {
    const deps = { ...extra, logger: ctx.logger, now: () => ctx.clock.now(), onProblem: ctx.onProblem };
    // Clustered: every node shares the subscriptions kept in Redis.
    if (ctx.store) return createPushService({ ...options, dataDir: null }, { ...deps, store: ctx.store });
    if (shared === null || shared.dataDir !== ctx.dataDir) {
      // Opening reports a damaged store through onProblem; a bad key throws before anything is opened.
      const service = createPushService({ ...options, dataDir: ctx.dataDir }, deps);
      shared = { dataDir: ctx.dataDir, store: service.store };
      return service;
    }
    return createPushService({ ...options, dataDir: ctx.dataDir }, { ...deps, store: shared.store });
  };
}
