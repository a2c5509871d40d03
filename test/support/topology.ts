// The same protocol tests against one server or a cluster of three nodes sharing one Redis: clients are
// spread over the nodes in turn (first client on node 0, second on node 1, ...).
import { afterAll } from 'vitest';
import type { ServerOptionsInput } from '../../main/server/options.js';
import type { ServerDeps } from '../../main/server/signal-server.js';
import type { PeerInfo } from '../../main/server/surface.js';
import { startRedis, type TestRedis } from './redis.js';
import { startServer, type Running } from './server.js';

export interface Deployment {
  nodes: Running[];
  /** URL of the next node in turn. */
  url(query?: string, path?: string): string;
  /** Connections of every node. */
  peers(): PeerInfo[];
  /** Resolves when every node knows every registered name (presence has travelled). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export interface Topology {
  name: string;
  start(options?: ServerOptionsInput, deps?: ServerDeps): Promise<Deployment>;
}

/** Waits until `pred` holds, checking every 5 ms, for up to `ms`. */
async function waitFor(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function deployment(nodes: Running[]): Deployment {
  let next = 0;
  return {
    nodes,
    url: (query, path) => nodes[next++ % nodes.length]!.url(query, path),
    peers: () => nodes.flatMap((n) => n.server.peers()),
    async settled() {
      if (nodes.length === 1) return;
      await waitFor(() => {
        const total = nodes.reduce((sum, n) => sum + n.server.status().peers, 0);
        return nodes.every((n) => {
          const c = n.server.cluster()!;
          return c.pendingClaims === 0 && n.server.status().peers + c.remotePeers === total;
        });
      }, 'presence on every node');
    },
    stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))),
  };
}

/** Cluster tests share one Redis per file: started on first use, stopped after the file. */
export function sharedRedis(): () => Promise<TestRedis> {
  let redis: Promise<TestRedis> | null = null;
  afterAll(async () => {
    await (await redis)?.stop();
  });
  return () => (redis ??= startRedis());
}

/** One server, and three nodes sharing a Redis (emptied before each start). */
export function topologies(): Topology[] {
  const redis = sharedRedis();
  return [
    { name: 'one server', start: async (options = {}, deps = {}) => deployment([await startServer(options, deps)]) },
    {
      name: 'three nodes',
      async start(options = {}, deps = {}) {
        const r = await redis();
        await r.command('FLUSHALL');
        const nodes = await Promise.all(
          ['n1', 'n2', 'n3'].map((nodeId) => startServer({ ...options, redis: r.url, nodeId }, deps)),
        );
        return deployment(nodes);
      },
    },
  ];
}
