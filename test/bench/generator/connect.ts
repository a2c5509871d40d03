// Opening one benchmark client and waiting until the server has registered it.
import WebSocket from 'ws';
import type { WireAdapter } from '../wire.js';

/**
 * Connects client `name` and resolves once it is registered (upgrade done, or the server's greeting seen).
 * `onMessage` is attached before anything can arrive, so no frame is missed; it also sees the greeting.
 * Rejects on a refused upgrade, a socket error or after `timeoutMs`.
 */
export function openClient(
  adapter: WireAdapter,
  port: number,
  name: string,
  onMessage: (text: string) => void,
  timeoutMs = 10_000,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // Offer permessage-deflate as browsers do; whether a server accepts it is part of its cost.
    const ws = new WebSocket(adapter.url(port, name), { handshakeTimeout: timeoutMs });
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${name}: not registered within ${timeoutMs} ms`)), timeoutMs);
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ws);
    };
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    }
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (!settled && adapter.greeting?.(text)) done();
      onMessage(text);
    });
    ws.on('open', () => {
      if (!adapter.greeting) done();
    });
    ws.on('unexpected-response', (_req, res) =>
      fail(new Error(`${name}: upgrade refused with HTTP ${res.statusCode}`)),
    );
    ws.on('error', (err) => fail(new Error(`${name}: ${err.message}`)));
    ws.on('close', (code) => fail(new Error(`${name}: closed with ${code} before registering`)));
  });
}
