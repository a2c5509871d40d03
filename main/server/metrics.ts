// GET /metrics: Prometheus text built by prom-client when scraped, from the gauges the server already
// keeps and the plain counters the hot path bumps (counters.ts). No per-user or per-room labels.
// prom-client is loaded on the first scrape, so a server nobody scrapes starts without it.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ClusterStatus } from './cluster-types.js';
import type { Counters } from './counters.js';

export interface MetricsSources {
  counters: Counters;
  /** This node's connections, registered names and rooms with a named peer. */
  counts(): { connections: number; peers: number; rooms: number };
  /** null on a single server. */
  cluster(): ClusterStatus | null;
  /** The token that opens /metrics to any address; null: loopback only. */
  token(): string | null;
}

export interface Metrics {
  /** The exposition and its Content-Type. */
  scrape(): Promise<{ contentType: string; text: string }>;
  /** 'ok', or the HTTP status to refuse the request with. */
  authorize(req: IncomingMessage): 'ok' | 401 | 403;
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || v4.startsWith('127.');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function buildRegistry(src: MetricsSources) {
  const { Counter, Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  const c = src.counters;
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge(
    'rustysignal_connections',
    'Open WebSocket connections on this node, anonymous ones included',
    () => src.counts().connections,
  );
  gauge('rustysignal_peers', 'Connections on this node registered under a name', () => src.counts().peers);
  gauge('rustysignal_rooms', 'Rooms with at least one named peer on this node', () => src.counts().rooms);
  new Counter({
    name: 'rustysignal_messages_total',
    help: 'Messages received for relay, by protocol and dialect',
    labelNames: ['protocol', 'dialect'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [protocol, [v1, v2]] of Object.entries(c.messages)) {
        this.inc({ protocol, dialect: '1' }, v1);
        this.inc({ protocol, dialect: '2' }, v2);
      }
    },
  });
  new Counter({
    name: 'rustysignal_errors_total',
    help: 'Errors reported to clients, by protocol error code',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of c.errors) this.inc({ code }, n);
    },
  });
  new Counter({
    name: 'rustysignal_push_requests_total',
    help: 'Push connection requests, by result (sent, failed, throttled)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [result, n] of Object.entries(c.push)) this.inc({ result }, n);
    },
  });
  new Counter({
    name: 'rustysignal_rate_limit_closes_total',
    help: 'Connections closed (1008) for sending faster than the rate limit',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(c.rateLimitCloses);
    },
  });
  gauge(
    'rustysignal_cluster_nodes',
    'Live cluster nodes seen in Redis (1 when not clustered)',
    () => src.cluster()?.nodes ?? 1,
  );
  gauge(
    'rustysignal_cluster_remote_peers',
    'Names registered on other cluster nodes that this node knows of',
    () => src.cluster()?.remotePeers ?? 0,
  );
  gauge(
    'rustysignal_redis_up',
    'Clustered: 1 while Redis answers, 0 while it is unreachable; -1 when not clustered',
    () => {
      const s = src.cluster();
      return s === null ? -1 : s.redis === 'connected' ? 1 : 0;
    },
  );

  return registry;
}

export function createMetrics(src: MetricsSources): Metrics {
  let registry: ReturnType<typeof buildRegistry> | null = null;
  return {
    async scrape() {
      const r = await (registry ??= buildRegistry(src));
      return { contentType: r.contentType, text: await r.metrics() };
    },
    authorize(req) {
      const token = src.token();
      if (token === null) {
        // A reverse proxy on this machine also connects from loopback: a forwarded request is not local.
        const forwarded = req.headers['x-forwarded-for'] ?? req.headers.forwarded ?? req.headers['x-real-ip'];
        return isLoopback(req.socket.remoteAddress) && forwarded === undefined ? 'ok' : 403;
      }
      const auth = req.headers.authorization ?? '';
      return auth.startsWith('Bearer ') && sameSecret(auth.slice(7), token) ? 'ok' : 401;
    },
  };
}
