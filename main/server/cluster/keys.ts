// Every Redis key and channel the cluster uses, under one prefix. A peer is stored under the field
// `ROOM \0 NAME`: neither may contain control characters (protocol.isValidName), so \0 separates them.
import { nameKey } from '../protocol.js';

export const prefix = 'rustysignal:';

export const keys = {
  /**
   * Hash: field ROOM\0NAME → {"n":node,"c":connection id,"d":dialect,"t":sha256 of its resume token,
   * "k":its look-alike field}.
   */
  peers: `${prefix}peers`,
  /**
   * Hash: field ROOM\0nameKey(NAME) → how many registered names of the room read the same (the registry's
   * look-alike rule, protocol.nameKey): a v2 claim must find none but its own.
   */
  folded: `${prefix}folded`,
  /** Set of node ids that announced themselves. */
  nodes: `${prefix}nodes`,
  /** String with a TTL, refreshed by each live node: `nodeAlive + id`. */
  nodeAlive: `${prefix}node:`,
  /** Set of the peer fields a node holds: `owned + id`. */
  owned: `${prefix}owned:`,
  /**
   * Hash: field ROOM → the operator's room controls {"l":locked,"c":code or null,"at":ms when decided}; an
   * opened room stays as a record until the hash expires (so a stale copy cannot bring its lock back). Its
   * lifetime is extended by every node's heartbeat: it lasts while any node runs.
   */
  rooms: `${prefix}rooms`,
  /** Hash: field ROOM\0NAME → a push subscription entry (JSON). */
  push: `${prefix}push`,
} as const;

export const channels = {
  /** Joins, leaves, resumes, dead nodes and push subscription changes (JSON). */
  presence: `${prefix}presence`,
  /** One-to-one messages for a node's connections. */
  node: (id: string) => `${prefix}n:${id}`,
  /** One-to-all messages of a room, to every node with members in it. */
  roomPrefix: `${prefix}r:`,
} as const;

export const fieldOf = (room: string, name: string) => `${room}\u0000${name}`;

/** The field under which names that read the same are counted: the single server's nameKey, not a copy. */
export const foldedFieldOf = (room: string, name: string) => fieldOf(room, nameKey(name));

export function splitField(field: string): { room: string; name: string } {
  const i = field.indexOf('\u0000');
  return { room: field.slice(0, i), name: field.slice(i + 1) };
}
