// Relay ports: each allocation binds one UDP port from the configured range. The search starts at a
// random place so relayed addresses are not predictable; a port taken by another program is skipped.
import { createSocket, type Socket } from 'node:dgram';
import { SOCKET_BUFFER_BYTES } from './socket-buffer.js';

export class PortPool {
  readonly #used = new Set<number>();

  constructor(
    private min: number,
    private max: number,
  ) {}

  setRange(min: number, max: number): void {
    this.min = min;
    this.max = max;
  }

  /** True when `port` is in the range (the relay's own ports, which peers may never be). */
  has(port: number): boolean {
    return port >= this.min && port <= this.max;
  }

  /** Binds a UDP socket on `address` to a free port of the range; null when none is free. */
  async bind(address: string, family: 4 | 6): Promise<Socket | null> {
    const size = this.max - this.min + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const port = this.min + ((start + i) % size);
      if (this.#used.has(port)) continue;
      this.#used.add(port);
      const socket = createSocket({
        type: family === 4 ? 'udp4' : 'udp6',
        recvBufferSize: SOCKET_BUFFER_BYTES,
        sendBufferSize: SOCKET_BUFFER_BYTES,
      });
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind({ address, port, exclusive: true }, () => resolve(true));
      });
      if (ok) {
        socket.removeAllListeners('error');
        socket.on('close', () => this.#used.delete(port));
        return socket;
      }
      this.#used.delete(port);
      socket.close();
    }
    return null;
  }
}
