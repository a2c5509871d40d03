// The names other nodes hold, kept current by presence events, so routing never asks Redis per message.
import { stampFrom, type Dialect } from '../protocol.js';
import type { Peer } from '../registry.js';

/** A name registered on another node: delivering to it publishes to that node's channel. */
export class RemotePeer implements Peer {
  constructor(
    readonly node: string,
    readonly dialect: Dialect,
    readonly room: string,
    readonly name: string,
    private readonly send: (peer: RemotePeer, frame: Buffer | string) => void,
  ) {}

  relay(raw: Buffer, fromSuffix: Buffer): void {
    this.send(this, this.dialect === 1 ? raw : stampFrom(raw, fromSuffix));
  }
}

export class RemotePeers {
  readonly #rooms = new Map<string, Map<string, RemotePeer>>();
  /** Peers per node. */
  readonly #perNode = new Map<string, number>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(room: string, name: string): RemotePeer | undefined {
    return this.#rooms.get(room)?.get(name);
  }

  /** Sets room/name; returns the peer it replaced, if any. */
  set(peer: RemotePeer): RemotePeer | undefined {
    let r = this.#rooms.get(peer.room);
    if (!r) this.#rooms.set(peer.room, (r = new Map<string, RemotePeer>()));
    const old = r.get(peer.name);
    r.set(peer.name, peer);
    if (!old) this.#size++;
    else this.#count(old.node, -1);
    this.#count(peer.node, 1);
    return old;
  }

  delete(room: string, name: string): RemotePeer | undefined {
    const r = this.#rooms.get(room);
    const old = r?.get(name);
    if (!r || !old) return undefined;
    r.delete(name);
    this.#size--;
    this.#count(old.node, -1);
    if (r.size === 0) this.#rooms.delete(room);
    return old;
  }

  names(room: string): Iterable<string> {
    return this.#rooms.get(room)?.keys() ?? [];
  }

  #count(node: string, by: 1 | -1): void {
    const n = (this.#perNode.get(node) ?? 0) + by;
    if (n > 0) this.#perNode.set(node, n);
    else this.#perNode.delete(node);
  }

  /** Nodes that hold at least one known peer. */
  nodes(): IterableIterator<string> {
    return this.#perNode.keys();
  }

  *all(): IterableIterator<RemotePeer> {
    for (const r of this.#rooms.values()) yield* r.values();
  }

  /** Every peer of `node`. */
  ofNode(node: string): RemotePeer[] {
    return [...this.all()].filter((p) => p.node === node);
  }
}
