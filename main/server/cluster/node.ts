// One node of a cluster: claims names atomically in Redis, keeps a local copy of the other nodes' names
// (presence events on one channel), sends one-to-one to the target node's channel and one-to-all to the
// room's channel, notices dead nodes by their expired heartbeat keys, and keeps serving its own clients
// while Redis is away (re-claiming its names when it is back). Loaded only with --redis.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ClusterNode, ClusterStatus, RedisState, StoreLimits } from '../cluster-types.js';
import { CloseCode, type Connection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { OfflineQueue } from '../offline-queue.js';
import { newToken, type Claim, type Directory, type Registry } from '../registry.js';
import type { Router } from '../router.js';
import { channels, fieldOf, keys, splitField } from './keys.js';
import { RedisSubscriptionStore } from './push-store.js';
import { RemotePeer, RemotePeers } from './remote-peers.js';
import { scripts, type ScriptCommands } from './scripts.js';
import {
  decodeBroadcast,
  decodeDirect,
  encodeBroadcast,
  encodeDirect,
  parsePresence,
  type PresenceEvent,
} from './wire.js';

/** Timings of failure detection, in ms. A dead node is noticed within ttl + grace + sweep (under 10 s). */
export interface ClusterTimings {
  /** How often a node refreshes its key (and checks Redis answers). */
  heartbeatMs: number;
  /** Lifetime of a node key: a node silent this long is presumed dead. */
  nodeTtlMs: number;
  /** How long a node key must stay missing, seen while Redis answers, before its names are freed. */
  graceMs: number;
  /** A Redis command not answered in this time marks Redis unreachable. */
  commandTimeoutMs: number;
}

export const defaultTimings: ClusterTimings = {
  heartbeatMs: 1000,
  nodeTtlMs: 4000,
  graceMs: 2500,
  commandTimeoutMs: 1500,
};

export interface ClusterContext {
  url: string;
  nodeId: string;
  registry: Registry;
  router: Router;
  queue: OfflineQueue;
  /** Bounds of the shared push subscriptions (the push options'). */
  pushLimits: () => StoreLimits;
  /** Tells this node's v2 members of a room that a name joined or left. */
  announce(room: string, action: 'peer-joined' | 'peer-left', name: string): void;
  logger: Logger;
  now: () => number;
  /** Redis became reachable or unreachable. */
  onState(state: RedisState, message: string): void;
  timings?: Partial<ClusterTimings>;
}

type Commands = Redis & ScriptCommands;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      // A busy event loop fires the timer late, when the answer may already wait in the socket: read it
      // first (the poll phase runs before setImmediate), so only a Redis that is really silent times out.
      timer = setTimeout(
        () =>
          setImmediate(() => {
            if (!settled) reject(new Error(`Redis did not answer within ${ms} ms`));
          }),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Where Redis is, for messages (never the password). */
function describe(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

function connectionOptions(url: string, nodeId: string, offlineQueue: boolean) {
  const u = new URL(url);
  return {
    connectionName: `rustysignal-${nodeId}`,
    lazyConnect: true,
    enableOfflineQueue: offlineQueue,
    maxRetriesPerRequest: offlineQueue ? null : 0,
    // Try again every 0.2 to 1 s, forever: a node outlives a Redis restart.
    retryStrategy: (times: number) => Math.min(200 * times, 1000),
    connectTimeout: 5000,
    // Publishes made in one tick leave in one write.
    enableAutoPipelining: !offlineQueue,
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  };
}

/** Connects to Redis and joins the cluster; rejects (with a message naming Redis) if Redis cannot be reached. */
export async function startClusterNode(ctx: ClusterContext): Promise<ClusterNode> {
  const t: ClusterTimings = { ...defaultTimings, ...ctx.timings };
  const { registry, router, queue, logger, nodeId } = ctx;
  const where = describe(ctx.url);
  const cmd = new Redis(ctx.url, connectionOptions(ctx.url, nodeId, false)) as Commands;
  const sub = new Redis(ctx.url, connectionOptions(ctx.url, `${nodeId}-sub`, true));
  for (const [name, def] of Object.entries(scripts)) cmd.defineCommand(name, def);
  // ioredis reports every failed reconnect; the node reports the outage once (onState).
  cmd.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis'));
  sub.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis subscriber'));

  const remote = new RemotePeers();
  const owned = `${keys.owned}${nodeId}`;
  const nodeChannel = channels.node(nodeId);
  const selfTag = Buffer.from(`${nodeId}\u0000`);
  const roomRefs = new Map<string, number>();
  const entered = new WeakSet<Connection>();
  let healthy = false;
  let stopped = false;
  let nodes = 1;
  let recovering: Promise<void> | null = null;
  let beating = false;
  let pendingClaims = 0;
  const missingSince = new Map<string, number>();
  const unlistedSince = new Map<string, number>();

  const pushStore = new RedisSubscriptionStore(cmd, nodeId, ctx.now, logger, ctx.pushLimits);

  const publish = (channel: string, msg: Buffer | string) => {
    cmd.publish(channel, msg).catch(() => {}); // an outage is reported by the heartbeat, once
  };
  const sendDirect = (peer: RemotePeer, frame: Buffer | string) =>
    publish(channels.node(peer.node), encodeDirect(peer.room, peer.name, frame));

  const directory: Directory = {
    find: (room, name) => registry.find(room, name) ?? (healthy ? remote.get(room, name) : undefined),
    members: (room) => registry.members(room),
    names(room, except) {
      const out = registry.names(room, except);
      for (const n of remote.names(room)) if (registry.find(room, n) === undefined) out.push(n);
      return out;
    },
    toOtherNodes(room, raw, fromSuffix) {
      if (healthy) publish(channels.roomPrefix + room, encodeBroadcast(selfTag, fromSuffix, raw));
    },
  };

  // Messages held here for a name that just appeared on another node go to it now, in order.
  function flushTo(peer: RemotePeer): void {
    for (const m of queue.take(peer.room, peer.name)) peer.relay(m.raw, m.fromSuffix);
  }

  function addRemote(node: string, field: string, dialect: 1 | 2, announce: boolean): void {
    const { room, name } = splitField(field);
    const peer = new RemotePeer(node, dialect, room, name, sendDirect);
    const old = remote.set(peer);
    if (!old && announce && registry.find(room, name) === undefined) ctx.announce(room, 'peer-joined', name);
    if (healthy) flushTo(peer);
  }

  function dropRemote(room: string, name: string, announce: boolean): void {
    if (remote.delete(room, name) && announce && registry.find(room, name) === undefined)
      ctx.announce(room, 'peer-left', name);
  }

  // What node `node` holds now replaces what this node knew of it.
  function applySync(node: string, held: Array<[string, 1 | 2]>): void {
    const keep = new Set<string>();
    for (const [field, dialect] of held) {
      keep.add(field);
      const { room, name } = splitField(field);
      const known = remote.get(room, name);
      if (known?.node !== node || known.dialect !== dialect) addRemote(node, field, dialect, true);
    }
    for (const p of remote.ofNode(node)) if (!keep.has(fieldOf(p.room, p.name))) dropRemote(p.room, p.name, true);
  }

  function localNames(): Connection[] {
    const out: Connection[] = [];
    for (const c of registry.all())
      if (c.name !== null && !c.superseded && registry.find(c.room, c.name) === c) out.push(c);
    return out;
  }

  function publishSync(): void {
    const p = localNames().map((c) => [fieldOf(c.room, c.name!), c.dialect]);
    publish(channels.presence, JSON.stringify({ t: 'sync', n: nodeId, p }));
  }

  function onPresence(e: PresenceEvent): void {
    if (e.t === 'sync') {
      if (e.n !== nodeId) applySync(e.n, e.p);
      return;
    }
    if (e.t === 'hello') {
      if (e.n !== nodeId && healthy) publishSync();
      return;
    }
    if (e.t === 'gone') {
      if (e.n === nodeId) {
        if (!stopped) void recover('this node was presumed dead');
        return;
      }
      for (const p of remote.ofNode(e.n)) dropRemote(p.room, p.name, true);
      return;
    }
    if (e.t === 'push') {
      if (e.n !== nodeId) pushStore.refresh(e.f);
      return;
    }
    const { room, name } = splitField(e.f);
    switch (e.t) {
      case 'join':
        if (e.n !== nodeId) addRemote(e.n, e.f, e.d, true);
        return;
      case 'leave':
        if (e.n !== nodeId && remote.get(room, name)?.node === e.n) dropRemote(room, name, true);
        return;
      case 'resume':
        if (e.p === nodeId && e.n !== nodeId) {
          // The name moved to another node with its token: close ours (4001) without a leave.
          const holder = registry.find(room, name);
          if (holder && String(holder.id) === e.c) {
            registry.release(holder);
            holder.close(CloseCode.takenOver, 'name resumed by a new connection', 'taken-over');
          }
        }
        if (e.n !== nodeId) addRemote(e.n, e.f, e.d, false);
        else remote.delete(room, name);
        return;
    }
  }

  function onMessage(channel: Buffer, msg: Buffer): void {
    if (channel.length === nodeChannel.length && channel.toString() === nodeChannel) {
      const d = decodeDirect(msg);
      // A target that left meanwhile: the message is dropped as it would be for a closing connection.
      if (d) registry.find(d.room, d.name)?.deliver(d.frame);
      return;
    }
    const name = channel.toString();
    if (name === channels.presence) {
      const e = parsePresence(msg.toString());
      if (e) onPresence(e);
      return;
    }
    if (name.startsWith(channels.roomPrefix)) {
      const b = decodeBroadcast(msg, selfTag);
      if (b) router.toRoom(name.slice(channels.roomPrefix.length), b.raw, b.fromSuffix, null);
    }
  }

  function degrade(why: string): void {
    if (!healthy || stopped) return;
    healthy = false;
    missingSince.clear();
    unlistedSince.clear();
    ctx.onState(
      'disconnected',
      `Redis at ${where} is unreachable (${why}): serving this node's clients only; messages to users on other nodes are queued or refused until it is back`,
    );
  }

  // After an outage (or when the others presumed this node dead): put this node's names back, close the
  // holders of names another node claimed first (4002), and ask every other node for what it holds.
  async function reconcile(): Promise<void> {
    const mine = localNames().map((c) => ({ f: fieldOf(c.room, c.name!), v: valueOf(c, c.token), d: c.dialect }));
    const lost = await timeout(
      cmd.rsReconcile(keys.peers, owned, channels.presence, nodeId, JSON.stringify(mine)),
      t.commandTimeoutMs * 4,
    );
    for (const field of lost) {
      const { room, name } = splitField(field);
      const holder = registry.find(room, name);
      if (!holder) continue;
      logger.warn({ room, name }, 'name registered on another node during the Redis outage: that claim came first');
      registry.release(holder);
      ctx.announce(room, 'peer-left', name);
      holder.close(CloseCode.nameConflict, 'name registered on another node while Redis was away', 'name-conflict');
    }
    await timeout(cmd.publish(channels.presence, JSON.stringify({ t: 'hello', n: nodeId })), t.commandTimeoutMs);
    await pushStore.load();
  }

  function recover(why: string): Promise<void> {
    recovering ??= (async () => {
      try {
        // Answers to our hello must find this node subscribed again.
        if (sub.status !== 'ready') throw new Error('the subscriber connection is not ready yet');
        await reconcile();
        const wasHealthy = healthy;
        healthy = true;
        // Messages held while Redis was away go to names now known on other nodes.
        for (const p of remote.all()) flushTo(p);
        if (!wasHealthy) ctx.onState('connected', `Redis at ${where} is reachable: cluster traffic resumed (${why})`);
      } catch (err) {
        logger.debug({ err: (err as Error).message }, 'cluster recovery failed; retrying on the next heartbeat');
      } finally {
        recovering = null;
      }
    })();
    return recovering;
  }

  function valueOf(c: Connection, token: string | null): string {
    return JSON.stringify({ n: nodeId, c: String(c.id), d: c.dialect, t: token === null ? '' : tokenHash(token) });
  }

  async function beat(): Promise<void> {
    if (beating || stopped) return;
    beating = true;
    try {
      const added = await timeout(
        cmd.rsHeartbeat(`${keys.nodeAlive}${nodeId}`, keys.nodes, t.nodeTtlMs, nodeId),
        t.commandTimeoutMs,
      );
      // Not in the node set although it was: the others presumed it dead and freed its names.
      if (!healthy || added === 1) await recover(healthy ? 'this node was presumed dead' : 'heartbeat answered');
      if (healthy) await sweep();
    } catch (err) {
      degrade((err as Error).message);
    } finally {
      beating = false;
    }
  }

  async function sweep(): Promise<void> {
    const [live, missing] = await timeout(cmd.rsSweep(keys.nodes, keys.nodeAlive), t.commandTimeoutMs);
    nodes = live.length;
    const now = Date.now();
    for (const id of missingSince.keys()) if (!missing.includes(id)) missingSince.delete(id);
    // Names of a node Redis no longer lists at all (it died while an emptied Redis was away) are dropped
    // here after the same grace, since nobody is left to reap it.
    const listed = new Set([...live, ...missing]);
    const known = new Set(remote.nodes());
    for (const id of unlistedSince.keys()) if (listed.has(id) || !known.has(id)) unlistedSince.delete(id);
    for (const id of known) {
      if (listed.has(id)) continue;
      const since = unlistedSince.get(id);
      if (since === undefined) unlistedSince.set(id, now);
      else if (now - since >= t.graceMs) for (const q of remote.ofNode(id)) dropRemote(q.room, q.name, true);
    }
    for (const id of missing) {
      if (id === nodeId) continue;
      const since = missingSince.get(id);
      if (since === undefined) missingSince.set(id, now);
      else if (now - since >= t.graceMs) {
        missingSince.delete(id);
        const reaped = await timeout(
          cmd.rsReap(keys.peers, keys.nodes, channels.presence, id, keys.nodeAlive, keys.owned, '0'),
          t.commandTimeoutMs,
        );
        if (reaped === 1)
          logger.warn({ node: id }, `cluster node ${id} stopped answering: its users were disconnected`);
      }
    }
  }

  cmd.on('close', () => degrade('connection closed'));

  try {
    await timeout(Promise.all([cmd.connect(), sub.connect()]), 10_000);
    sub.on('messageBuffer', onMessage);
    await sub.subscribe(channels.presence, nodeChannel);
    await timeout(cmd.rsHeartbeat(`${keys.nodeAlive}${nodeId}`, keys.nodes, t.nodeTtlMs, nodeId), t.commandTimeoutMs);
    await reconcile();
    healthy = true;
  } catch (err) {
    cmd.disconnect();
    sub.disconnect();
    throw new Error(`could not join the cluster through Redis at ${where}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const timer = setInterval(() => void beat(), t.heartbeatMs);
  timer.unref();
  logger.info({ node: nodeId, redis: where }, 'joined the cluster');

  async function claim(conn: Connection, name: string, token: string | null, locked: boolean): Promise<Claim> {
    const room = conn.room;
    if (!healthy) {
      // Redis is away: decide here. A name known on another node stays taken; the claim is made in Redis
      // when it is back (reconcile), where a name claimed twice meanwhile goes to the first claim to arrive.
      if (remote.get(room, name)) return { kind: 'taken' };
      return registry.claim(conn, name, token, locked);
    }
    const fresh = conn.dialect === 2 ? newToken() : null;
    const field = fieldOf(room, name);
    let r: string[];
    pendingClaims++;
    try {
      r = await timeout(
        cmd.rsClaim(
          keys.peers,
          owned,
          channels.presence,
          field,
          valueOf(conn, fresh),
          token === null ? '' : tokenHash(token),
          nodeId,
          keys.owned,
          conn.dialect,
        ),
        t.commandTimeoutMs,
      );
    } catch (err) {
      degrade((err as Error).message);
      return claim(conn, name, token, locked);
    } finally {
      pendingClaims--;
    }
    if (conn.ws.readyState === 3) {
      // It went away while Redis decided: give the name back.
      if (r[0] !== 'taken') publishRelease(field, conn);
      return { kind: 'taken' };
    }
    if (r[0] === 'taken') return { kind: 'taken' };
    // A locked room admits resumes only (its lock is this node's: room locks are not shared).
    if (r[0] === 'registered' && locked) {
      publishRelease(field, conn);
      return { kind: 'locked' };
    }
    if (r[0] === 'resumed' && r[1] !== nodeId) {
      remote.delete(room, name);
      registry.assign(conn, name, fresh);
      return { kind: 'resumed', previous: null };
    }
    const previous = registry.assign(conn, name, fresh);
    return previous ? { kind: 'resumed', previous } : { kind: 'registered' };
  }

  function publishRelease(field: string, conn: Connection): void {
    cmd.rsRelease(keys.peers, owned, channels.presence, field, nodeId, String(conn.id)).catch(() => {});
  }

  return {
    directory,
    pushStore,
    claim,
    entered(conn) {
      entered.add(conn);
      const n = roomRefs.get(conn.room) ?? 0;
      roomRefs.set(conn.room, n + 1);
      if (n === 0) sub.subscribe(channels.roomPrefix + conn.room).catch(() => {});
    },
    exited(conn, released) {
      if (!entered.delete(conn)) return;
      const n = roomRefs.get(conn.room)! - 1;
      if (n > 0) roomRefs.set(conn.room, n);
      else {
        roomRefs.delete(conn.room);
        sub.unsubscribe(channels.roomPrefix + conn.room).catch(() => {});
      }
      // While Redis is away, the name is freed there by the reconcile when it is back.
      if (released && conn.name !== null && healthy) publishRelease(fieldOf(conn.room, conn.name), conn);
    },
    status(): ClusterStatus {
      return {
        nodeId,
        redis: healthy ? 'connected' : 'disconnected',
        nodes,
        remotePeers: remote.size,
        pendingClaims,
      };
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await pushStore.flush();
      // Frees whatever names are left and tells the others at once (instead of after the TTL).
      await timeout(
        cmd.rsReap(keys.peers, keys.nodes, channels.presence, nodeId, keys.nodeAlive, keys.owned, '1'),
        t.commandTimeoutMs,
      ).catch(() => {});
      cmd.disconnect();
      sub.disconnect();
    },
  };
}
