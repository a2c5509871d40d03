// The control surface of one signaling server: what the CLI, the Electron shell and the tests hold.
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { ClusterStatus } from './cluster-types.js';
import type { LiveOptions, ServerOptions } from './options.js';
import type {
  ClusterEvent,
  DiscoveredServer,
  ListenUrl,
  PeerInfo,
  PeerLeft,
  PeerStats,
  PushResult,
  RoomInfo,
  RoomPatch,
  ServerProblem,
} from './report-types.js';
import type { TypedEmitter } from './typed-emitter.js';
import type { RelayStatus } from './relay/service.js';

export type { RelayStatus } from './relay/service.js';

export type { ClusterStatus } from './cluster-types.js';
export type {
  ClusterEvent,
  DiscoveredServer,
  InterfaceAddress,
  ListenUrl,
  PeerInfo,
  PeerLeft,
  PeerStats,
  ProblemCode,
  PushResult,
  RoomInfo,
  RoomPatch,
  ServerProblem,
} from './report-types.js';

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface ServerStatus {
  state: ServerState;
  /** Port actually bound (differs from the option when it was 0); null while stopped. */
  port: number | null;
  tls: boolean;
  /** The local CA offered at /trust (plain HTTP on the TLS port); null when none is. */
  trust: { fingerprint256: string; validTo: string } | null;
  /** `NAME.local` first when it reaches this server (wildcard bind, mDNS on), then each address. */
  urls: ListenUrl[];
  /** Open WebSocket connections, anonymous ones included. */
  connections: number;
  /** Connections registered under a name. */
  peers: number;
  /** Rooms that have at least one named peer. */
  rooms: number;
  /** ms since epoch when the server started listening; null while stopped. */
  startedAt: number | null;
  push: { enabled: boolean; publicKey: string | null; subscriptions: number };
  /** LAN advertisement: on or off, and the instance name in use once claimed. */
  mdns: { enabled: boolean; name: string | null };
  /** The embedded STUN/TURN relay: on or off, its port, live allocations and relayed bytes per second. */
  relay: RelayStatus;
}

export interface ServerEventMap {
  listening: [ServerStatus];
  stopped: [];
  /**
   * Every accepted connection, named or anonymous, once registration is settled; a name resumed with
   * its token is a new connection (new id) and the one it replaced leaves with reason `taken-over`.
   * (What v2 room members are told is narrower: named joins and leaves only, a resume told as neither.)
   */
  'peer-joined': [PeerInfo];
  /** Every connection that had a peer-joined, when it closes. */
  'peer-left': [PeerLeft];
  /** Counters that changed since the last report, at most once per second (only while someone listens). */
  'peer-stats': [PeerStats[]];
  /** A connection opened or closed (named or not); carries the new counts. */
  connections: [{ connections: number; peers: number }];
  error: [ServerProblem];
  warning: [ServerProblem];
  /** The discovered-server list changed. */
  discovery: [DiscoveredServer[]];
  /** The advertised mDNS instance name (after conflict resolution). */
  advertised: [{ name: string }];
  /** The relay's state or counters changed (at most once per second). */
  relay: [RelayStatus];
  /**
   * Clustered: a node joined, left or was lost, or Redis went away or came back. A lost node and Redis
   * going away are also `warning`s (cluster-node-lost, redis-unavailable).
   */
  cluster: [ClusterEvent];
}

export interface SignalServer {
  readonly events: TypedEmitter<ServerEventMap>;
  /** The resolved options the server runs with (after reconfigure). */
  readonly options: Readonly<ServerOptions>;
  /** Binds and serves. Rejects with a ServerProblem-carrying error (port in use, bad TLS). */
  start(): Promise<ServerStatus>;
  /**
   * Instead of start(): serves WebSocket upgrades of an existing HTTP(S) server whose URL path starts with
   * `path` (default '/', every upgrade). That server keeps its own requests, TLS and listening; the
   * options' host, port and tls are not used, and neither are /healthz, /metrics and the web client
   * (call metrics() to serve the Prometheus text yourself). stop() detaches and leaves that server running.
   */
  attach(server: HttpServer | HttpsServer, at?: { path?: string }): Promise<ServerStatus>;
  /** Closes every client with 1001, withdraws the mDNS advertisement, stops listening. */
  stop(): Promise<void>;
  /** Applies live options (TLS material, limits, access key, push keys, mDNS) without dropping connections. */
  reconfigure(patch: LiveOptions): Promise<void>;
  status(): ServerStatus;
  peers(): PeerInfo[];
  /** Closes one connection (code 4000 with the reason). Returns false when no such connection. */
  kick(id: number, reason: string): boolean;
  /** Rooms that have connections or a policy (lock, code), sorted by name. */
  rooms(): RoomInfo[];
  /**
   * Locks or unlocks a room and sets or removes its access code; connections already in the room stay.
   * Throws a TypeError for a code that is not 1 to 32 characters without spaces or control characters.
   */
  setRoom(room: string, patch: RoomPatch): RoomInfo;
  /** Other rustysignal servers seen on the LAN (empty when mDNS is off). */
  discovered(): DiscoveredServer[];
  /** Clustered (--redis): this node's id, Redis state, live nodes and names known on other nodes; else null. */
  cluster(): ClusterStatus | null;
  /** The Prometheus text GET /metrics serves. */
  metrics(): Promise<string>;
  /** The TURN REST secret in use (configured, kept by the host, or random for this run). */
  readonly turnSecret: string;
  /** Sends a test push ("connection request" from `from`) to a subscribed user. */
  sendTestPush(room: string, name: string, from?: string): Promise<PushResult>;
}
