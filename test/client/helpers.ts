// Real server on 127.0.0.1:0 and library clients over the `ws` package (Node 20 has no global WebSocket).
import WebSocket from 'ws';
import type { ServerDeps } from '../../main/server/signal-server.js';
import type { ServerOptionsInput } from '../../main/server/options.js';
import type { SignalServer } from '../../main/server/surface.js';
import { SignalClient, type SignalClientOptions, type WebSocketConstructor } from '../../renderer/client/index.js';
import { startServer } from '../support/server.js';

export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

export interface ServerWithClients {
  server: SignalServer;
  /** `ws://127.0.0.1:PORT/` */
  url: string;
  clients: SignalClient[];
  /** A client with fast reconnects (50 ms doubling to 400 ms); closed by `stop()`. */
  client(options?: SignalClientOptions): SignalClient;
  stop(): Promise<void>;
}

/** The shared test server (support/server.ts) plus library clients that stop with it. */
export async function startServerWithClients(
  options: ServerOptionsInput = {},
  deps: ServerDeps = {},
): Promise<ServerWithClients> {
  const running = await startServer(options, { stopGraceMs: 200, ...deps });
  const server = running.server;
  const url = running.url();
  const clients: SignalClient[] = [];
  return {
    server,
    url,
    clients,
    client(o = {}) {
      const c = new SignalClient({ url, WebSocket: NodeWebSocket, reconnect: { initialMs: 50, maxMs: 400 }, ...o });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await server.stop();
    },
  };
}

/** Resolves once `client.state` is `state` (now or later), or rejects after `timeoutMs`. */
export function stateReached(client: SignalClient, state: SignalClient['state'], timeoutMs = 5000): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`client did not reach '${state}' within ${timeoutMs} ms (now '${client.state}')`));
    }, timeoutMs);
    const off = client.on('state', (s) => {
      if (s !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/**
 * A WebSocket whose network path can be cut silently (nothing in, nothing out, no close), as when a
 * phone walks out of Wi-Fi range: the server keeps its end open until its heartbeat notices.
 */
export class FreezableWebSocket extends WebSocket {
  static last: FreezableWebSocket | null = null;
  frozen = false;
  constructor(url: string) {
    super(url);
    FreezableWebSocket.last = this;
  }
  override send(data: unknown): void {
    if (!this.frozen) super.send(data as string);
  }
  // A dead path delivers no closing handshake either.
  override close(code?: number, reason?: string): void {
    if (!this.frozen) super.close(code, reason);
  }
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (this.frozen && event === 'message') return false;
    return super.emit(event, ...args);
  }
}
