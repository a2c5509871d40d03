// socket frame → parse → route → deliver. v1 recipients get the sender's exact bytes; v2 recipients get
// them with the server's `from` appended (protocol.stampFrom).
import type { Clock } from './clock.js';
import type { Counters } from './counters.js';
import { KeyedThrottle } from './limits.js';
import { CloseCode, relayFrame, sendingBurst, type Connection } from './connection.js';
import type { OfflineQueue } from './offline-queue.js';
import { parseClientFrame, v1Text, type ClientMessage } from './protocol.js';
import type { PushService } from './push/types.js';
import type { Directory } from './registry.js';

const queueFullMessage = {
  'sender-budget':
    'Messages from your address waiting for offline users already use all the queue space one address may have; this message was not held. Send it again once the recipient is connected.',
  'total-budget':
    'The offline queue is full; this message was not held. Send it again once the recipient is connected.',
} as const;

/** Least time between two push connection requests from one sender to one target, in ms. */
export const pushRequestIntervalMs = 5000;

export class Router {
  readonly #pushThrottle = new KeyedThrottle(pushRequestIntervalMs);

  constructor(
    /** The registry, or (clustered, while started) a directory that also knows the other nodes' names. */
    public directory: Directory,
    private readonly queue: OfflineQueue,
    private readonly clock: Clock,
    /** The push service in force now (null when push is off); it can change with reconfigure. */
    private readonly push: () => PushService | null,
    private readonly counters: Counters,
  ) {}

  /** Handles one frame received on `conn`. */
  onFrame(conn: Connection, data: Buffer, isBinary: boolean): void {
    if (conn.superseded) return;
    conn.messagesIn++;
    const verdict = conn.limiter.take(this.clock);
    if (verdict === 'close') {
      // Frames already read after the close count once.
      if (conn.ws.readyState === 1) this.counters.rateLimitCloses++;
      return conn.close(CloseCode.policy, 'message rate limit exceeded');
    }
    if (verdict === 'drop') return conn.fail('rate-limited', v1Text.rateLimited);
    if (isBinary) return conn.fail('binary-unsupported', v1Text.binaryUnsupported);

    const m = parseClientFrame(data.toString());
    if (typeof m === 'string') return conn.fail(m, v1Text.invalidProtocol);
    if (m.push !== null) {
      this.#pushCommand(conn, m);
      // A v2 push command needs no protocol; a v1 one still gets the original's routing error.
      if (m.protocol === null && conn.dialect === 2) return;
    }
    if (m.protocol !== null) this.counters.message(m.protocol, conn.dialect);
    switch (m.protocol) {
      case null:
        return conn.fail('invalid-protocol', v1Text.invalidProtocol, m.ref);
      case 'one-to-self':
        return conn.deliver(data, sendingBurst(conn.ws));
      case 'one-to-all':
        return this.#toAll(conn, data);
      case 'one-to-one':
        return this.#toOne(conn, data, m);
    }
  }

  #toOne(conn: Connection, data: Buffer, m: ClientMessage): void {
    if (m.target === null) return conn.fail('missing-endpoint', v1Text.missingEndpoint, m.ref);
    const target = this.directory.find(conn.room, m.target);
    if (target) return target.relay(data, conn.fromSuffix, sendingBurst(conn.ws));
    if (conn.dialect === 1) return conn.fail('unknown-peer', v1Text.unknownPeer(m.target));
    const held = this.queue.hold(conn.room, m.target, data, conn, m.ref);
    if (held === true) return conn.control({ action: 'queued', data: { to: m.target, ref: m.ref } });
    if (held === 'off' || held === 'target-full') return conn.fail('unknown-peer', null, m.ref);
    conn.fail('queue-full', null, m.ref, queueFullMessage[held]);
  }

  #toAll(conn: Connection, data: Buffer): void {
    this.toRoom(conn.room, data, conn.fromSuffix, conn);
    this.directory.toOtherNodes?.(conn.room, data, conn.fromSuffix);
  }

  /**
   * Delivers a one-to-all to this node's members of `room` (v2 `except` excluded). Each variant (exact bytes
   * for v1, stamped for v2) is framed once and written to every recipient. Also the entry for one-to-all
   * messages from other nodes.
   */
  toRoom(room: string, data: Buffer, fromSuffix: Buffer, except: Connection | null): void {
    let exact: Buffer | null = null;
    let stamped: Buffer | null = null;
    for (const c of this.directory.members(room)) {
      // Clustered, a connection waits for its name claim before its welcome; nothing may come before that.
      if (!c.announced) continue;
      if (c.dialect === 1) c.deliverFrame((exact ??= relayFrame(1, data, fromSuffix)));
      else if (c !== except) c.deliverFrame((stamped ??= relayFrame(2, data, fromSuffix)));
    }
  }

  #requester(conn: Connection, m: ClientMessage) {
    return { session: conn, address: conn.remoteAddress, secret: m.pushSecret };
  }

  #pushCommand(conn: Connection, m: ClientMessage): void {
    const push = this.push();
    // Without push, v1 clients see push actions ignored, as the original built without push did.
    if (!push) return conn.dialect === 2 ? conn.fail('push-unavailable', null, m.ref) : undefined;
    if (conn.name === null) return conn.fail('not-registered', v1Text.pushRequiresName, m.ref);
    const { name, room } = conn;
    switch (m.push) {
      case 'subscribe-push': {
        const r = push.subscribe(room, name, m.subscriptionData, this.#requester(conn, m));
        if (!r.ok) return conn.fail(r.code, v1Text.invalidSubscription(r.message), m.ref, r.message);
        return conn.control({ action: 'push-subscribed', data: { ref: m.ref } });
      }
      case 'unsubscribe-push': {
        const r = push.unsubscribe(room, name, this.#requester(conn, m), m.subscriptionData);
        if (!r.ok) return conn.fail(r.code, v1Text.invalidSubscription(r.message), m.ref, r.message);
        return conn.control({ action: 'push-unsubscribed', data: { ref: m.ref } });
      }
      case 'connection-request': {
        // A one-to-one message without a target gets its error from routing; don't report it twice.
        if (m.target === null)
          return m.protocol === 'one-to-one' ? undefined : conn.fail('missing-endpoint', v1Text.missingEndpoint, m.ref);
        const { target: to, ref } = m;
        if (!this.#pushThrottle.allow(`${room}\u0000${name}\u0000${to}`, this.clock.now())) {
          this.counters.push.throttled++;
          const message = `a connection request to ${to} was sent less than ${pushRequestIntervalMs / 1000} s ago; wait before asking again`;
          return conn.control({ action: 'push-result', data: { to, ok: false, status: null, ref, message } });
        }
        void push.connectionRequest(room, name, to, conn).then((r) => {
          this.counters.push[r.ok ? 'sent' : 'failed']++;
          conn.control({
            action: 'push-result',
            data: {
              to,
              ok: r.ok,
              status: r.status,
              ref,
              ...(r.ok || r.message === null ? {} : { message: r.message }),
            },
          });
        });
        return;
      }
    }
  }
}
