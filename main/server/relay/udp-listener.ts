// TURN over UDP: one socket per local address, so every answer leaves from the address the client
// sent to and the relayed address is on the interface the client reached.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { ClientLink } from './allocation.js';
import { SOCKET_BUFFER_BYTES } from './socket-buffer.js';
import type { TurnServer } from './turn-server.js';

export class UdpListener {
  readonly #socket: Socket;

  private constructor(
    socket: Socket,
    readonly address: string,
    private readonly family: 4 | 6,
    private readonly core: TurnServer,
  ) {
    this.#socket = socket;
    socket.on('message', (buf, rinfo) => this.#onMessage(buf, rinfo));
    socket.on('error', () => {}); // a send to a vanished client must not take the listener down
  }

  /** Binds `address:port`; rejects with the bind error (EADDRINUSE...). */
  static async open(address: string, family: 4 | 6, port: number, core: TurnServer): Promise<UdpListener> {
    // A deeper receive queue rides out bursts (many allocations sending at once) instead of dropping them.
    const socket = createSocket({
      type: family === 4 ? 'udp4' : 'udp6',
      ipv6Only: family === 6,
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpListener(socket, address, family, core);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  #onMessage(buf: Buffer, rinfo: RemoteInfo): void {
    if (buf.length < 4) return;
    const first = buf[0]!;
    const key = `u|${this.address}|${rinfo.address}|${rinfo.port}`;
    if (first >= 0x40 && first <= 0x7f) return this.core.handleChannelData(buf, key);
    if (first < 0x40) this.core.handleStun(buf, this.#link(rinfo), key);
  }

  #link(rinfo: RemoteInfo): ClientLink {
    const socket = this.#socket;
    const { address, port } = rinfo;
    return {
      transport: 'udp',
      remote: { family: this.family, address, port },
      local: { family: this.family, address: this.address, port: this.port },
      send: (message) => socket.send(message, port, address),
      sendChannel: (header, payload) => socket.send([header, payload], port, address),
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
