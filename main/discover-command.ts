// `rustysignal discover [--timeout ms] [--json]`: lists the rustysignal servers that answer over mDNS on
// this network, to diagnose "I can't see the server".
import { isIPv4 } from 'node:net';
import { startDiscovery, type DiscoveryEnv } from './server/discovery/index.js';
import type { DiscoveredServer, ServerProblem } from './server/surface.js';

export interface DiscoverOptions {
  /** How long to listen for answers, in ms; default 3000. */
  timeoutMs?: number;
  /** Print a JSON array instead of one line per server. */
  json?: boolean;
  /** Browse only this interface (name); default all. */
  interface?: string | null;
}

/** Where runDiscover writes; tests pass their own. */
export interface DiscoverIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env?: DiscoveryEnv;
}

/** A found server, as printed with --json. */
export interface DiscoverResult {
  name: string;
  host: string;
  addresses: string[];
  port: number;
  /** A URL built from the first IPv4 address (else the host name), `tls` and `path`. */
  url: string;
  tls: boolean;
  path: string;
  push: boolean;
  key: boolean;
  /** Protocol dialects the server speaks (TXT `v`), e.g. `1,2`. */
  versions: string;
  txt: Record<string, string>;
}

const defaultIo: DiscoverIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The ws:// or wss:// URL a client would use for a discovered server. */
export function urlOf(s: DiscoveredServer): string {
  const tls = s.txt.tls === '1';
  const where = s.addresses.find((a) => isIPv4(a)) ?? s.host;
  const path = s.txt.path?.startsWith('/') ? s.txt.path : `/${s.txt.path ?? ''}`;
  return `${tls ? 'wss' : 'ws'}://${where}:${s.port}${path}`;
}

/** A discovered server in the shape `--json` prints. */
export function describe(s: DiscoveredServer): DiscoverResult {
  return {
    name: s.name,
    host: s.host,
    addresses: s.addresses,
    port: s.port,
    url: urlOf(s),
    tls: s.txt.tls === '1',
    path: s.txt.path ?? '/',
    push: s.txt.push === '1',
    key: s.txt.key === '1',
    versions: s.txt.v ?? '',
    txt: s.txt,
  };
}

/** One line: `NAME  URL  host HOST  addresses A, B  port P  access key required  push on`. */
export function formatLine(r: DiscoverResult): string {
  const addresses = r.addresses.length > 0 ? r.addresses.join(', ') : '(none announced)';
  return [
    r.name,
    r.url,
    `host ${r.host}`,
    `addresses ${addresses}`,
    `port ${r.port}`,
    r.key ? 'access key required' : 'no access key',
    r.push ? 'push on' : 'push off',
  ].join('  ');
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Browses for `timeoutMs` (default 3000) and prints what answered. Returns the exit code: 0 when at least one
 * server was found, 1 when none was, 2 when mDNS could not run at all.
 */
export async function runDiscover(options: DiscoverOptions = {}, io: DiscoverIo = defaultIo): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const problems: ServerProblem[] = [];
  const handle = startDiscovery(
    { enabled: true, name: null, interface: options.interface ?? null },
    { port: 0, tls: false, path: '/', push: false, key: false },
    { onServers: () => {}, onAdvertised: () => {}, onProblem: (p) => problems.push(p) },
    { ...io.env, advertise: false },
  );
  await new Promise((resolve) => setTimeout(resolve, timeoutMs));
  const found = handle.servers().map(describe);
  await handle.stop();

  for (const p of problems) io.err(p.message);
  if (options.json) io.out(JSON.stringify(found, null, 2));
  else if (found.length > 0) for (const r of found) io.out(formatLine(r));
  else {
    io.out(
      `no rustysignal servers found on this network within ${seconds(timeoutMs)} (check: same Wi-Fi, multicast allowed, firewall UDP 5353)`,
    );
  }
  if (found.length > 0) return 0;
  // Nothing found while mDNS could not open its socket: that is a failure to look, not an empty network.
  return problems.some((p) => p.message.startsWith('mDNS is off')) ? 2 : 1;
}
