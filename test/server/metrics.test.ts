// GET /metrics: Prometheus text format 0.0.4, read back by a strict parser written here (prom-client only
// writes it); the counters follow real traffic; loopback only unless a token is set; cluster gauges.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptionsInput } from '../../main/server/options.js';
import { connect, type TestClient } from '../support/clients.js';
import { sharedRedis } from '../support/topology.js';
import { startServer, type Running } from '../support/server.js';

interface Family {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/** Parses the Prometheus text exposition format strictly; throws on anything malformed. */
function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!nameRe.test(name)) throw new Error(`bad metric name, ${where}`);
      const f = families.get(name) ?? { type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest))
          throw new Error(`bad type, ${where}`);
        if (f.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
        f.type = rest as Family['type'];
      } else f.help = rest;
      families.set(name, f);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!m) throw new Error(`malformed sample, ${where}`);
    const [, name, , body = '', raw] = m as unknown as [string, string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    let rest = body;
    while (rest.length > 0) {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/.exec(rest);
      if (!l) throw new Error(`malformed labels, ${where}`);
      if (l[1]! in labels) throw new Error(`duplicate label, ${where}`);
      labels[l[1]!] = l[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l[0].length);
    }
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (!/^(NaN|[+-]Inf|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(raw)) throw new Error(`bad value, ${where}`);
    const family = families.get(name) ?? families.get(name.replace(/_(total|sum|count|bucket)$/, ''));
    if (!family) throw new Error(`sample without TYPE, ${where}`);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`duplicate series, ${where}`);
    seen.add(series);
    family.samples.push({ name, labels, value });
  }
  return families;
}

function value(f: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  return f
    .get(name)
    ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && s.name === name)?.value;
}

function get(
  s: Running,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(s.http('/metrics'), { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const open: TestClient[] = [];
const running: Running[] = [];
async function server(options: ServerOptionsInput = {}): Promise<Running> {
  const s = await startServer(options);
  running.push(s);
  return s;
}
async function client(s: Running, query: string): Promise<TestClient> {
  const c = await connect(s.url(query));
  open.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('GET /metrics', () => {
  it('serves strict Prometheus text whose counters follow the traffic, with no per-user or per-room label', async () => {
    const s = await server({ rateLimit: { perSecond: 1, burst: 1 } });
    const a = await client(s, 'user=alice');
    const b = await client(s, 'v=2&user=bob&room=lab');
    await b.next(); // welcome
    a.send('{"protocol":"one-to-one","endpoint":"ghost"}');
    expect(await a.next()).toBe('Could not find a node with the name ghost');
    b.send('{"protocol":"one-to-self"}');
    await b.next();
    b.send('{"protocol":"one-to-all"}'); // over the burst: dropped, rate-limited
    expect((await b.nextJson()).data.code).toBe('rate-limited');

    const res = await get(s);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const f = parsePrometheus(res.body);
    expect(f.get('rustysignal_messages_total')?.type).toBe('counter');
    expect(value(f, 'rustysignal_messages_total', { protocol: 'one-to-one', dialect: '1' })).toBe(1);
    expect(value(f, 'rustysignal_messages_total', { protocol: 'one-to-self', dialect: '2' })).toBe(1);
    expect(value(f, 'rustysignal_messages_total', { protocol: 'one-to-all', dialect: '2' })).toBe(0);
    expect(value(f, 'rustysignal_errors_total', { code: 'unknown-peer' })).toBe(1);
    expect(value(f, 'rustysignal_errors_total', { code: 'rate-limited' })).toBe(1);
    expect(value(f, 'rustysignal_connections')).toBe(2);
    expect(value(f, 'rustysignal_peers')).toBe(2);
    expect(value(f, 'rustysignal_rooms')).toBe(2);
    expect(value(f, 'rustysignal_cluster_nodes')).toBe(1);
    expect(value(f, 'rustysignal_redis_up')).toBe(-1);
    expect(value(f, 'rustysignal_rate_limit_closes_total')).toBe(0);
    for (const result of ['sent', 'failed', 'throttled'])
      expect(value(f, 'rustysignal_push_requests_total', { result })).toBe(0);
    const labelNames = new Set([...f.values()].flatMap((fam) => fam.samples.flatMap((x) => Object.keys(x.labels))));
    expect([...labelNames].sort()).toEqual(['code', 'dialect', 'protocol', 'result']);

    // Past the burst twice over: closed 1008, counted.
    for (let i = 0; i < 5; i++) b.send('{"protocol":"one-to-self"}');
    expect((await b.closed).code).toBe(1008);
    expect(value(parsePrometheus((await get(s)).body), 'rustysignal_rate_limit_closes_total')).toBe(1);
  });

  it('is loopback-only without a token, and refuses what a local proxy forwards', async () => {
    const s = await server();
    expect((await get(s, { 'X-Forwarded-For': '203.0.113.9' })).status).toBe(403);
    expect((await get(s, { Forwarded: 'for=203.0.113.9' })).status).toBe(403);
    expect((await get(s, { Authorization: 'Bearer whatever-you-like-0000' })).status).toBe(200);
  });

  it('needs Authorization: Bearer TOKEN when --metrics-token is set', async () => {
    const token = 'a-long-scrape-token-123';
    const s = await server({ metricsToken: token });
    expect((await get(s)).status).toBe(401);
    expect((await get(s, { Authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await get(s, { Authorization: `Basic ${token}` })).status).toBe(401);
    const ok = await get(s, { Authorization: `Bearer ${token}`, 'X-Forwarded-For': '203.0.113.9' });
    expect(ok.status).toBe(200);
    expect(parsePrometheus(ok.body).has('rustysignal_connections')).toBe(true);
  });
});

describe('GET /metrics on cluster nodes', () => {
  const redis = sharedRedis();

  it('reports live nodes, Redis state and names known on other nodes', async () => {
    const r = await redis();
    const n1 = await server({ redis: r.url, nodeId: 'm1' });
    const n2 = await server({ redis: r.url, nodeId: 'm2' });
    await client(n1, 'user=alice');
    await client(n2, 'user=bob');
    await expect
      .poll(async () => {
        const f = parsePrometheus((await get(n1)).body);
        return [
          value(f, 'rustysignal_cluster_nodes'),
          value(f, 'rustysignal_redis_up'),
          value(f, 'rustysignal_cluster_remote_peers'),
        ];
      })
      .toEqual([2, 1, 1]);
  });
});
