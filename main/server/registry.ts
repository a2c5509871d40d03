// Rooms → names → connections, and resume tokens. The router finds recipients only through the
// `Directory` interface, so a cluster (cluster/directory.ts) answers for users on other nodes too.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Connection } from './connection.js';
import { nameKey, type Dialect } from './protocol.js';

/** Someone a one-to-one message can be delivered to: a local Connection, or (clustered) a peer on another node. */
export interface Peer {
  readonly dialect: Dialect;
  /**
   * Relays a sender's message: the exact bytes to a v1 recipient, stamped with `fromSuffix` for v2.
   * `burst`: more are likely to follow this tick.
   */
  relay(raw: Buffer, fromSuffix: Buffer, burst?: boolean): void;
}

/** What routing needs to find recipients. */
export interface Directory {
  /** The peer registered as `name` in `room`, on this node or (clustered) another. */
  find(room: string, name: string): Peer | undefined;
  /** Every connection of this node in `room`, anonymous ones included. */
  members(room: string): Iterable<Connection>;
  /** Names registered in `room` (on every node), without `except`. */
  names(room: string, except: Connection | null): string[];
  /** Clustered only: carries a one-to-all from a local sender to the room's members on other nodes. */
  readonly toOtherNodes?: (room: string, raw: Buffer, fromSuffix: Buffer) => void;
}

export type Claim =
  | { kind: 'registered' }
  /**
   * A matching token took the name over from `previous`, which the caller must close (4001); null when the
   * previous holder is on another node (that node closes it).
   */
  | { kind: 'resumed'; previous: Connection | null }
  | { kind: 'taken' }
  /** The room is locked and this is not a resume of a name already in it. */
  | { kind: 'locked' };

interface Room {
  members: Set<Connection>;
  /** Exact name → holder: routing and v1 compare names byte for byte. */
  names: Map<string, Connection>;
  /** nameKey(name) → how many registered names fold to it: v2 registrations must find none. */
  folded: Map<string, number>;
  /** v2 members: presence notices are only worth a loop over the room when someone can receive them. */
  v2: number;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A fresh, unguessable resume token (128 bits, base64url). */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

export class Registry implements Directory {
  readonly #rooms = new Map<string, Room>();
  #named = 0;

  #room(name: string): Room {
    let r = this.#rooms.get(name);
    if (!r) this.#rooms.set(name, (r = { members: new Set(), names: new Map(), folded: new Map(), v2: 0 }));
    return r;
  }

  /** Adds an (anonymous) connection to its room. */
  join(conn: Connection): void {
    const room = this.#room(conn.room);
    room.members.add(conn);
    if (conn.dialect === 2) room.v2++;
  }

  /**
   * Registers `name` for `conn`, or resumes it when `token` matches the holder's token. A v2 name is
   * refused when another registered name reads the same (nameKey: NFC, case-insensitive); a v1 name only
   * when the exact bytes are taken. A locked room refuses everything but a resume.
   */
  claim(conn: Connection, name: string, token: string | null, locked = false): Claim {
    const room = this.#room(conn.room);
    const holder = room.names.get(name);
    const resumes = holder !== undefined && token !== null && holder.token !== null && sameToken(token, holder.token);
    if (holder && !resumes) return { kind: 'taken' };
    if (!resumes && locked) return { kind: 'locked' };
    const key = nameKey(name);
    // A resumed holder counts under the same key; anyone else there is a look-alike.
    if (conn.dialect === 2 && (room.folded.get(key) ?? 0) > (holder ? 1 : 0)) return { kind: 'taken' };
    // Only v2 ever learns (and can present) a token; v1 registrations skip the random bytes.
    const previous = this.assign(conn, name, conn.dialect === 2 ? newToken() : null);
    return previous ? { kind: 'resumed', previous } : { kind: 'registered' };
  }

  /**
   * Gives `name` to `conn` with `token`, without checks (a cluster decided in Redis). Returns the local
   * connection that held it, now superseded (the caller closes it with 4001).
   */
  assign(conn: Connection, name: string, token: string | null): Connection | undefined {
    const room = this.#room(conn.room);
    const holder = room.names.get(name);
    room.names.set(name, conn);
    conn.setName(name, token);
    if (!holder) {
      const key = nameKey(name);
      room.folded.set(key, (room.folded.get(key) ?? 0) + 1);
      this.#named++;
      return undefined;
    }
    holder.superseded = true;
    return holder;
  }

  /** Takes `conn`'s name away (resumed on another node, or lost a conflict); it stays a member until it closes. */
  release(conn: Connection): void {
    const room = this.#rooms.get(conn.room);
    if (conn.name === null || !room || room.names.get(conn.name) !== conn) return;
    this.#unname(room, conn.name);
    conn.superseded = true;
  }

  #unname(room: Room, name: string): void {
    room.names.delete(name);
    const key = nameKey(name);
    const n = (room.folded.get(key) ?? 1) - 1;
    if (n > 0) room.folded.set(key, n);
    else room.folded.delete(key);
    this.#named--;
  }

  /** Removes `conn`; true when it released a name (a leave the room should hear about). */
  leave(conn: Connection): boolean {
    const room = this.#rooms.get(conn.room);
    if (!room || !room.members.delete(conn)) return false;
    if (conn.dialect === 2) room.v2--;
    let released = false;
    if (conn.name !== null && room.names.get(conn.name) === conn) {
      this.#unname(room, conn.name);
      released = true;
    }
    if (room.members.size === 0) this.#rooms.delete(conn.room);
    return released;
  }

  find(room: string, name: string): Connection | undefined {
    return this.#rooms.get(room)?.names.get(name);
  }

  members(room: string): Iterable<Connection> {
    return this.#rooms.get(room)?.members ?? [];
  }

  /** v2 members of `room` (control messages go to them only). */
  v2Members(room: string): Iterable<Connection> {
    const r = this.#rooms.get(room);
    return r && r.v2 > 0 ? r.members : [];
  }

  /** Names registered in `room`, without `except`. */
  names(room: string, except: Connection | null = null): string[] {
    const out: string[] = [];
    for (const [name, c] of this.#rooms.get(room)?.names ?? []) if (c !== except) out.push(name);
    return out;
  }

  /** Rooms that have members now, with how many are named. */
  *rooms(): IterableIterator<{ room: string; connections: number; peers: number }> {
    for (const [room, r] of this.#rooms) yield { room, connections: r.members.size, peers: r.names.size };
  }

  /** Every connection, for status, heartbeat and shutdown. */
  *all(): IterableIterator<Connection> {
    for (const r of this.#rooms.values()) yield* r.members;
  }

  get named(): number {
    return this.#named;
  }
  /** Rooms with at least one named peer. */
  get roomsWithPeers(): number {
    let n = 0;
    for (const r of this.#rooms.values()) if (r.names.size > 0) n++;
    return n;
  }
}
