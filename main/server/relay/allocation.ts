// One TURN allocation (RFC 8656 §2.2): a relay socket, its permissions and channels, its lifetime and
// bandwidth budget. Peer data reaches the client only from permitted addresses, as ChannelData when a
// channel is bound to the peer, else as a Data indication.
import type { Socket } from 'node:dgram';
import { addressValue, Attr, Class, Method, StunBuilder, type TransportAddress } from './stun-message.js';
import { randomBytes } from 'node:crypto';

/** The way back to the client over the transport it used (one UDP 5-tuple or one TCP connection). */
export interface ClientLink {
  readonly transport: 'udp' | 'tcp';
  /** The client's address as the server sees it. */
  readonly remote: TransportAddress;
  /** The server address the client reached (the relayed address uses the same interface). */
  readonly local: TransportAddress;
  send(message: Buffer): void;
  /** ChannelData: the 4-byte header, then the payload (TCP pads it to a multiple of 4). */
  sendChannel(header: Buffer, payload: Buffer): void;
}

export const PERMISSION_LIFETIME_MS = 300_000;
export const CHANNEL_LIFETIME_MS = 600_000;

interface Channel {
  number: number;
  address: string;
  port: number;
  expiresAt: number;
}

/** Token bucket over bytes: one second's worth of burst. */
class ByteBudget {
  #tokens: number;
  #at: number;
  constructor(
    public rate: number,
    now: number,
  ) {
    this.#tokens = rate;
    this.#at = now;
  }
  take(bytes: number, now: number): boolean {
    if (this.rate === 0) return true;
    this.#tokens = Math.min(this.rate, this.#tokens + ((now - this.#at) * this.rate) / 1000);
    this.#at = now;
    if (this.#tokens < bytes) return false;
    this.#tokens -= bytes;
    return true;
  }
}

export class Allocation {
  readonly permissions = new Map<string, number>();
  readonly #byNumber = new Map<number, Channel>();
  readonly #byPeer = new Map<string, Channel>();
  readonly #up: ByteBudget;
  readonly #down: ByteBudget;
  /** Bytes relayed in either direction, for the rate shown on the dashboard. */
  bytes = 0;
  dropped = 0;
  expiresAt: number;
  /** The Allocate transaction and its answer, resent when the client retransmits the request. */
  allocateTransaction: string | null = null;
  allocateResponse: Buffer | null = null;

  constructor(
    readonly key: string,
    readonly client: ClientLink,
    readonly username: string,
    readonly name: string,
    readonly relay: Socket,
    readonly relayed: TransportAddress,
    lifetimeMs: number,
    bytesPerSecond: number,
    private readonly clock: () => number,
  ) {
    const now = clock();
    this.expiresAt = now + lifetimeMs;
    this.#up = new ByteBudget(bytesPerSecond, now);
    this.#down = new ByteBudget(bytesPerSecond, now);
    relay.on('message', (data, rinfo) => this.#fromPeer(data, rinfo.address, rinfo.port));
    relay.on('error', () => {}); // ICMP errors from peers are not the client's problem
  }

  setBandwidth(bytesPerSecond: number): void {
    this.#up.rate = this.#down.rate = bytesPerSecond;
  }

  permit(address: string, now: number): void {
    this.permissions.set(address, now + PERMISSION_LIFETIME_MS);
  }

  permitted(address: string, now: number): boolean {
    const until = this.permissions.get(address);
    return until !== undefined && until > now;
  }

  /** Binds or refreshes a channel; false when the number or the peer is bound to something else. */
  bind(number: number, address: string, port: number, now: number): boolean {
    const peerKey = `${address}|${port}`;
    const byNumber = this.#byNumber.get(number);
    const byPeer = this.#byPeer.get(peerKey);
    if (byNumber !== byPeer) return false;
    if (byNumber && (byNumber.address !== address || byNumber.port !== port)) return false;
    const ch = byNumber ?? { number, address, port, expiresAt: 0 };
    ch.expiresAt = now + CHANNEL_LIFETIME_MS;
    this.#byNumber.set(number, ch);
    this.#byPeer.set(peerKey, ch);
    this.permit(address, now);
    return true;
  }

  /** Client → peer through a bound channel. */
  sendChannel(number: number, payload: Buffer, now: number): void {
    const ch = this.#byNumber.get(number);
    if (!ch || ch.expiresAt <= now || !this.permitted(ch.address, now)) return void this.dropped++;
    this.#toPeer(payload, ch.address, ch.port, now);
  }

  /** Client → peer from a Send indication (permission and policy already checked by the caller). */
  sendTo(address: string, port: number, payload: Buffer, now: number): void {
    if (!this.permitted(address, now)) return void this.dropped++;
    this.#toPeer(payload, address, port, now);
  }

  #toPeer(payload: Buffer, address: string, port: number, now: number): void {
    if (port === 0 || !this.#up.take(payload.length, now)) return void this.dropped++;
    this.bytes += payload.length;
    this.relay.send(payload, port, address);
  }

  #fromPeer(data: Buffer, address: string, port: number): void {
    const now = this.clock();
    if (!this.permitted(address, now) || !this.#down.take(data.length, now)) return void this.dropped++;
    this.bytes += data.length;
    const ch = this.#byPeer.get(`${address}|${port}`);
    if (ch && ch.expiresAt > now) {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt16BE(ch.number, 0);
      header.writeUInt16BE(data.length, 2);
      this.client.sendChannel(header, data);
      return;
    }
    const peer: TransportAddress = { family: this.relayed.family, address, port };
    const tid = randomBytes(12);
    this.client.send(
      new StunBuilder(Method.Data, Class.Indication, tid)
        .add(Attr.XorPeerAddress, addressValue(peer, tid, true))
        .add(Attr.Data, data)
        .finish(null, false),
    );
  }

  /** Drops expired permissions and channels. */
  sweep(now: number): void {
    for (const [a, until] of this.permissions) if (until <= now) this.permissions.delete(a);
    for (const [n, ch] of this.#byNumber) {
      if (ch.expiresAt > now) continue;
      this.#byNumber.delete(n);
      this.#byPeer.delete(`${ch.address}|${ch.port}`);
    }
  }

  close(): void {
    try {
      this.relay.close();
    } catch {
      // already closed
    }
  }
}
