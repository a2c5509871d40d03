// One-to-one messages from v2 senders to a name that is not connected yet: held for a short time and
// delivered in order when the name registers, or reported back as `expired`. Nothing is dropped silently.
// What is held is bounded in bytes twice: in total, and per sender address, so no client (or handful of
// connections from one machine) can make the server hold more than the operator allowed.
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
  /** Bytes this message is accounted for (payload plus bookkeeping). */
  cost: number;
}

export interface OfflineLimits {
  ttlMs: number;
  /** Most messages held per target. */
  max: number;
  /** Most bytes held over all targets. */
  totalBytes: number;
  /** Most bytes held for messages from one sender address. */
  senderBytes: number;
}

/** Why a message was not held. */
export type HoldRefusal = 'off' | 'target-full' | 'sender-budget' | 'total-budget';

/** What a held message costs beyond its bytes: the record, its timer, its map entry (measured, rounded up). */
export const heldOverheadBytes = 512;

const key = (room: string, name: string) => `${room}\u0000${name}`;

export class OfflineQueue {
  readonly #held = new Map<string, HeldMessage[]>();
  readonly #bySender = new Map<string, number>();
  #bytes = 0;
  #count = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: () => OfflineLimits,
  ) {}

  /** Holds a copy of `raw` for room/to; otherwise says why not. */
  hold(room: string, to: string, raw: Buffer, sender: Connection, ref: string | number | null): true | HoldRefusal {
    const { ttlMs, max, totalBytes, senderBytes } = this.limits();
    if (ttlMs <= 0) return 'off';
    const k = key(room, to);
    const list = this.#held.get(k);
    if (list && list.length >= max) return 'target-full';
    const cost = raw.length + heldOverheadBytes;
    const address = sender.remoteAddress;
    if ((this.#bySender.get(address) ?? 0) + cost > senderBytes) return 'sender-budget';
    if (this.#bytes + cost > totalBytes) return 'total-budget';
    // An exact copy: ws may hand us a slice of a larger receive buffer, and a small Buffer.from() copy
    // would sit in an 8 KiB pool slab; either would pin far more memory than is accounted.
    const copy = Buffer.allocUnsafeSlow(raw.length);
    raw.copy(copy);
    const msg: HeldMessage = { raw: copy, fromSuffix: sender.fromSuffix, sender, to, ref, timer: null, cost };
    msg.timer = this.clock.setTimeout(() => this.#expire(k, msg), ttlMs);
    if (list) list.push(msg);
    else this.#held.set(k, [msg]);
    this.#account(msg, +1);
    return true;
  }

  /** Removes and returns what is held for room/name, oldest first. */
  take(room: string, name: string): HeldMessage[] {
    const k = key(room, name);
    const list = this.#held.get(k);
    if (!list) return [];
    this.#held.delete(k);
    for (const m of list) {
      this.clock.clearTimeout(m.timer);
      this.#account(m, -1);
    }
    return list;
  }

  /** Messages held now, over all targets. */
  get size(): number {
    return this.#count;
  }

  /** Bytes accounted to held messages now (payloads plus bookkeeping). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Expires everything at once (server stop). */
  expireAll(): void {
    for (const [k, list] of this.#held) for (const m of [...list]) this.#expire(k, m);
  }

  #account(m: HeldMessage, sign: 1 | -1): void {
    const address = m.sender.remoteAddress;
    const left = (this.#bySender.get(address) ?? 0) + sign * m.cost;
    if (left > 0) this.#bySender.set(address, left);
    else this.#bySender.delete(address);
    this.#bytes += sign * m.cost;
    this.#count += sign;
  }

  #expire(k: string, msg: HeldMessage): void {
    const list = this.#held.get(k);
    const i = list?.indexOf(msg) ?? -1;
    if (!list || i < 0) return;
    this.clock.clearTimeout(msg.timer);
    list.splice(i, 1);
    if (list.length === 0) this.#held.delete(k);
    this.#account(msg, -1);
    msg.sender.control({ action: 'expired', data: { to: msg.to, ref: msg.ref } });
  }
}
