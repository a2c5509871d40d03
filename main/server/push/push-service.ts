// Web Push for connection requests: the PushService the router calls (types.ts), built from the push
// options, a subscription store on disk and one HTTPS request per push.
import { createHash } from 'node:crypto';
import https from 'node:https';
import { pushLimitsSchema, type PushOptions } from '../options.js';
import { escapeControls } from '../log-safety.js';
import type { PushResult, ServerProblem } from '../report-types.js';
import { silentLogger, type PushLogger } from './logger.js';
import { connectionRequestPayload, pushTtlSeconds } from './payload.js';
import { checkEndpoint } from './endpoint-guard.js';
import { sendPush, type SendOutcome } from './sender.js';
import { parseSubscriptionData } from './subscription.js';
import { SubscriptionStore, type SubscriptionStoreLike } from './subscription-store.js';
import type { PushRequester, PushService, SubscribeOutcome } from './types.js';
import { parseVapidPrivateKey, validateVapidSubject } from './vapid.js';

export type PushServiceOptions = Partial<PushOptions> &
  Pick<PushOptions, 'vapidPrivateKeyPem' | 'subject'> & {
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

/** The endpoint named in what a client sent as `subscriptionData` (object or JSON text), or null. */
function endpointOf(data: unknown): string | null {
  let v = data;
  if (typeof v === 'string') {
    if (v.length > 4096) return null;
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  const e = typeof v === 'object' && v !== null ? (v as { endpoint?: unknown }).endpoint : undefined;
  return typeof e === 'string' ? e : null;
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
export function createPushService(input: PushServiceOptions, deps: PushServiceDeps = {}): LocalPushService {
  const { dataDir, vapidPrivateKeyPem, subject: contact, ...bounds } = input;
  const options = { ...pushLimitsSchema.parse(bounds), vapidPrivateKeyPem, subject: contact, dataDir };
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
  const limits = () => ({
    maxEntries: options.maxSubscriptions,
    perAddress: options.subscriptionsPerAddress,
    ttlMs: options.subscriptionTtlMs,
  });
  const store = deps.store ?? new SubscriptionStore(options.dataDir, { now, logger, onProblem, limits });
  opening = false;
  const ownAgent = deps.agent === undefined && deps.ca !== undefined ? new https.Agent({ ca: deps.ca }) : undefined;
  const agent = deps.agent ?? ownAgent;
  /** Push service origin -> ms since epoch before which it must not be sent to (its Retry-After). */
  const notBefore = new Map<string, number>();
  const pending = new Set<Promise<PushResult>>();
  /** Sends in flight per requester (a connection), for the per-connection bound. */
  const inFlightBy = new WeakMap<object, number>();
  /** room/name -> the connection that made or last confirmed the subscription (in memory only). */
  const sessionOwner = new Map<string, WeakRef<object>>();
  let closed = false;
  const ownerKey = (room: string, name: string) => JSON.stringify([room, name]);
  const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

  /** Whether `who` may replace or delete room/name's stored subscription (`endpoint`: what it presents). */
  function owns(room: string, name: string, who: PushRequester | undefined, endpoint: string | null): boolean {
    if (who === undefined) return true;
    const entry = store.get(room, name);
    if (entry === undefined) return true;
    // The endpoint is a capability URL only the subscribing browser (and its push service) knows.
    if (endpoint !== null && endpoint === entry.subscription.endpoint) return true;
    if (sessionOwner.get(ownerKey(room, name))?.deref() === who.session) return true;
    return entry.ownerHash !== null && who.secret !== null && hashSecret(who.secret) === entry.ownerHash;
  }
  const notOwner = (name: string): SubscribeOutcome => ({
    ok: false,
    code: 'push-refused',
    message: `"${name}" already has a push subscription made on another device; only that device (or a client presenting the pushSecret it set) can replace or remove it`,
  });
  function describeAnswer(to: string, o: Extract<SendOutcome, { kind: 'answered' }>): string {
    const status = `${o.status}${o.statusText ? ` ${o.statusText}` : ''}`;
    if (o.status === 401 || o.status === 403) {
      return `the push service refused the message to "${to}" (${status}): the subscription was probably made with another VAPID key, so "${to}" must subscribe again`;
    }
    return `the push service refused the message to "${to}" (${status})`;
  }

  /** Problem for the dashboard and the log (one line), with remote text escaped. */
  function report(message: string): void {
    onProblem({ code: 'push-failed', message: escapeControls(message) });
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
      allowHosts: options.allowHosts,
      maxResponseBytes: options.maxResponseBytes,
    });
    const log = { room, from, to, origin };
    if (outcome.kind === 'failed') {
      // The requester learns that it was refused, never why on the network (no port scanner).
      report(`push to "${to}" (${origin}) failed: ${outcome.message}`);
      const message =
        outcome.reason === 'refused'
          ? `push to "${to}" refused: its subscription does not point to a push service this server sends to`
          : `push to "${to}" refused: the push service could not be used`;
      return { ok: false, status: null, message };
    }
    const { status } = outcome;
    if (status >= 200 && status < 300) {
      store.touch(room, to);
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
    const body = outcome.body.trim();
    report(body ? `${message}; it said: ${body.slice(0, 300)}` : message);
    return { ok: false, status, message };
  }

  return {
    publicKey: keys.publicKey,
    store,
    startupProblems,
    subscriptionCount: () => store.size,
    isSubscribed: (room, name) => store.get(room, name) !== undefined,
    subscribe(room, name, data, who): SubscribeOutcome {
      const parsed = parseSubscriptionData(data);
      if (!parsed.ok) return { ok: false, code: 'invalid-subscription', message: parsed.message };
      // Refused early when it can be told without DNS (an IP literal on the LAN, a port other than 443);
      // names are checked again, against what they resolve to, at each send.
      const verdict = checkEndpoint(parsed.subscription.endpoint, options.allowHosts);
      if (!verdict.ok)
        return {
          ok: false,
          code: 'push-refused',
          message: 'this server does not send push messages to that endpoint: it must be a public push service',
        };
      if (!owns(room, name, who, parsed.subscription.endpoint)) return notOwner(name);
      const old = store.get(room, name);
      const ownerHash = who?.secret ? hashSecret(who.secret) : (old?.ownerHash ?? null);
      switch (store.set(room, name, parsed.subscription, who?.address ?? '', ownerHash)) {
        case 'full':
          return {
            ok: false,
            code: 'push-refused',
            message: `the server already holds the maximum of ${options.maxSubscriptions} push subscriptions`,
          };
        case 'address-full':
          return {
            ok: false,
            code: 'push-refused',
            message: `this device already made the maximum of ${options.subscriptionsPerAddress} push subscriptions; unsubscribe some first`,
          };
        case 'ok':
          if (who) sessionOwner.set(ownerKey(room, name), new WeakRef(who.session));
          return { ok: true };
      }
    },
    unsubscribe(room, name, who, data): SubscribeOutcome {
      const endpoint =
        typeof data === 'string'
          ? endpointOf(data)
          : typeof data === 'object' && data !== null
            ? endpointOf(data)
            : null;
      if (!owns(room, name, who, endpoint)) return notOwner(name);
      store.delete(room, name);
      sessionOwner.delete(ownerKey(room, name));
      return { ok: true };
    },
    connectionRequest(room, from, to, requester) {
      if (closed) return Promise.resolve({ ok: false, status: null, message: 'push is shutting down' });
      const mine = requester === undefined ? 0 : (inFlightBy.get(requester) ?? 0);
      if (pending.size >= options.maxInFlight || mine >= options.maxInFlightPerConnection) {
        const message =
          pending.size >= options.maxInFlight
            ? `push to "${to}" refused: the server is sending as many push messages as it may; try again in a few seconds`
            : `push to "${to}" refused: ${options.maxInFlightPerConnection} of your push requests are still on their way; wait for their results`;
        return Promise.resolve({ ok: false, status: null, message });
      }
      if (requester !== undefined) inFlightBy.set(requester, mine + 1);
      const p = deliver(room, from, to).catch((e: unknown): PushResult => {
        // deliver() handles every expected failure; this is a bug guard so the router never sees a rejection.
        logger.error({ err: e, room, from, to }, 'push send crashed');
        return { ok: false, status: null, message: `push to "${to}" failed` };
      });
      pending.add(p);
      void p.finally(() => {
        pending.delete(p);
        if (requester !== undefined) {
          const n = (inFlightBy.get(requester) ?? 1) - 1;
          if (n > 0) inFlightBy.set(requester, n);
          else inFlightBy.delete(requester);
        }
      });
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
