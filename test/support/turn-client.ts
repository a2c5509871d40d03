// A small TURN client for tests (UDP or TCP), built on the server's codec: requests matched by
// transaction id, the 401 challenge answered with long-term credentials, ChannelData and Data
// indications delivered to `onData`. Conformance is proven with coturn's and werift's clients; this one
// makes the exact requests refusal tests need.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import {
  addressValue,
  Attr,
  attr,
  Class,
  Method,
  parseStun,
  readAddress,
  readErrorCode,
  StunBuilder,
  u32,
  type StunMessage,
  type TransportAddress,
} from '../../main/server/relay/stun-message.js';

export interface Reply {
  msg: StunMessage;
  /** 0 for a success response, else the ERROR-CODE. */
  code: number;
  reason: string;
}

export class TurnTestClient {
  readonly #pending = new Map<string, (m: StunMessage) => void>();
  #send: (b: Buffer) => void;
  #close: () => void;
  #key: Buffer | null = null;
  #username = '';
  #realm = '';
  #nonce = '';
  /** Called for every ChannelData frame (channel number) and Data indication (peer). */
  onData: (data: Buffer, from: { channel?: number; peer?: TransportAddress }) => void = () => {};

  private constructor(send: (b: Buffer) => void, close: () => void) {
    this.#send = send;
    this.#close = close;
  }

  static async udp(server: { address: string; port: number }, localAddress?: string): Promise<TurnTestClient> {
    const socket: UdpSocket = createSocket(server.address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((r) => socket.bind({ address: localAddress, port: 0 }, r));
    const c = new TurnTestClient(
      (b) => socket.send(b, server.port, server.address),
      () => socket.close(),
    );
    socket.on('message', (b) => c.#receive(b));
    return c;
  }

  static async tcp(server: { address: string; port: number }, localAddress?: string): Promise<TurnTestClient> {
    const socket: TcpSocket = connect({ host: server.address, port: server.port, localAddress });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => {});
    const c = new TurnTestClient(
      (b) => socket.write(b),
      () => socket.destroy(),
    );
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const len = pending.readUInt16BE(2);
        const size = pending[0]! < 0x40 ? 20 + len : 4 + len + ((4 - (len % 4)) % 4);
        if (pending.length < size) break;
        c.#receive(pending.subarray(0, size));
        pending = pending.subarray(size);
      }
    });
    return c;
  }

  /** Sends raw bytes (malformed input tests). */
  raw(b: Buffer): void {
    this.#send(b);
  }

  #receive(b: Buffer): void {
    if (b.length >= 4 && b[0]! >= 0x40 && b[0]! <= 0x7f) {
      const len = b.readUInt16BE(2);
      return this.onData(Buffer.from(b.subarray(4, 4 + len)), { channel: b.readUInt16BE(0) });
    }
    const m = parseStun(Buffer.from(b));
    if (!m) return;
    if (m.cls === Class.Indication && m.method === Method.Data) {
      const peer = attr(m, Attr.XorPeerAddress);
      const data = attr(m, Attr.Data);
      if (peer && data) this.onData(Buffer.from(data), { peer: readAddress(peer, m.transactionId, true)! });
      return;
    }
    this.#pending.get(m.transactionId.toString('hex'))?.(m);
  }

  /** One request; attributes in order, then MESSAGE-INTEGRITY when credentials are known. */
  async request(
    method: number,
    attrs: [number, Buffer][] = [],
    opts: { auth?: boolean; timeoutMs?: number } = {},
  ): Promise<Reply> {
    const tid = randomBytes(12);
    const b = new StunBuilder(method, Class.Request, tid);
    for (const [t, v] of attrs) b.add(t, v);
    const auth = opts.auth !== false && this.#key !== null;
    if (auth) {
      b.add(Attr.Username, Buffer.from(this.#username));
      b.add(Attr.Realm, Buffer.from(this.#realm));
      b.add(Attr.Nonce, Buffer.from(this.#nonce));
    }
    const bytes = b.finish(auth ? this.#key : null);
    const id = tid.toString('hex');
    const msg = await new Promise<StunMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer to method ${method} within ${opts.timeoutMs ?? 5000} ms`));
      }, opts.timeoutMs ?? 5000);
      this.#pending.set(id, (m) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(m);
      });
      this.#send(bytes);
    });
    const err = attr(msg, Attr.ErrorCode);
    const e = err ? readErrorCode(err) : null;
    return { msg, code: msg.cls === Class.Error ? (e?.code ?? 0) : 0, reason: e?.reason ?? '' };
  }

  /** Allocate with credentials, answering the 401 challenge (and one 438); returns the final reply. */
  async allocate(
    username: string,
    password: string,
    extra: [number, Buffer][] = [],
  ): Promise<Reply & { relayed: TransportAddress | null }> {
    const attrs: [number, Buffer][] = [[Attr.RequestedTransport, Buffer.from([17, 0, 0, 0])], ...extra];
    let r = await this.request(Method.Allocate, attrs, { auth: false });
    for (let i = 0; i < 2 && (r.code === 401 || r.code === 438); i++) {
      const realm = attr(r.msg, Attr.Realm);
      const nonce = attr(r.msg, Attr.Nonce);
      if (!realm || !nonce) break;
      this.#username = username;
      this.#realm = realm.toString();
      this.#nonce = nonce.toString();
      this.#key = createHash('md5').update(`${username}:${this.#realm}:${password}`).digest();
      r = await this.request(Method.Allocate, attrs);
    }
    const relayed = attr(r.msg, Attr.XorRelayedAddress);
    return { ...r, relayed: relayed ? readAddress(relayed, r.msg.transactionId, true) : null };
  }

  createPermission(...peers: TransportAddress[]): Promise<Reply> {
    const tid = randomBytes(12); // XOR with the cookie only (IPv4), so any id works for the value
    return this.request(
      Method.CreatePermission,
      peers.map((p) => [Attr.XorPeerAddress, addressValue(p, tid, true)]),
    );
  }

  channelBind(channel: number, peer: TransportAddress): Promise<Reply> {
    const n = Buffer.alloc(4);
    n.writeUInt16BE(channel);
    return this.request(Method.ChannelBind, [
      [Attr.ChannelNumber, n],
      [Attr.XorPeerAddress, addressValue(peer, randomBytes(12), true)],
    ]);
  }

  refresh(lifetimeS: number): Promise<Reply> {
    return this.request(Method.Refresh, [[Attr.Lifetime, u32(lifetimeS)]]);
  }

  /** ChannelData to the peer bound to `channel` (padded to 4 bytes, as TCP requires). */
  sendChannel(channel: number, data: Buffer): void {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(channel, 0);
    h.writeUInt16BE(data.length, 2);
    const pad = (4 - (data.length % 4)) % 4;
    this.#send(Buffer.concat([h, data, Buffer.alloc(pad)]));
  }

  /** A Send indication to `peer`. */
  sendIndication(peer: TransportAddress, data: Buffer): void {
    const tid = randomBytes(12);
    this.#send(
      new StunBuilder(Method.Send, Class.Indication, tid)
        .add(Attr.XorPeerAddress, addressValue(peer, tid, true))
        .add(Attr.Data, data)
        .finish(null),
    );
  }

  close(): void {
    this.#close();
  }
}
