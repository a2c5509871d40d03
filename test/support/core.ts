// The server core without its front: Registry, OfflineQueue, Router and Sessions wired as signal-server wires
// them, behind a bare ws server on 127.0.0.1 port 0, on a fake clock. Unit tests of the core drive it with
// real connections and read what each client receives: no upgrade gates, HTTP, TLS, discovery or relay.
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { queryOf } from '../../main/server/admission.js';
import type { Connection } from '../../main/server/connection.js';
import { Counters } from '../../main/server/counters.js';
import { silentLogger } from '../../main/server/logger.js';
import { OfflineQueue } from '../../main/server/offline-queue.js';
import { resolveOptions, type ServerOptions, type ServerOptionsInput } from '../../main/server/options.js';
import { Registry } from '../../main/server/registry.js';
import type { PeerInfo, PeerLeft } from '../../main/server/report-types.js';
import { RoomPolicies } from '../../main/server/room-policy.js';
import { Router } from '../../main/server/router.js';
import { Sessions } from '../../main/server/sessions.js';
import { connect, type Frame, type TestClient } from './clients.js';
import { FakeClock } from './fake-clock.js';

/** A client and the server's side of it (null when the server refused it before it joined a room). */
export interface CoreClient extends TestClient {
  conn: Connection | null;
}

/** A v2 client that was welcomed (so it joined a room). */
export interface Welcomed extends CoreClient {
  conn: Connection;
  welcome: Frame;
  /** Frames that came before the welcome (registration errors). */
  before: Frame[];
}

export interface Core {
  clock: FakeClock;
  registry: Registry;
  queue: OfflineQueue;
  router: Router;
  sessions: Sessions;
  policies: RoomPolicies;
  counters: Counters;
  /** Peer events the control surface would get. */
  joined: PeerInfo[];
  left: PeerLeft[];
  /** Replaces the options in force (what reconfigure would do). */
  configure(input: ServerOptionsInput): void;
  /** Connects with `query` (from `address`, any 127.0.0.0/8 address). */
  client(query: string, address?: string): Promise<CoreClient>;
  /** A v2 client whose welcome was read; `before` collects frames that came before it (errors). */
  v2(query: string, address?: string): Promise<Welcomed>;
  stop(): Promise<void>;
}

let marks = 0;

/**
 * Everything `c` received up to now: it sends itself a one-to-self mark and collects the frames before it.
 * Frames are delivered in order on one socket, so once the mark is back nothing earlier is still on its way.
 */
export async function received(c: TestClient): Promise<string[]> {
  const mark = `{"protocol":"one-to-self","mark":${++marks}}`;
  c.send(mark);
  const out: string[] = [];
  for (let f = await c.next(); f !== mark; f = await c.next()) out.push(f);
  return out;
}

/** Reads and forgets what the clients received so far (welcome-time presence notices). */
export async function drain(...clients: TestClient[]): Promise<void> {
  for (const c of clients) await received(c);
}

export async function startCore(input: ServerOptionsInput = {}): Promise<Core> {
  const clock = new FakeClock();
  let options: ServerOptions = resolveOptions(input);
  const registry = new Registry();
  const counters = new Counters();
  const policies = new RoomPolicies();
  const queue = new OfflineQueue(clock, () => ({
    ttlMs: options.offlineTtlMs,
    max: options.offlineQueueMax,
    totalBytes: options.offlineQueueBytes,
    senderBytes: options.offlineQueueSenderBytes,
  }));
  const router = new Router(registry, queue, clock, () => null, counters);
  const joined: PeerInfo[] = [];
  const left: PeerLeft[] = [];
  const sessions = new Sessions(
    registry,
    router,
    queue,
    clock,
    silentLogger,
    () => options,
    () => null,
    () => [],
    { joined: (p) => joined.push(p), left: (p) => left.push(p), counts: () => {} },
    policies,
    counters,
    () => null,
  );

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: options.maxPayloadBytes });
  await new Promise((resolve) => wss.once('listening', resolve));
  const port = (wss.address() as AddressInfo).port;
  // Each client connects to its own path (the path is ignored by the server), so its server side is found.
  const accepted = new Map<string, WebSocket>();
  wss.on('connection', (ws, req) => {
    sessions.accept(ws, req, queryOf(req.url));
    accepted.set(req.url!.split('?')[0]!, ws);
  });
  let paths = 0;
  const open: TestClient[] = [];

  function serverSide(ws: WebSocket): Connection | null {
    for (const r of registry.rooms()) for (const c of registry.members(r.room)) if (c.ws === ws) return c;
    return null;
  }

  async function client(query: string, address = '127.0.0.1'): Promise<CoreClient> {
    const path = `/c${++paths}`;
    const c = await connect(`ws://127.0.0.1:${port}${path}?${query}`, { localAddress: address });
    open.push(c);
    // The server writes its 101 before it runs the connection handler, which is synchronous: by the time the
    // client is open, the handler has run.
    const ws = accepted.get(path);
    if (!ws) throw new Error('the server has not seen the connection');
    accepted.delete(path);
    return Object.assign(c, { conn: serverSide(ws) });
  }

  return {
    clock,
    registry,
    queue,
    router,
    sessions,
    policies,
    counters,
    joined,
    left,
    configure: (patch) => void (options = resolveOptions((input = { ...input, ...patch }))),
    client,
    async v2(query, address) {
      const c = await client(`v=2&${query}`, address);
      const conn = c.conn;
      if (!conn) throw new Error(`the server refused v=2&${query}`);
      const before: Frame[] = [];
      for (;;) {
        const f = await c.nextJson();
        if (f.action === 'welcome') return Object.assign(c, { conn, welcome: f, before });
        before.push(f);
      }
    },
    async stop() {
      queue.expireAll();
      await Promise.all(open.map((c) => c.close()));
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
