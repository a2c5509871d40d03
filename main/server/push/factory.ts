// Plugs the push service into the server core (signal-server.ts `deps.pushFactory`).
import type https from 'node:https';
import type { PushFactory } from '../signal-server.js';
import { createPushService } from './push-service.js';
import type { SubscriptionStoreLike } from './subscription-store.js';

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
