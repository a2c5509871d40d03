// What the server reports about its connections, problems, LAN neighbours and pushes. No imports: the IPC contract (and
// through it the dashboard, which has no Node types) shares these definitions instead of copying them.

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
  | 'internal';

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
