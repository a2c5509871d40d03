// The package entry 'rustysignal/server' (package.json exports, built types) embedded in an existing
// Node HTTP server, as docs/embedding.md shows: the host keeps its routes, the signaling server takes the
// WebSocket upgrades under its path, and stop() leaves the host running.
import { createServer, type Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createSignalServer, type SignalServer } from 'rustysignal/server';
import { connect, type TestClient } from '../support/clients.js';

let host: Server | null = null;
let signal: SignalServer | null = null;
const open: TestClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await signal?.stop();
  await new Promise<void>((r) => (host ? host.close(() => r()) : r()));
  host = signal = null;
});

it('serves signaling under a path of an existing HTTP server, which keeps its own routes', async () => {
  host = createServer((req, res) => res.end(req.url === '/hello' ? 'host says hello' : 'host 404'));
  await new Promise<void>((r) => host!.listen(0, '127.0.0.1', r));
  const port = (host.address() as { port: number }).port;
  signal = createSignalServer({ mdns: { enabled: false } });
  const status = await signal.attach(host, { path: '/signal' });
  expect(status).toMatchObject({ state: 'running', port });

  const a = await connect(`ws://127.0.0.1:${port}/signal?v=2&user=alice`);
  const b = await connect(`ws://127.0.0.1:${port}/signal/?v=2&user=bob`);
  open.push(a, b);
  expect((await a.nextJson()).action).toBe('welcome');
  expect((await b.nextJson()).data.peers).toEqual(['alice']);
  b.send({ protocol: 'one-to-one', to: 'alice', n: 1 });
  expect((await a.nextJson()).action).toBe('peer-joined');
  expect(await a.nextJson()).toEqual({ protocol: 'one-to-one', to: 'alice', n: 1, from: 'bob' });
  expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).text()).toBe('host says hello');
  expect(await signal.metrics()).toMatch(/^rustysignal_connections 2$/m);

  await signal.stop();
  expect((await a.closed).code).toBe(1001);
  expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).text()).toBe('host says hello');
});
