// The operator's room controls (locks, access codes) shared by every node: the node's RoomPolicies stays
// the copy that admissions read at once; a change made here is written to Redis and announced, and one
// made at another node arrives as a presence event. Each decision carries when it was taken, so after an
// outage the later one wins and a stale copy never brings back a lock that was lifted.
import type { Logger } from '../logger.js';
import type { RoomPolicies, RoomPolicy } from '../room-policy.js';
import { channels, keys } from './keys.js';
import type { ScriptCommands } from './scripts.js';

interface Record {
  /** locked */
  l: boolean;
  /** code */
  c: string | null;
  /** ms since epoch when it was decided (0: before this node joined, loses to anything Redis holds). */
  at: number;
}

function parseRecord(text: string): Record | null {
  try {
    const r = JSON.parse(text) as Partial<Record>;
    return typeof r.l === 'boolean' && (r.c === null || typeof r.c === 'string') && typeof r.at === 'number'
      ? { l: r.l, c: r.c, at: r.at }
      : null;
  } catch {
    return null;
  }
}

export class SharedRoomPolicies {
  /** The decision each room's copy holds, opened rooms included, with its time. */
  readonly #known = new Map<string, Record>();

  constructor(
    private readonly redis: ScriptCommands,
    private readonly nodeId: string,
    private readonly policies: RoomPolicies,
    private readonly now: () => number,
    /** Lifetime of the shared table without heartbeats (the node key's). */
    private readonly ttlMs: number,
    private readonly logger: Logger,
    /** Whether Redis answers now (a change made meanwhile is written when it is back). */
    private readonly healthy: () => boolean,
  ) {}

  /** The operator changed `room` on this node: share it. */
  changed(room: string): void {
    const p = this.policies.get(room);
    // Later than the decision this node knows of, even if its clock is behind the node that took that one.
    const record: Record = { l: p.locked, c: p.code, at: Math.max(this.now(), (this.#known.get(room)?.at ?? 0) + 1) };
    this.#known.set(room, record);
    if (!this.healthy()) return;
    this.#write([[room, record]]).catch((err: Error) =>
      this.logger.warn({ room, err: err.message }, 'room control not shared yet (Redis); kept on this node'),
    );
  }

  /** Another node announced `room`'s record. */
  received(room: string, text: string): void {
    const r = parseRecord(text);
    if (r) this.#apply(room, r);
  }

  /** At start and after an outage: writes what is newer here, then takes whatever Redis holds. */
  async merge(): Promise<void> {
    const mine: Array<[string, Record]> = [...this.#known];
    // Controls set before this node joined count as older than anything the cluster decided.
    for (const [room, p] of this.policies.entries())
      if (!this.#known.has(room)) mine.push([room, { l: p.locked, c: p.code, at: 0 }]);
    await this.#write(mine);
  }

  async #write(records: Array<[string, Record]>): Promise<void> {
    const list = records.map(([r, rec]) => ({ r, v: JSON.stringify(rec), at: rec.at }));
    const all = await this.redis.rsRooms(keys.rooms, channels.presence, this.nodeId, this.ttlMs, JSON.stringify(list));
    for (let i = 0; i + 1 < all.length; i += 2) this.received(all[i]!, all[i + 1]!);
  }

  #apply(room: string, r: Record): void {
    const cur = this.#known.get(room);
    if (cur && cur.at > r.at) return;
    this.#known.set(room, r);
    const policy: RoomPolicy = { locked: r.l, code: r.c };
    try {
      this.policies.set(room, policy);
    } catch {
      this.logger.warn({ room }, 'ignored a room control from Redis with an invalid code');
    }
  }
}
