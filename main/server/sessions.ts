// The life of a connection after its handshake: registration (name, room, resume), welcome, joins and
// leaves, heartbeat, and shutdown.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Clock } from './clock.js';
import type { ClusterNode } from './cluster-types.js';
import { CloseCode, Connection } from './connection.js';
import type { Counters } from './counters.js';
import type { IceServer } from './ice-servers.js';
import type { Logger } from './logger.js';
import type { OfflineQueue } from './offline-queue.js';
import type { ServerOptions } from './options.js';
import { isValidName, v1Text } from './protocol.js';
import type { PushService } from './push/types.js';
import type { Claim, Registry } from './registry.js';
import type { RoomPolicies } from './room-policy.js';
import type { Router } from './router.js';
import type { PeerInfo, PeerLeft, PeerStats } from './report-types.js';

export interface SessionEvents {
  joined(peer: PeerInfo): void;
  left(peer: PeerLeft): void;
  counts(): void;
}

/** The ICE servers for a client that reached the server at `localAddress`, credentials named `user`. */
export type IceServerSource = (localAddress: string | undefined, user: string) => IceServer[];

/**
 * `s` cut to at most `max` UTF-8 bytes at a character boundary. Close reasons are limited to 123 bytes by the
 * WebSocket protocol; a cut inside a character would decode to U+FFFD (3 bytes) and could exceed the bound.
 */
function cutUtf8(s: string, max: number): string {
  const b = Buffer.from(s);
  if (b.length <= max) return s;
  let end = max;
  // Back to the first byte of the character that would be cut (continuation bytes are 10xxxxxx).
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString();
}

export class Sessions {
  readonly #byId = new Map<number, Connection>();
  #nextId = 1;

  constructor(
    private readonly registry: Registry,
    private readonly router: Router,
    private readonly queue: OfflineQueue,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: () => ServerOptions,
    private readonly push: () => PushService | null,
    private readonly iceServers: IceServerSource,
    private readonly events: SessionEvents,
    private readonly policies: RoomPolicies,
    private readonly counters: Counters,
    /** The cluster node while clustered and started; null on a single server. */
    private readonly cluster: () => ClusterNode | null,
  ) {}

  readonly #maxBuffered = () => this.options().maxBufferedBytes;

  get size(): number {
    return this.#byId.size;
  }

  /** Takes over a freshly upgraded socket. */
  accept(ws: WebSocket, req: IncomingMessage, query: URLSearchParams): void {
    const dialect = query.get('v') === '2' ? 2 : 1;
    const room = dialect === 2 ? (query.get('room') ?? '') : '';
    const conn = new Connection(
      this.#nextId++,
      ws,
      dialect,
      room,
      req.socket.remoteAddress ?? '',
      this.clock.now(),
      this.options().rateLimit,
      this.#maxBuffered,
      this.counters,
    );
    this.#byId.set(conn.id, conn);
    ws.on('error', (err) => this.logger.debug({ id: conn.id, err: err.message }, 'connection error'));
    ws.on('pong', () => (conn.alive = true));
    ws.on('close', () => this.#closed(conn));
    ws.on('message', (data, isBinary) => this.router.onFrame(conn, data as Buffer, isBinary));

    if (!isValidName(room, 0)) {
      conn.fail('invalid-room', null);
      return conn.close(CloseCode.policy, 'invalid room name');
    }
    if (!this.policies.admits(room, query.get('code'))) {
      conn.fail('invalid-room-code', v1Text.invalidRoomCode);
      return conn.close(CloseCode.roomCode, 'room code missing or wrong');
    }
    this.registry.join(conn);
    const cluster = this.cluster();
    cluster?.entered(conn);
    const user = query.get('user');
    let name: string | null = null;
    if (user !== null) {
      if (isValidName(user, 1)) name = user;
      else conn.fail('invalid-username', v1Text.invalidUsername);
    }
    const token = dialect === 2 ? query.get('token') : null;
    const localAddress = req.socket.localAddress;
    const locked = this.policies.get(room).locked;
    if (name === null || cluster === null)
      return this.#settle(conn, name === null ? null : this.registry.claim(conn, name, token, locked), localAddress);
    // A locked room admits resumes only, and a resume needs a token.
    if (locked && token === null) return this.#settle(conn, { kind: 'locked' }, localAddress);
    // The claim takes a Redis round trip: read nothing from the client until it is settled, so its first
    // messages are sent under its name, as on a single server.
    ws.pause();
    cluster.claim(conn, name, token, locked).then(
      (claim) => {
        ws.resume();
        if (ws.readyState !== 3) this.#settle(conn, claim, localAddress);
      },
      (err: Error) => {
        this.logger.error({ id: conn.id, err: err.message }, 'name claim failed');
        conn.close(CloseCode.goingAway, 'server error, try again');
      },
    );
  }

  /** Tells this node's v2 members of `room` (but `except`) that `name` joined or left. */
  announce(room: string, action: 'peer-joined' | 'peer-left', name: string, except: Connection | null = null): void {
    // A connection still waiting for its claim has not had its welcome: it learns the room from that.
    for (const c of this.registry.v2Members(room))
      if (c !== except && c.announced) c.control({ action, data: { user: name } });
  }

  /** `localAddress`: the server address the client reached (its ICE servers are given at that address). */
  #settle(conn: Connection, claim: Claim | null, localAddress: string | undefined): void {
    const room = conn.room;
    let fresh = false;
    if (claim?.kind === 'taken') conn.fail('username-taken', v1Text.usernameTaken);
    else if (claim?.kind === 'locked') conn.fail('room-locked', v1Text.roomLocked);
    // The old connection is closed before the new one is welcomed; the room sees no leave/join.
    else if (claim?.kind === 'resumed')
      claim.previous?.close(CloseCode.takenOver, 'name resumed by a new connection', 'taken-over');
    else if (claim?.kind === 'registered') fresh = true;
    if (conn.dialect === 2) {
      // Built only for v2: the peer list is O(room size), a cost v1 connections must not pay.
      const push = this.push();
      conn.control({
        action: 'welcome',
        data: {
          user: conn.name,
          room,
          peers: this.router.directory.names(room, conn),
          token: conn.token,
          push: push ? { publicKey: push.publicKey } : null,
          // Credentials are named after the connection, not its name: names are the client's choice.
          iceServers: this.iceServers(localAddress, `c${conn.id}`),
        },
      });
    }
    if (fresh && conn.name !== null) this.announce(room, 'peer-joined', conn.name, conn);
    conn.announced = true;
    this.events.joined(this.info(conn));
    if (conn.name !== null) this.#flushHeld(conn, conn.name);
    this.events.counts();
  }

  #flushHeld(conn: Connection, name: string): void {
    for (const m of this.queue.take(conn.room, name)) conn.relay(m.raw, m.fromSuffix, true);
  }

  #closed(conn: Connection): void {
    this.#byId.delete(conn.id);
    const released = this.registry.leave(conn);
    if (released && conn.name !== null) this.announce(conn.room, 'peer-left', conn.name);
    this.cluster()?.exited(conn, released);
    if (conn.announced) this.events.left({ id: conn.id, name: conn.name, room: conn.room, reason: conn.closeReason });
    this.events.counts();
  }

  info(c: Connection): PeerInfo {
    return {
      id: c.id,
      name: c.name,
      room: c.room,
      dialect: c.dialect,
      remoteAddress: c.remoteAddress,
      connectedAt: c.connectedAt,
      messagesIn: c.messagesIn,
      messagesOut: c.messagesOut,
      pushSubscribed: c.name !== null && (this.push()?.isSubscribed(c.room, c.name) ?? false),
    };
  }

  /** Counters changed since the last call, for the peer-stats event. */
  changedStats(): PeerStats[] {
    const out: PeerStats[] = [];
    for (const c of this.#byId.values()) {
      const traffic = c.messagesIn + c.messagesOut;
      const push = c.name !== null && (this.push()?.isSubscribed(c.room, c.name) ?? false);
      if (traffic === c.reported.traffic && push === c.reported.push) continue;
      c.reported = { traffic, push };
      out.push({ id: c.id, messagesIn: c.messagesIn, messagesOut: c.messagesOut, pushSubscribed: push });
    }
    return out;
  }

  list(): PeerInfo[] {
    return [...this.#byId.values()].map((c) => this.info(c));
  }

  kick(id: number, reason: string): boolean {
    const c = this.#byId.get(id);
    if (!c) return false;
    c.close(CloseCode.kicked, cutUtf8(reason, 123), 'kicked');
    return true;
  }

  /** One heartbeat: terminate connections that did not answer the previous ping, ping the rest. */
  heartbeat(): void {
    for (const c of this.#byId.values()) {
      if (!c.alive) {
        c.closeReason = 'timeout';
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ping();
    }
  }

  /** Applies new rate limits to open connections. */
  updateRateLimits(): void {
    const limits = this.options().rateLimit;
    for (const c of this.#byId.values()) c.limiter.update(limits);
  }

  /** Closes every connection with 1001 and resolves when all are gone (terminating stragglers after `graceMs`). */
  async closeAll(graceMs: number): Promise<void> {
    const conns = [...this.#byId.values()];
    const gone = conns.map(
      (c) => new Promise<void>((resolve) => (c.ws.readyState === 3 ? resolve() : c.ws.once('close', () => resolve()))),
    );
    for (const c of conns) c.close(CloseCode.goingAway, 'server shutting down', 'stopped');
    let timer: unknown;
    const grace = new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(gone), grace]);
    this.clock.clearTimeout(timer);
    for (const c of conns) if (c.ws.readyState !== 3) c.ws.terminate();
    await Promise.all(gone);
  }
}
