// Starts a real server on 127.0.0.1, port 0, and gives the URL builder tests need.
import { createSignalServer, type ServerDeps } from '../../main/server/signal-server.js';
import type { ServerOptionsInput } from '../../main/server/options.js';
import type { SignalServer } from '../../main/server/surface.js';

export interface Running {
  server: SignalServer;
  port: number;
  /** `ws://127.0.0.1:PORT/?QUERY` */
  url(query?: string, path?: string): string;
  http(path: string): string;
  stop(): Promise<void>;
}

export async function startServer(options: ServerOptionsInput = {}, deps: ServerDeps = {}): Promise<Running> {
  const server = createSignalServer(
    // The relay stays off unless a test asks for it: suites must not collide on UDP/TCP 3478.
    { host: '127.0.0.1', port: 0, mdns: { enabled: false }, relay: { port: 0 }, ...options },
    { stopGraceMs: 500, ...deps },
  );
  const status = await server.start();
  const port = status.port!;
  const scheme = options.tls ? 'wss' : 'ws';
  return {
    server,
    port,
    url: (query = '', path = '/') => `${scheme}://127.0.0.1:${port}${path}${query ? `?${query}` : ''}`,
    http: (path) => `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${path}`,
    stop: () => server.stop(),
  };
}
