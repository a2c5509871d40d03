// Web Push for connection requests: the PushService the router calls (types.ts), built from the push
// options, a subscription store on disk and one HTTPS request per push.
import https from 'node:https';
import type { PushOptions } from '../options.js';
import type { PushResult, ServerProblem } from '../surface.js';
import { silentLogger, type PushLogger } from './logger.js';
import { connectionRequestPayload, pushTtlSeconds } from './payload.js';
import { sendPush, type SendOutcome } from './sender.js';
import { parseSubscriptionData } from './subscription.js';
import { maxSubscriptions, SubscriptionStore } from './subscription-store.js';
import type { PushService, SubscribeOutcome, SubscriptionStoreLike } from './types.js';
import { parseVapidPrivateKey, validateVapidSubject } from './vapid.js';

export type PushServiceOptions = PushOptions & {
  /** Directory holding `push-subscriptions.json`; null keeps subscriptions in memory only. */
  dataDir: string | null;
};

export interface PushServiceDeps {
  /** HTTPS agent for requests to push services (tests: one trusting a test CA). */
  agent?: https.Agent;
  /** Extra CA certificates (PEM) to trust for push services, when no `agent` is given. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** pino-style logger; default silent. */
  logger?: PushLogger;
  /** ms since epoch; default Date.now. */
  now?: () => number;
  /** Something a user should see: a damaged store ('push-store-corrupt'), a failed save or send ('push-failed'). */
  onProblem?: (problem: ServerProblem) => void;
  /**
   * An already open store to use instead of opening `dataDir` (so a service made for new keys shares the
   * old one's subscriptions and pending writes); `dataDir` is then ignored.
   */
  store?: SubscriptionStoreLike;
}

/** The PushService plus what a host may want to show. */
export interface LocalPushService extends PushService {
  /** Its subscriptions; `store.file` is null when kept in memory only (no data dir, or it was unreadable). */
  readonly store: SubscriptionStoreLike;
  /** Problems found while opening the store (also passed to `onProblem`), for hosts that subscribe late. */
  readonly startupProblems: readonly ServerProblem[];
}

/**
 * Creates the push service. Loads the VAPID key and the stored subscriptions synchronously; throws
 * VapidError for an unusable key or subject. Retry-After: a push service that answered with it gets no
 * request before that time (sends are refused with ok:false meanwhile); nothing is retried automatically.
 */
export function createPushService(options: PushServiceOptions, deps: PushServiceDeps = {}): LocalPushService {
  const subject = validateVapidSubject(options.subject);
  const keys = parseVapidPrivateKey(options.vapidPrivateKeyPem);
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const startupProblems: ServerProblem[] = [];
  let opening = true;
  const onProblem = (p: ServerProblem) => {
    if (opening) startupProblems.push(p);
    deps.onProblem?.(p);
  };
  const store = deps.store ?? new SubscriptionStore(options.dataDir, { now, logger, onProblem });
  opening = false;
  const ownAgent = deps.agent === undefined && deps.ca !== undefined ? new https.Agent({ ca: deps.ca }) : undefined;
  const agent = deps.agent ?? ownAgent;
  /** Push service origin -> ms since epoch before which it must not be sent to (its Retry-After). */
  const notBefore = new Map<string, number>();
  const pending = new Set<Promise<PushResult>>();
  let closed = false;

  function describeAnswer(to: string, o: Extract<SendOutcome, { kind: 'answered' }>): string {
    const status = `${o.status}${o.statusText ? ` ${o.statusText}` : ''}`;
    if (o.status === 401 || o.status === 403) {
      return `the push service refused the message to "${to}" (${status}): the subscription was probably made with another VAPID key, so "${to}" must subscribe again`;
    }
    return `the push service refused the message to "${to}" (${status})`;
  }

  async function deliver(room: string, from: string, to: string): Promise<PushResult> {
    const entry = store.get(room, to);
    if (entry === undefined) return { ok: false, status: null, message: `"${to}" has no push subscription` };
    const { endpoint } = entry.subscription;
    const origin = new URL(endpoint).origin;
    const wait = notBefore.get(origin);
    if (wait !== undefined && wait > now()) {
      const message = `not sent: the push service ${origin} asked not to be contacted before ${new Date(wait).toISOString()} (Retry-After)`;
      logger.warn({ room, from, to, origin }, message);
      return { ok: false, status: null, message };
    }
    notBefore.delete(origin);
    const outcome = await sendPush(entry.subscription, connectionRequestPayload(from), {
      vapid: { ...keys, subject },
      encoding: options.encoding,
      ttlSeconds: pushTtlSeconds,
      timeoutMs: options.timeoutMs,
      agent,
      now,
    });
    const log = { room, from, to, origin };
    if (outcome.kind === 'failed') {
      const message = `push to "${to}" failed: ${outcome.message}`;
      logger.warn({ ...log, reason: outcome.reason }, message);
      onProblem({ code: 'push-failed', message });
      return { ok: false, status: null, message };
    }
    const { status } = outcome;
    if (status >= 200 && status < 300) {
      logger.info({ ...log, status }, 'connection request pushed');
      return { ok: true, status, message: null };
    }
    if (status === 404 || status === 410) {
      // Only if it was not replaced by a fresh subscription while this request was in flight.
      const deleted = store.delete(room, to, endpoint);
      const message = deleted
        ? `the push subscription of "${to}" has expired (${status}) and was deleted; "${to}" must subscribe again`
        : `the push subscription of "${to}" had expired (${status}); "${to}" has subscribed again since`;
      logger.info({ ...log, status }, message);
      return { ok: false, status, message };
    }
    let message = describeAnswer(to, outcome);
    if (outcome.retryAfterMs !== null) {
      const until = now() + outcome.retryAfterMs;
      notBefore.set(origin, Math.max(until, notBefore.get(origin) ?? 0));
      message += `; nothing is sent to this push service before ${new Date(until).toISOString()} (Retry-After)`;
    }
    logger.warn({ ...log, status, body: outcome.body }, message);
    onProblem({ code: 'push-failed', message });
    return { ok: false, status, message };
  }

  return {
    publicKey: keys.publicKey,
    store,
    startupProblems,
    subscriptionCount: () => store.size,
    isSubscribed: (room, name) => store.get(room, name) !== undefined,
    subscribe(room, name, data): SubscribeOutcome {
      const parsed = parseSubscriptionData(data);
      if (!parsed.ok) return { ok: false, code: 'invalid-subscription', message: parsed.message };
      if (!store.set(room, name, parsed.subscription)) {
        return {
          ok: false,
          code: 'invalid-subscription',
          message: `the server already holds the maximum of ${maxSubscriptions} push subscriptions`,
        };
      }
      return { ok: true };
    },
    unsubscribe: (room, name) => store.delete(room, name),
    connectionRequest(room, from, to) {
      if (closed) return Promise.resolve({ ok: false, status: null, message: 'push is shutting down' });
      const p = deliver(room, from, to).catch((e: unknown): PushResult => {
        // deliver() handles every expected failure; this is a bug guard so the router never sees a rejection.
        logger.error({ err: e, room, from, to }, 'push send crashed');
        return { ok: false, status: null, message: `push to "${to}" failed: ${(e as Error).message}` };
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
      return p;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      await store.flush();
      ownAgent?.destroy();
    },
  };
}
