// What the server reports about its connections, problems, LAN neighbours and pushes. No imports: the IPC contract (and
// through it the dashboard, which has no Node types) shares these definitions instead of copying them.

/** One address of one network interface of this machine (link-local IPv6 left out: unusable in a URL). */
export interface InterfaceAddress {
  /** Interface name (`eth0`, `wlan0`, `lo`). */
  interface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  /** Loopback: reachable from this machine only. */
  internal: boolean;
}

/**
 * One URL other devices can use to reach the server: per interface address, or this machine's `NAME.local`
 * (interface `mDNS`, family `name`).
 */
export interface ListenUrl extends Omit<InterfaceAddress, 'family'> {
  family: InterfaceAddress['family'] | 'name';
  /** `ws://ADDRESS:PORT/` or `wss://...`. */
  url: string;
}

/** One connection as the control surface reports it. */
export interface PeerInfo {
  /** Connection id, unique for the server's lifetime. */
  id: number;
  name: string | null;
  room: string;
  dialect: 1 | 2;
  remoteAddress: string;
  /** ms since epoch. */
  connectedAt: number;
  messagesIn: number;
  messagesOut: number;
  pushSubscribed: boolean;
}

/** The changing part of a PeerInfo: message counters and push state. */
export interface PeerStats {
  id: number;
  messagesIn: number;
  messagesOut: number;
  pushSubscribed: boolean;
}

/**
 * Why a connection went away: it closed, missed a ping, was kicked, the server stopped, it stopped
 * reading while messages for it piled up (`slow`), or a new connection resumed its name with the token
 * (`taken-over`; the name stays in the room under the new connection's id), or (clustered) the same name
 * was registered on another node while Redis was unreachable and that registration won (`name-conflict`).
 */
export type LeaveReason = 'closed' | 'timeout' | 'kicked' | 'stopped' | 'slow' | 'taken-over' | 'name-conflict';

/** A connection that went away (named or anonymous), under the id its peer-joined carried. */
export interface PeerLeft {
  id: number;
  name: string | null;
  room: string;
  reason: LeaveReason;
}

/** What can go wrong in the server, as the user sees it. */
export type ProblemCode =
  | 'port-in-use'
  | 'listen-failed'
  | 'tls-invalid'
  | 'tls-expiring'
  | 'push-failed'
  | 'push-store-corrupt'
  | 'mdns-failed'
  | 'redis-unavailable'
  | 'cluster-node-lost'
  | 'relay-failed'
  | 'internal';

/** Something a user should see: what happened and what to do. */
export interface ServerProblem {
  code: ProblemCode;
  message: string;
}

/**
 * A change in the cluster this server is a node of (clustered only): another node joined (or came back
 * after an outage), stopped normally (`node-left`, its users' leaves already announced), or stopped
 * answering (`node-lost`: its users were disconnected and their names freed); Redis became unreachable
 * or reachable again.
 */
export interface ClusterEvent {
  change: 'node-joined' | 'node-left' | 'node-lost' | 'redis-down' | 'redis-up';
  /** The other node's id; null for Redis changes. */
  node: string | null;
  /** Live nodes (this one included) as this node knows them after the change. */
  nodes: number;
  message: string;
}

/** A rustysignal server found on the LAN over mDNS. */
export interface DiscoveredServer {
  /** DNS-SD instance name. */
  name: string;
  host: string;
  addresses: string[];
  port: number;
  txt: Record<string, string>;
  /** ms since epoch. */
  firstSeen: number;
  lastSeen: number;
}

/** The outcome of one push connection request. */
export interface PushResult {
  ok: boolean;
  /** HTTP status from the push service, when it answered. */
  status: number | null;
  /** Human-readable reason when not ok. */
  message: string | null;
}

/** The embedded STUN/TURN relay as the control surface reports it. */
export interface RelayStatus {
  enabled: boolean;
  /** UDP/TCP port in use; null while off or failed. */
  port: number | null;
  /** Live TURN allocations. */
  allocations: number;
  /** Relayed payload bytes per second (both directions), over the last second. */
  bytesPerSecond: number;
  /** Why the relay is not running although it should; null when fine. */
  problem: string | null;
}

/** One room as the operator sees it: who is in it and what was decided for it. */
export interface RoomInfo {
  /** Room name ("" is the default room, where v1 clients are too). */
  room: string;
  /** Open connections in the room, anonymous ones included. */
  connections: number;
  /** Named connections in the room. */
  peers: number;
  /** New names are refused; names already in the room may come back after a reload. */
  locked: boolean;
  /** The access code clients must present (`?code=`), or null. */
  code: string | null;
}

/** What the operator may change about a room (fields left out stay as they are). */
export interface RoomPatch {
  locked?: boolean;
  /** null removes the code. */
  code?: string | null;
}
