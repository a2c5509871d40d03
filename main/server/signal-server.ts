// Composition root: builds one signaling server from options and returns its control surface. The CLI and
// the Electron shell are two hosts of this object; nothing here imports electron.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerOptions as HttpServerOptions,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Server as NetServer, Socket } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { listenUrls } from './addresses.js';
import { listenOn } from './listen.js';
import { createFrontDoor } from './front-door.js';
import { localHostName, localLabel } from './local-name.js';
import { createTrustHandler, refusePlainUpgrade, trustInfo } from './trust/handler.js';
import { ServerError } from './server-error.js';
import { admit, refuse } from './admission.js';
import { systemClock, type Clock } from './clock.js';
import type { ClusterNode, ClusterStatus, RedisState } from './cluster-types.js';
import { Counters } from './counters.js';
import { startDiscovery, type Advertisement } from './discovery/index.js';
import { LanPresence } from './lan-presence.js';
import { createRequestHandler } from './http.js';
import { iceServersFor, type IceServerConfig } from './ice-servers.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { OfflineQueue } from './offline-queue.js';
import {
  defaultPushLimits,
  OptionsError,
  resolveLiveOptions,
  resolveOptions,
  type LiveOptions,
  type PushOptions,
  type ServerOptions,
  type ServerOptionsInput,
} from './options.js';
import { pushServiceFactory, type PushFactory } from './push/factory.js';
import type { PushService } from './push/types.js';
import { RelayService, type RelayStatus } from './relay/index.js';
import { Registry } from './registry.js';
import { RoomPolicies } from './room-policy.js';
import { isValidName } from './protocol.js';
import { Router } from './router.js';
import { Sessions } from './sessions.js';
import type {
  PushResult,
  RoomInfo,
  RoomPatch,
  ServerEventMap,
  ServerProblem,
  ServerState,
  ServerStatus,
  SignalServer,
} from './surface.js';
import { checkTls, TlsError, tlsPolicy } from './tls.js';
import { TypedEmitter } from './typed-emitter.js';

export interface ServerDeps {
  clock?: Clock;
  logger?: Logger;
  pushFactory?: PushFactory;
  /** How long stop() waits for clients to answer the close handshake before cutting them, in ms. */
  stopGraceMs?: number;
  /** The interface table status() builds URLs from; default os.networkInterfaces. */
  networkInterfaces?: () => ReturnType<typeof networkInterfaces>;
  /** How often changed peer counters are reported (peer-stats event), in ms; default 1000. */
  statsIntervalMs?: number;
  /** The OS host name the `.local` name is derived from; default os.hostname. */
  hostname?: () => string;
  /** Starts LAN discovery (mDNS); default ./discovery. Used only when options.mdns.enabled. */
  startDiscovery?: typeof startDiscovery;
  /** Failure detection timings of a cluster node (tests shorten them); see cluster/node.ts. */
  clusterTimings?: Partial<import('./cluster/node.js').ClusterTimings>;
}

/** This node's name in a cluster when none is given: host name and process id. */
export function defaultNodeId(): string {
  return `${osHostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 50)}-${process.pid}`;
}

/**
 * Sockets beyond the connection cap are closed as they arrive, before any HTTP: idle or half-sent
 * sockets count as connections. A little headroom lets the server still answer 503 (and /healthz).
 */
export const socketHeadroom = 16;
function setSocketCap(server: NetServer, maxConnections: number): void {
  server.maxConnections = maxConnections > 0 ? maxConnections + socketHeadroom : Infinity;
}

/** DNS names of a certificate's subjectAltName as Node prints it (`DNS:a.lan, IP Address:10.0.0.2`). */
function dnsNames(san: string | null): string[] {
  return (san ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.startsWith('DNS:'))
    .map((e) => e.slice(4).toLowerCase());
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

export { ServerError };

/** Builds a server from options (validated here, defaults filled in). Call start() to listen. */
export function createSignalServer(input: ServerOptionsInput = {}, deps: ServerDeps = {}): SignalServer {
  let options: ServerOptions = resolveOptions(input);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const pushFactory = deps.pushFactory ?? pushServiceFactory();
  const events = new TypedEmitter<ServerEventMap>();

  const hostname = () => (deps.hostname ?? osHostname)();
  let state: ServerState = 'stopped';
  let http: HttpServer | HttpsServer | null = null;
  // With TLS: the listener that tells TLS from plain HTTP, and the plain server for onboarding/redirects.
  let front: NetServer | null = null;
  let plain: HttpServer | null = null;
  let wss: WebSocketServer | null = null;
  let push: PushService | null = null;
  let heartbeat: unknown = null;
  let statsTimer: unknown = null;
  let startedAt: number | null = null;
  let port: number | null = null;
  /** Detaches from a host server (attach); null when listening on our own. */
  let attached: (() => void) | null = null;
  /** TCP connections open now: WebSockets and sockets that have not upgraded (or are plain HTTP). */
  let socketsOpen = 0;
  /** Sockets no longer counted: closed, or refused and on their way out. */
  const released = new WeakSet<Duplex>();
  /** DNS names this server answers to (its host name, its certificate's names): its own pages' origins. */
  let ownNames: ReadonlySet<string> = new Set([hostname().toLowerCase()]);
  const lan = new LanPresence(deps.startDiscovery ?? startDiscovery, logger, events, (p) => problem(p));
  let lastRelay = '';
  const relay = new RelayService(
    options.relay,
    options.turnSecret,
    {
      host: options.host,
      ownPorts: () => (port === null ? [] : [port]),
      logger,
      now: () => clock.now(),
      interfaces: deps.networkInterfaces,
    },
    (message) => {
      problem({ code: 'relay-failed', message });
      relayChanged();
    },
    () => relayChanged(),
  );
  // Counters reach listeners only when something changed, at most once per tick.
  function relayChanged(): void {
    const r: RelayStatus = relay.status();
    const key = JSON.stringify(r);
    if (key === lastRelay) return;
    lastRelay = key;
    events.emit('relay', r);
  }

  // One counter names the credentials of HTTP callers, as connection ids name those of WebSocket clients.
  let iceRequests = 0;
  function iceConfig(): IceServerConfig {
    const r = relay.status();
    return {
      relay: r.enabled && r.port !== null ? { port: r.port, secret: relay.secret } : null,
      external: options.iceServers,
      // One secret for the embedded relay and external TURN servers (--turn-secret = coturn's static-auth-secret).
      externalSecret: relay.secret,
    };
  }
  const iceServers = (localAddress: string | undefined, user: string) =>
    iceServersFor(iceConfig(), { localAddress, user, nowMs: clock.now() });

  const registry = new Registry();
  const counters = new Counters();
  let cluster: ClusterNode | null = null;
  const policies = new RoomPolicies();
  const queue = new OfflineQueue(clock, () => ({
    ttlMs: options.offlineTtlMs,
    max: options.offlineQueueMax,
    totalBytes: options.offlineQueueBytes,
    senderBytes: options.offlineQueueSenderBytes,
  }));
  const router = new Router(registry, queue, clock, () => push, counters);
  const sessions = new Sessions(
    registry,
    router,
    queue,
    clock,
    logger,
    () => options,
    () => push,
    iceServers,
    {
      joined: (p) => events.emit('peer-joined', p),
      left: (p) => events.emit('peer-left', p),
      counts: () => events.emit('connections', { connections: sessions.size, peers: registry.named }),
    },
    policies,
    counters,
    () => cluster,
  );
  const metrics = createMetrics({
    counters,
    counts: () => ({ connections: sessions.size, peers: registry.named, rooms: registry.roomsWithPeers }),
    cluster: () => cluster?.status() ?? null,
    token: () => options.metricsToken,
  });

  function rooms(): RoomInfo[] {
    const out = new Map<string, RoomInfo>();
    for (const r of registry.rooms()) out.set(r.room, { ...r, ...policies.get(r.room) });
    for (const [room, p] of policies.entries())
      if (!out.has(room)) out.set(room, { room, connections: 0, peers: 0, ...p });
    return [...out.values()].sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
  }

  function setRoom(room: string, patch: RoomPatch): RoomInfo {
    if (!isValidName(room, 0)) throw new TypeError('room names are up to 64 characters without control characters');
    policies.set(room, patch);
    cluster?.roomChanged(room);
    return rooms().find((r) => r.room === room) ?? { room, connections: 0, peers: 0, ...policies.get(room) };
  }

  // A failed push send, an expiring certificate or an mDNS hiccup is worth seeing, but the server keeps
  // serving: not an error state.
  const warnings: ReadonlySet<ServerProblem['code']> = new Set([
    'tls-expiring',
    'push-failed',
    'mdns-failed',
    'redis-unavailable',
    'cluster-node-lost',
    'relay-failed',
  ]);
  // Hosts log what they receive (one line per problem); logging here as well would say it twice.
  const problem = (p: ServerProblem) => {
    events.emit(warnings.has(p.code) ? 'warning' : 'error', p);
  };

  function checkedTls(tls: NonNullable<ServerOptions['tls']>) {
    try {
      const checked = checkTls(tls, clock.now());
      ownNames = new Set([hostname().toLowerCase(), ...dnsNames(checked.info.subjectAltName)]);
      if (checked.expiryWarning) problem({ code: 'tls-expiring', message: checked.expiryWarning });
      return checked;
    } catch (err) {
      if (err instanceof TlsError) throw new ServerError({ code: 'tls-invalid', message: `TLS: ${err.message}` });
      throw err;
    }
  }

  async function makePush(p: PushOptions | null): Promise<PushService | null> {
    if (!p) return null;
    try {
      const store = cluster?.pushStore;
      return await pushFactory(p, {
        dataDir: options.dataDir,
        logger,
        clock,
        onProblem: problem,
        ...(store ? { store } : {}),
      });
    } catch (err) {
      throw new ServerError({ code: 'push-failed', message: `push: ${(err as Error).message}` });
    }
  }

  // The Redis client is loaded here, and only here, when --redis is given: one server never loads it.
  async function joinCluster(url: string): Promise<ClusterNode> {
    const { startClusterNode } = await import('./cluster/index.js');
    try {
      return await startClusterNode({
        url,
        nodeId: options.nodeId ?? defaultNodeId(),
        registry,
        router,
        queue,
        policies,
        announce: (room, action, name) => sessions.announce(room, action, name),
        pushLimits: () => {
          const p = options.push ?? defaultPushLimits;
          return { maxEntries: p.maxSubscriptions, perAddress: p.subscriptionsPerAddress, ttlMs: p.subscriptionTtlMs };
        },
        logger,
        now: () => clock.now(),
        onState: (state: RedisState, message: string) => {
          const nodes = cluster?.status().nodes ?? 1;
          events.emit('cluster', {
            change: state === 'connected' ? 'redis-up' : 'redis-down',
            node: null,
            nodes,
            message,
          });
          if (state === 'disconnected') problem({ code: 'redis-unavailable', message });
          else logger.info({}, message);
        },
        onNode: (change, node, nodes, message) => {
          events.emit('cluster', { change, node, nodes, message });
          if (change === 'node-lost') problem({ code: 'cluster-node-lost', message });
          else logger.info({ node, nodes }, message);
        },
        timings: deps.clusterTimings,
      });
    } catch (err) {
      throw new ServerError({ code: 'redis-unavailable', message: (err as Error).message });
    }
  }

  function startHeartbeat(): void {
    if (heartbeat !== null) clock.clearInterval(heartbeat);
    const h = clock.setInterval(() => sessions.heartbeat(), options.pingIntervalMs);
    h.unref?.();
    heartbeat = h;
  }

  function advertisement(): Advertisement {
    return {
      port: port ?? options.port,
      tls: options.tls !== null,
      path: '/',
      push: push !== null,
      key: options.accessKey !== null,
      bindHost: options.host,
    };
  }

  function status(): ServerStatus {
    const running = state === 'running' && port !== null;
    const trust = options.tls !== null && options.trust !== null ? trustInfo(options.trust.caCert) : null;
    return {
      state,
      port: running ? port : null,
      tls: options.tls !== null,
      trust,
      urls: running
        ? listenUrls(options.host, port!, options.tls !== null, (deps.networkInterfaces ?? networkInterfaces)(), {
            // The `.local` name reaches this server only where the advertisement answers for it.
            localName: options.mdns.enabled ? localHostName(hostname()) : null,
          })
        : [],
      connections: sessions.size,
      peers: registry.named,
      rooms: registry.roomsWithPeers,
      startedAt,
      push: {
        enabled: push !== null,
        publicKey: push?.publicKey ?? null,
        subscriptions: push?.subscriptionCount() ?? 0,
      },
      mdns: { enabled: lan.active, name: lan.name() },
      relay: relay.status(),
    };
  }

  // No closure made here may outlive the handshake: it would pin `req` (headers and all) for the whole
  // life of the connection.
  function onUpgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroySocket);
    if (state !== 'running') return refuse(socket, 503, 'the server is stopping');
    const a = admit(req, {
      accessKey: options.accessKey,
      origins: { allowed: options.allowedOrigins, ownNames: () => ownNames },
      // This socket is one of socketsOpen; every other open socket (upgraded or not) counts.
      open: socketsOpen - 1,
      maxConnections: options.maxConnections,
    });
    if (!a.ok) {
      // A refused socket no longer counts, even before the client has closed its side.
      release(socket);
      return refuse(socket, a.status, a.message);
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      socket.off('error', destroySocket);
      if (state !== 'running') return client.close(1001, 'server shutting down');
      sessions.accept(client, req, a.query);
    });
  }
  function release(socket: Duplex): void {
    if (released.has(socket)) return;
    released.add(socket);
    socketsOpen--;
  }

  /** Plain HTTP on the TLS port: onboarding pages (when a local CA is set) and redirects to https. */
  function plainOnTlsPort(tlsServer: HttpsServer, deadlines: HttpServerOptions) {
    const plainServer = createHttpServer(
      deadlines,
      createTrustHandler({
        caCert: () => options.trust?.caCert ?? null,
        label: () => localLabel(hostname()),
        fallbackHost: () => `${localHostName(hostname())}:${port ?? options.port}`,
      }),
    );
    plainServer.on('upgrade', (_req: IncomingMessage, socket: Duplex) => refusePlainUpgrade(socket));
    plainServer.on('clientError', (_err, socket) => socket.destroy());
    return { plain: plainServer, front: createFrontDoor(tlsServer, plainServer, options.requestTimeoutMs) };
  }

  /** Serves through `bind`, which receives the upgrade handler and returns the port; shared by start and attach. */
  async function begin(
    bind: (
      onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
      tls: ReturnType<typeof checkedTls> | null,
    ) => Promise<number | null>,
  ): Promise<ServerStatus> {
    if (state !== 'stopped')
      throw new ServerError({ code: 'listen-failed', message: `the server is ${state}; stop it first` });
    state = 'starting';
    try {
      const tls = options.tls ? checkedTls(options.tls) : null;
      if (options.redis !== null) {
        cluster = await joinCluster(options.redis);
        router.directory = cluster.directory;
      }
      push = await makePush(options.push);
      const ws = new WebSocketServer({
        noServer: true,
        maxPayload: options.maxPayloadBytes,
        perMessageDeflate: false,
        clientTracking: false,
      });
      port = await bind((req, socket, head) => onUpgrade(ws, req, socket, head), tls);
      wss = ws;
      startedAt = clock.now();
      startHeartbeat();
      const st = clock.setInterval(() => {
        if (!events.has('peer-stats')) return;
        const changed = sessions.changedStats();
        if (changed.length > 0) events.emit('peer-stats', changed);
      }, deps.statsIntervalMs ?? 1000);
      st.unref?.();
      statsTimer = st;
      state = 'running';
      if (options.mdns.enabled && port !== null) lan.start(options.mdns, advertisement());
      await relay.start();
      relayChanged();
      const s = status();
      logger.info({ urls: s.urls.map((u) => u.url) }, 'listening');
      events.emit('listening', s);
      return s;
    } catch (err) {
      await push?.close().catch(() => {});
      await leaveCluster();
      push = null;
      state = 'stopped';
      if (err instanceof ServerError) events.emit('error', err.problem);
      throw err;
    }
  }

  function start(): Promise<ServerStatus> {
    return begin(async (upgrade, tls) => {
      const handler = createRequestHandler({
        health: () => ({
          status: 'ok',
          uptime: startedAt === null ? 0 : Math.floor((clock.now() - startedAt) / 1000),
          connections: sessions.size,
          peers: registry.named,
          queued: { messages: queue.size, bytes: queue.bytes },
        }),
        pushPublicKey: () => push?.publicKey ?? null,
        webClientDir: () => options.webClientDir,
        metrics,
        iceServers: (localAddress) => iceServers(localAddress, `h${++iceRequests}`),
        accessKey: () => options.accessKey,
      });
      // A client has requestTimeoutMs to finish its TLS handshake and send a whole request or upgrade;
      // Node checks the HTTP deadlines every connectionsCheckingInterval.
      const deadlines = {
        headersTimeout: options.requestTimeoutMs,
        requestTimeout: options.requestTimeoutMs,
        keepAliveTimeout: Math.min(5000, options.requestTimeoutMs),
        connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(options.requestTimeoutMs / 4))),
      };
      const server = tls
        ? createHttpsServer(
            { ...tls.options, ...tlsPolicy, ...deadlines, handshakeTimeout: options.requestTimeoutMs },
            handler,
          )
        : createHttpServer(deadlines, handler);
      const onboarding = tls ? plainOnTlsPort(server as HttpsServer, deadlines) : null;
      // The cap applies where connections are accepted (with TLS: the front door that tells TLS from plain
      // HTTP). Counted from the TCP connection (after the TLS handshake with TLS, which handshakeTimeout
      // bounds) until it closes or is refused; the socket that reaches 'upgrade' is the one counted here.
      setSocketCap(onboarding?.front ?? server, options.maxConnections);
      server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
        socketsOpen++;
        socket.once('close', () => release(socket));
      });
      server.on('upgrade', upgrade);
      server.on('clientError', (_err, socket) => socket.destroy());
      server.on('tlsClientError', (err: Error) => logger.debug({ err: err.message }, 'TLS handshake failed'));
      const bound = await listenOn(onboarding?.front ?? server, options.host, options.port);
      http = server;
      front = onboarding?.front ?? null;
      plain = onboarding?.plain ?? null;
      return bound;
    });
  }

  // Embedded in someone else's HTTP(S) server: take its WebSocket upgrades under `path`, nothing else.
  function attach(host: HttpServer | HttpsServer, at: { path?: string } = {}): Promise<ServerStatus> {
    const prefix = at.path ?? '/';
    return begin((upgrade) => {
      const onHostUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!(req.url ?? '/').startsWith(prefix)) return;
        // The host's sockets are counted from their upgrade (only those reach this server).
        socketsOpen++;
        socket.once('close', () => release(socket));
        upgrade(req, socket, head);
      };
      host.on('upgrade', onHostUpgrade);
      attached = () => host.off('upgrade', onHostUpgrade);
      const address = host.address();
      return Promise.resolve(typeof address === 'object' && address !== null ? address.port : null);
    });
  }

  async function stop(): Promise<void> {
    if (state !== 'running') return;
    state = 'stopping';
    if (heartbeat !== null) clock.clearInterval(heartbeat);
    if (statsTimer !== null) clock.clearInterval(statsTimer);
    heartbeat = statsTimer = null;
    await lan.stop();
    await relay.stop();
    relayChanged();
    queue.expireAll();
    attached?.();
    attached = null;
    await sessions.closeAll(deps.stopGraceMs ?? 2000);
    wss?.close();
    await new Promise<void>((resolve) => {
      const listener = front ?? http;
      if (!listener) return resolve();
      listener.close(() => resolve());
      http?.closeAllConnections();
      plain?.closeAllConnections();
    });
    await push?.close().catch((err: Error) => logger.warn({ err: err.message }, 'push close failed'));
    await leaveCluster();
    http = null;
    front = null;
    plain = null;
    wss = null;
    push = null;
    port = null;
    startedAt = null;
    state = 'stopped';
    logger.info({}, 'stopped');
    events.emit('stopped');
  }

  async function leaveCluster(): Promise<void> {
    const c = cluster;
    cluster = null;
    router.directory = registry;
    await c?.stop();
  }

  async function reconfigure(input: LiveOptions): Promise<void> {
    const patch = resolveLiveOptions(input);
    const running = state === 'running';
    if (running && patch.tls !== undefined && (patch.tls === null) !== (options.tls === null)) {
      throw new OptionsError(
        `option tls: turning TLS ${patch.tls ? 'on' : 'off'} needs a restart: stop the server, then start it with the new settings`,
      );
    }
    // Check everything that can fail before changing anything.
    const tls = running && patch.tls ? checkedTls(patch.tls) : null;
    const nextPush = running && patch.push !== undefined ? await makePush(patch.push) : undefined;
    if (!running && patch.tls) checkedTls(patch.tls);
    options = { ...options, ...patch };
    if (tls && http && 'setSecureContext' in http) http.setSecureContext({ ...tls.options, ...tlsPolicy });
    if (patch.maxPayloadBytes !== undefined && wss) wss.options.maxPayload = patch.maxPayloadBytes;
    if (patch.maxConnections !== undefined && http) setSocketCap(front ?? http, patch.maxConnections);
    if (patch.pingIntervalMs !== undefined && running) startHeartbeat();
    if (patch.rateLimit !== undefined) sessions.updateRateLimits();
    if (nextPush !== undefined) {
      const old = push;
      push = nextPush;
      await old?.close().catch(() => {});
    }
    if (patch.relay !== undefined || patch.turnSecret !== undefined) {
      await relay.reconfigure(options.relay, patch.turnSecret, running);
      relayChanged();
    }
    if (running && patch.mdns !== undefined) {
      await lan.stop();
      if (options.mdns.enabled) lan.start(options.mdns, advertisement());
    } else if (patch.tls !== undefined || patch.push !== undefined || patch.accessKey !== undefined) {
      lan.update(advertisement());
    }
  }

  return {
    events,
    get options() {
      return options;
    },
    start,
    attach,
    stop,
    reconfigure,
    status,
    peers: () => sessions.list(),
    kick: (id, reason) => sessions.kick(id, reason),
    rooms,
    setRoom,
    discovered: () => lan.servers(),
    cluster: (): ClusterStatus | null => cluster?.status() ?? null,
    metrics: async () => (await metrics.scrape()).text,
    get turnSecret() {
      return relay.secret;
    },
    async sendTestPush(room, name, from = 'rustysignal'): Promise<PushResult> {
      if (!push) return { ok: false, status: null, message: 'push is not enabled: add VAPID keys first' };
      return push.connectionRequest(room, from, name);
    },
  };
}
