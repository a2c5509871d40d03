// One-to-one messages from v2 senders to a name that is not connected yet: held for a short time and
// delivered in order when the name registers, or reported back as `expired`. Nothing is dropped silently.
import type { Clock } from './clock.js';
import type { Connection } from './connection.js';

export interface HeldMessage {
  raw: Buffer;
  /** The sender's `,"from":NAME}` at the time it sent (it may have left since). */
  fromSuffix: Buffer;
  sender: Connection;
  to: string;
  ref: string | number | null;
  timer: unknown;
}

export interface OfflineLimits {
  ttlMs: number;
  max: number;
}

const key = (room: string, name: string) => `${room}\u0000${name}`;

export class OfflineQueue {
  readonly #held = new Map<string, HeldMessage[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: () => OfflineLimits,
  ) {}

  /** Holds a message for room/to; false when the queue is off or that target's queue is full. */
  hold(room: string, to: string, raw: Buffer, sender: Connection, ref: string | number | null): boolean {
    const { ttlMs, max } = this.limits();
    if (ttlMs <= 0) return false;
    const k = key(room, to);
    let list = this.#held.get(k);
    if (!list) this.#held.set(k, (list = []));
    if (list.length >= max) return false;
    const msg: HeldMessage = { raw, fromSuffix: sender.fromSuffix, sender, to, ref, timer: null };
    msg.timer = this.clock.setTimeout(() => this.#expire(k, msg), ttlMs);
    list.push(msg);
    return true;
  }

  /** Removes and returns what is held for room/name, oldest first. */
  take(room: string, name: string): HeldMessage[] {
    const k = key(room, name);
    const list = this.#held.get(k);
    if (!list) return [];
    this.#held.delete(k);
    for (const m of list) this.clock.clearTimeout(m.timer);
    return list;
  }

  /** Messages held now, over all targets. */
  get size(): number {
    let n = 0;
    for (const l of this.#held.values()) n += l.length;
    return n;
  }

  /** Expires everything at once (server stop). */
  expireAll(): void {
    for (const [k, list] of this.#held) for (const m of [...list]) this.#expire(k, m);
  }

  #expire(k: string, msg: HeldMessage): void {
    const list = this.#held.get(k);
    const i = list?.indexOf(msg) ?? -1;
    if (!list || i < 0) return;
    this.clock.clearTimeout(msg.timer);
    list.splice(i, 1);
    if (list.length === 0) this.#held.delete(k);
    msg.sender.control({ action: 'expired', data: { to: msg.to, ref: msg.ref } });
  }
}
