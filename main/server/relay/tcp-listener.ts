// TURN over TCP (RFC 8656 §3.1): STUN messages and ChannelData (padded to 4 bytes) framed on one
// stream per client. A stream that stops making sense is closed; its allocation goes with it.
import { createServer, type Server, type Socket } from 'node:net';
import type { ClientLink } from './allocation.js';
import { HEADER_BYTES, MAGIC_COOKIE } from './stun-message.js';
import type { TurnServer } from './turn-server.js';

/** A connection that has not allocated within this time is closed (it holds memory and a descriptor). */
const IDLE_MS = 30_000;
/** Relayed data waiting for a slow TCP client beyond this is dropped, as UDP would drop it. */
const MAX_QUEUED_BYTES = 1024 * 1024;

function family(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

function plain(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export class TcpListener {
  #nextId = 1;
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly core: TurnServer,
  ) {
    server.on('connection', (s) => this.#accept(s));
    server.on('error', () => {});
  }

  /** Listens on `host:port` (wildcard allowed); rejects with the listen error. */
  static async open(host: string, port: number, core: TurnServer, maxConnections: number): Promise<TcpListener> {
    const server = createServer({ noDelay: true });
    server.maxConnections = maxConnections;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpListener(server, core);
  }

  #accept(socket: Socket): void {
    const key = `t|${this.#nextId++}`;
    const remoteAddress = plain(socket.remoteAddress ?? '');
    const localAddress = plain(socket.localAddress ?? '');
    if (!remoteAddress || !localAddress) return void socket.destroy();
    const write = (b: Buffer) => {
      if (socket.writableLength < MAX_QUEUED_BYTES) socket.write(b);
    };
    const link: ClientLink = {
      transport: 'tcp',
      remote: { family: family(remoteAddress), address: remoteAddress, port: socket.remotePort ?? 0 },
      local: { family: family(localAddress), address: localAddress, port: socket.localPort ?? 0 },
      send: write,
      sendChannel: (header, payload) => {
        const pad = (4 - (payload.length % 4)) % 4;
        write(Buffer.concat([header, payload, pad ? Buffer.alloc(pad) : Buffer.alloc(0)]));
      },
    };
    let pending: Buffer = Buffer.alloc(0);
    socket.setTimeout(IDLE_MS, () => {
      if (!this.core.allocations.has(key)) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    this.#sockets.add(socket);
    socket.on('close', () => {
      this.#sockets.delete(socket);
      this.core.closeLink(key);
    });
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (pending.length - at >= 4) {
        const first = pending[at]!;
        const len = pending.readUInt16BE(at + 2);
        let size: number;
        if (first < 0x40) {
          if (pending.length - at >= 8 && pending.readUInt32BE(at + 4) !== MAGIC_COOKIE) return void socket.destroy();
          size = HEADER_BYTES + len;
        } else if (first <= 0x7f) size = 4 + len + ((4 - (len % 4)) % 4);
        else return void socket.destroy();
        if (pending.length - at < size) break;
        const frame = pending.subarray(at, at + size);
        at += size;
        if (first < 0x40) this.core.handleStun(frame, link, key);
        else this.core.handleChannelData(frame, key);
        if (socket.destroyed) return;
      }
      pending = at === pending.length ? Buffer.alloc(0) : Buffer.from(pending.subarray(at));
    });
  }

  get port(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Existing client streams end with the relay.
      for (const s of this.#sockets) s.destroy();
    });
  }
}
