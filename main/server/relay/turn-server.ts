// The STUN/TURN state machine (RFC 8489 Binding; RFC 8656 Allocate, Refresh, CreatePermission,
// ChannelBind, Send indication, ChannelData), independent of sockets: listeners hand it whole messages
// with the link they came on. Refusals use the standard error codes; malformed input is dropped.
import { Allocation, type ClientLink } from './allocation.js';
import { type Authenticator, REALM } from './auth.js';
import type { PeerPolicy } from './peer-policy.js';
import type { PortPool } from './port-pool.js';
import {
  addressValue,
  Attr,
  attr,
  Class,
  errorCodeValue,
  Method,
  parseStun,
  readAddress,
  StunBuilder,
  u32,
  unknownRequired,
  type StunMessage,
  type TransportAddress,
} from './stun-message.js';

const DEFAULT_LIFETIME_S = 600;
const MAX_LIFETIME_S = 3600;
const UDP = 17;
const SOFTWARE = Buffer.from('rustysignal');

export interface TurnLimits {
  maxAllocations: number;
  maxAllocationsPerUser: number;
  allocationBytesPerSecond: number;
}

export interface TurnDeps {
  auth: Authenticator;
  policy: () => PeerPolicy;
  pool: PortPool;
  limits: () => TurnLimits;
  now: () => number;
  /** Told about every refusal worth a debug line (code, reason, client). */
  onRefusal?: (code: number, reason: string, client: string) => void;
  /** An allocation ended after relaying `bytes` (kept in the byte counters). */
  onRemove?: (bytes: number) => void;
}

type Refusal = { code: number; reason: string; unknown?: number[] };

export class TurnServer {
  readonly allocations = new Map<string, Allocation>();
  readonly #perUser = new Map<string, number>();
  #closed = false;
  /** Allocations whose relay port is being bound (they count against the total quota already). */
  #binding = 0;

  constructor(private readonly deps: TurnDeps) {}

  /** A STUN message from a client; `key` names its 5-tuple (or TCP connection). */
  handleStun(buf: Buffer, link: ClientLink, key: string): void {
    const msg = parseStun(buf);
    if (!msg) return;
    if (msg.cls === Class.Indication) {
      if (msg.method === Method.Send) this.#send(msg, key);
      return;
    }
    if (msg.cls !== Class.Request) return;
    const unknown = unknownRequired(msg);
    if (unknown.length > 0) return this.#error(msg, link, { code: 420, reason: 'Unknown Attribute', unknown }, null);
    if (msg.method === Method.Binding) {
      return link.send(
        new StunBuilder(Method.Binding, Class.Success, msg.transactionId)
          .add(Attr.XorMappedAddress, addressValue(link.remote, msg.transactionId, true))
          .add(Attr.Software, SOFTWARE)
          .finish(null),
      );
    }
    if (
      msg.method !== Method.Allocate &&
      msg.method !== Method.Refresh &&
      msg.method !== Method.CreatePermission &&
      msg.method !== Method.ChannelBind
    )
      return this.#error(msg, link, { code: 400, reason: 'Bad Request: unknown method' }, null);
    const nowS = Math.floor(this.deps.now() / 1000);
    const auth = this.deps.auth.check(msg, link.remote.address, nowS);
    if (!auth.ok) return this.#error(msg, link, auth, null, true);
    const existing = this.allocations.get(key);
    if (msg.method === Method.Allocate) return void this.#allocate(msg, link, key, auth, existing);
    if (!existing) return this.#error(msg, link, { code: 437, reason: 'Allocation Mismatch' }, auth.key);
    if (existing.username !== auth.username)
      return this.#error(msg, link, { code: 441, reason: 'Wrong Credentials' }, auth.key);
    const r =
      msg.method === Method.Refresh
        ? this.#refresh(msg, existing)
        : msg.method === Method.CreatePermission
          ? this.#permit(msg, existing)
          : this.#bind(msg, existing);
    if (r) return this.#error(msg, link, r, auth.key);
    link.send(this.#success(msg, auth.key, msg.method === Method.Refresh ? existing : null));
  }

  /** ChannelData from a client (the whole frame, header included). */
  handleChannelData(buf: Buffer, key: string): void {
    const a = this.allocations.get(key);
    if (!a || buf.length < 4) return;
    const len = buf.readUInt16BE(2);
    if (4 + len > buf.length) return;
    a.sendChannel(buf.readUInt16BE(0), buf.subarray(4, 4 + len), this.deps.now());
  }

  /** The client's transport went away (TCP close): its allocation goes with it. */
  closeLink(key: string): void {
    const a = this.allocations.get(key);
    if (a) this.#remove(a);
  }

  sweep(): void {
    const now = this.deps.now();
    for (const a of this.allocations.values()) {
      if (a.expiresAt <= now) this.#remove(a);
      else a.sweep(now);
    }
  }

  /** Applies a new bandwidth limit to live allocations. */
  updateLimits(): void {
    const rate = this.deps.limits().allocationBytesPerSecond;
    for (const a of this.allocations.values()) a.setBandwidth(rate);
  }

  closeAll(): void {
    this.#closed = true;
    for (const a of this.allocations.values()) this.#remove(a);
  }

  #remove(a: Allocation): void {
    if (this.allocations.get(a.key) !== a) return;
    this.allocations.delete(a.key);
    const n = (this.#perUser.get(a.name) ?? 1) - 1;
    if (n > 0) this.#perUser.set(a.name, n);
    else this.#perUser.delete(a.name);
    a.close();
    this.deps.onRemove?.(a.bytes);
  }

  async #allocate(
    msg: StunMessage,
    link: ClientLink,
    key: string,
    auth: { username: string; name: string; key: Buffer },
    existing: Allocation | undefined,
  ): Promise<void> {
    const tid = msg.transactionId.toString('hex');
    if (existing) {
      if (existing.allocateTransaction === tid && existing.allocateResponse)
        return link.send(existing.allocateResponse);
      return this.#error(msg, link, { code: 437, reason: 'Allocation Mismatch: this 5-tuple has one' }, auth.key);
    }
    const transport = attr(msg, Attr.RequestedTransport);
    if (!transport || transport.length !== 4)
      return this.#error(msg, link, { code: 400, reason: 'Bad Request: REQUESTED-TRANSPORT missing' }, auth.key);
    if (transport[0] !== UDP)
      return this.#error(msg, link, { code: 442, reason: 'Unsupported Transport Protocol' }, auth.key);
    if (attr(msg, Attr.ReservationToken))
      return this.#error(msg, link, { code: 508, reason: 'Insufficient Capacity: no reservations' }, auth.key);
    const fam = attr(msg, Attr.RequestedAddressFamily);
    const family = fam ? (fam[0] === 0x01 ? 4 : fam[0] === 0x02 ? 6 : 0) : link.local.family;
    if (family !== link.local.family)
      return this.#error(msg, link, { code: 440, reason: 'Address Family not Supported' }, auth.key);
    const limits = this.deps.limits();
    if (this.allocations.size + this.#binding >= limits.maxAllocations)
      return this.#error(msg, link, { code: 486, reason: 'Allocation Quota Reached: the server is full' }, auth.key);
    if ((this.#perUser.get(auth.name) ?? 0) >= limits.maxAllocationsPerUser)
      return this.#error(msg, link, { code: 486, reason: 'Allocation Quota Reached for this user' }, auth.key);
    // Count the allocation before the port is bound, so concurrent requests cannot overshoot the quota.
    this.#perUser.set(auth.name, (this.#perUser.get(auth.name) ?? 0) + 1);
    this.#binding++;
    const socket = await this.deps.pool.bind(link.local.address, link.local.family);
    this.#binding--;
    if (!socket || this.#closed || this.allocations.has(key)) {
      const n = (this.#perUser.get(auth.name) ?? 1) - 1;
      if (n > 0) this.#perUser.set(auth.name, n);
      else this.#perUser.delete(auth.name);
      socket?.close();
      if (this.#closed) return;
      if (!socket)
        return this.#error(msg, link, { code: 508, reason: 'Insufficient Capacity: no relay port free' }, auth.key);
      return this.#error(msg, link, { code: 437, reason: 'Allocation Mismatch: this 5-tuple has one' }, auth.key);
    }
    const lifetime = this.#lifetime(msg) || DEFAULT_LIFETIME_S;
    const relayed: TransportAddress = {
      family: link.local.family,
      address: link.local.address,
      port: socket.address().port,
    };
    const a = new Allocation(
      key,
      link,
      auth.username,
      auth.name,
      socket,
      relayed,
      lifetime * 1000,
      limits.allocationBytesPerSecond,
      this.deps.now,
    );
    this.allocations.set(key, a);
    const response = new StunBuilder(Method.Allocate, Class.Success, msg.transactionId)
      .add(Attr.XorRelayedAddress, addressValue(relayed, msg.transactionId, true))
      .add(Attr.Lifetime, u32(lifetime))
      .add(Attr.XorMappedAddress, addressValue(link.remote, msg.transactionId, true))
      .add(Attr.Software, SOFTWARE)
      .finish(auth.key);
    a.allocateTransaction = tid;
    a.allocateResponse = response;
    link.send(response);
  }

  /** The LIFETIME asked for, clamped to [default, max]; 0 for an explicit zero; NaN-free. */
  #lifetime(msg: StunMessage): number {
    const v = attr(msg, Attr.Lifetime);
    if (!v || v.length !== 4) return DEFAULT_LIFETIME_S;
    const asked = v.readUInt32BE(0);
    if (asked === 0) return 0;
    return Math.min(MAX_LIFETIME_S, Math.max(DEFAULT_LIFETIME_S, asked));
  }

  #refresh(msg: StunMessage, a: Allocation): Refusal | null {
    const lifetime = this.#lifetime(msg);
    if (lifetime === 0) {
      this.#remove(a);
      a.expiresAt = 0;
    } else a.expiresAt = this.deps.now() + lifetime * 1000;
    return null;
  }

  #peers(msg: StunMessage, a: Allocation): TransportAddress[] | Refusal {
    const peers: TransportAddress[] = [];
    for (const at of msg.attributes) {
      if (at.type !== Attr.XorPeerAddress) continue;
      const p = readAddress(at.value, msg.transactionId, true);
      if (!p) return { code: 400, reason: 'Bad Request: malformed XOR-PEER-ADDRESS' };
      if (p.family !== a.relayed.family) return { code: 443, reason: 'Peer Address Family Mismatch' };
      peers.push(p);
    }
    if (peers.length === 0) return { code: 400, reason: 'Bad Request: XOR-PEER-ADDRESS missing' };
    return peers;
  }

  #permit(msg: StunMessage, a: Allocation): Refusal | null {
    const peers = this.#peers(msg, a);
    if (!Array.isArray(peers)) return peers;
    const policy = this.deps.policy();
    for (const p of peers)
      if (!policy.addressAllowed(p.address))
        return { code: 403, reason: `Forbidden: peer ${p.address} is not allowed` };
    const now = this.deps.now();
    for (const p of peers) a.permit(p.address, now);
    return null;
  }

  #bind(msg: StunMessage, a: Allocation): Refusal | null {
    const ch = attr(msg, Attr.ChannelNumber);
    const number = ch && ch.length === 4 ? ch.readUInt16BE(0) : 0;
    // RFC 8656 narrowed channels to 0x4000-0x4FFF; RFC 5766 clients (coturn's own) still use up to 0x7FFE.
    if (number < 0x4000 || number > 0x7ffe) return { code: 400, reason: 'Bad Request: channel number out of range' };
    const peers = this.#peers(msg, a);
    if (!Array.isArray(peers)) return peers;
    const p = peers[0]!;
    if (!this.deps.policy().peerAllowed(p.address, p.port))
      return { code: 403, reason: `Forbidden: peer ${p.address}:${p.port} is not allowed` };
    if (!a.bind(number, p.address, p.port, this.deps.now()))
      return { code: 400, reason: 'Bad Request: channel or peer already bound' };
    return null;
  }

  #send(msg: StunMessage, key: string): void {
    const a = this.allocations.get(key);
    const peer = attr(msg, Attr.XorPeerAddress);
    const data = attr(msg, Attr.Data);
    if (!a || !peer || !data) return;
    const p = readAddress(peer, msg.transactionId, true);
    if (!p || p.family !== a.relayed.family || !this.deps.policy().peerAllowed(p.address, p.port))
      return void a.dropped++;
    a.sendTo(p.address, p.port, data, this.deps.now());
  }

  #success(msg: StunMessage, key: Buffer, refreshed: Allocation | null): Buffer {
    const b = new StunBuilder(msg.method, Class.Success, msg.transactionId);
    if (refreshed) {
      const left = refreshed.expiresAt === 0 ? 0 : Math.round((refreshed.expiresAt - this.deps.now()) / 1000);
      b.add(Attr.Lifetime, u32(left));
    }
    return b.add(Attr.Software, SOFTWARE).finish(key);
  }

  #error(msg: StunMessage, link: ClientLink, r: Refusal, key: Buffer | null, challenge = false): void {
    this.deps.onRefusal?.(r.code, r.reason, `${link.remote.address}:${link.remote.port}`);
    const b = new StunBuilder(msg.method, Class.Error, msg.transactionId).add(
      Attr.ErrorCode,
      errorCodeValue(r.code, r.reason),
    );
    if (r.unknown) {
      const v = Buffer.alloc(r.unknown.length * 2);
      r.unknown.forEach((t, i) => v.writeUInt16BE(t, i * 2));
      b.add(Attr.UnknownAttributes, v);
    }
    if (challenge && (r.code === 401 || r.code === 438)) {
      b.add(Attr.Realm, Buffer.from(REALM));
      b.add(Attr.Nonce, Buffer.from(this.deps.auth.nonce(link.remote.address, Math.floor(this.deps.now() / 1000))));
    }
    link.send(b.add(Attr.Software, SOFTWARE).finish(key));
  }
}
