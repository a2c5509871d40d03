// Keeps the live list of `_rustysignal._tcp` instances on the links: adds them from responses, resolves
// missing SRV/TXT/addresses with a query, drops them on a goodbye or when they stop answering.
import type { DiscoveredServer } from '../surface.js';
import type { DnsPacket, MdnsLink } from './links.js';
import { canonical, instanceOf, SERVICE, sameName } from './names.js';
import { decodeTxt, type IncomingRecord } from './records.js';

export interface BrowserDeps {
  links: () => readonly MdnsLink[];
  /** Re-query interval in ms; an instance silent for 3 intervals is dropped. */
  refreshMs: number;
  /** True for our own advertisement, which the list leaves out. */
  isSelf: (server: DiscoveredServer) => boolean;
  /** The visible list changed (an instance came, went, or changed its port, host, addresses or TXT). */
  onChange: (list: DiscoveredServer[]) => void;
  now?: () => number;
}

export interface Browser {
  /** Sends a PTR query for the service on every link (or just `link`). */
  query(link?: MdnsLink): void;
  /** Re-queries and drops instances that went silent. */
  refresh(): void;
  attach(link: MdnsLink): void;
  list(): DiscoveredServer[];
  /** Re-evaluates the visible list (after our own name or port changed). */
  recheck(): void;
  /** Stops pending re-queries. */
  close(): void;
}

interface Instance {
  fqdn: string;
  name: string;
  host: string | null;
  port: number | null;
  txt: Record<string, string> | null;
  firstSeen: number;
  lastSeen: number;
  resolveAskedAt: number;
  resolveTries: number;
}

/** Missing SRV/TXT/addresses are asked for again after 1 s, three times, then once per refresh. */
const RESOLVE_RETRY_MS = 1000;
const QUICK_RESOLVE_TRIES = 3;
const MAX_HOSTS = 1024;

/** Creates a browser; it listens on links given to attach() and queries on query()/refresh(). */
export function createBrowser(deps: BrowserDeps): Browser {
  const now = deps.now ?? Date.now;
  const instances = new Map<string, Instance>();
  // host name -> address -> expiry (ms since epoch)
  const hosts = new Map<string, Map<string, number>>();
  let shown = '[]';

  function instance(fqdn: string, t: number): Instance | null {
    const key = canonical(fqdn);
    const known = instances.get(key);
    if (known) return known;
    const name = instanceOf(fqdn);
    if (name === null) return null;
    const fresh: Instance = {
      fqdn: key,
      name,
      host: null,
      port: null,
      txt: null,
      firstSeen: t,
      lastSeen: t,
      resolveAskedAt: 0,
      resolveTries: 0,
    };
    instances.set(key, fresh);
    return fresh;
  }

  function onRecord(r: IncomingRecord, t: number): void {
    if (r.type === 'PTR' && sameName(r.name, SERVICE) && typeof r.data === 'string') {
      if (r.ttl === 0) instances.delete(canonical(r.data));
      else {
        const i = instance(r.data, t);
        if (i) i.lastSeen = t;
      }
    } else if (r.type === 'SRV' && instanceOf(r.name) !== null) {
      if (r.ttl === 0) return void instances.delete(canonical(r.name));
      const d = r.data as { port?: unknown; target?: unknown } | undefined;
      const i = instance(r.name, t);
      if (!i || typeof d?.port !== 'number' || typeof d.target !== 'string') return;
      i.port = d.port;
      i.host = canonical(d.target);
      i.lastSeen = t;
    } else if (r.type === 'TXT' && instanceOf(r.name) !== null && r.ttl > 0) {
      const i = instance(r.name, t);
      if (i) i.txt = decodeTxt(r.data);
    } else if ((r.type === 'A' || r.type === 'AAAA') && typeof r.data === 'string') {
      const key = canonical(r.name);
      // A host's addresses often come in a packet of their own, before the SRV that names the host, so
      // every host's are kept until their TTL runs out; the cap bounds a very busy network.
      if (!hosts.has(key) && hosts.size >= MAX_HOSTS) return;
      const addrs = hosts.get(key) ?? new Map<string, number>();
      if (r.ttl === 0) addrs.delete(r.data);
      else addrs.set(r.data, t + r.ttl * 1000);
      hosts.set(key, addrs);
    }
  }

  function addressesOf(host: string | null, t: number): string[] {
    const addrs = host === null ? undefined : hosts.get(host);
    if (!addrs) return [];
    const live = [...addrs].filter(([, exp]) => exp > t).map(([a]) => a);
    return [...live.filter((a) => !a.includes(':')), ...live.filter((a) => a.includes(':'))];
  }

  let retry: NodeJS.Timeout | null = null;
  let closed = false;

  function resolveMissing(t: number): void {
    let again = false;
    for (const i of instances.values()) {
      const questions: { name: string; type: string }[] = [];
      if (i.port === null) questions.push({ name: i.fqdn, type: 'SRV' });
      if (i.txt === null) questions.push({ name: i.fqdn, type: 'TXT' });
      if (i.host !== null && addressesOf(i.host, t).length === 0) questions.push({ name: i.host, type: 'A' });
      if (questions.length === 0) {
        i.resolveTries = 0;
        continue;
      }
      // A responder that sent a record within the last second may not answer again; a server with no
      // addresses to give would be asked forever. So: quickly a few times, then once per refresh.
      if (t - i.resolveAskedAt < (i.resolveTries < QUICK_RESOLVE_TRIES ? RESOLVE_RETRY_MS : deps.refreshMs)) continue;
      i.resolveAskedAt = t;
      i.resolveTries += 1;
      again ||= i.resolveTries < QUICK_RESOLVE_TRIES;
      for (const link of deps.links()) void link.query(questions);
    }
    // The answer may never come; ask again without waiting for some other packet to arrive.
    if (again && retry === null && !closed) {
      retry = setTimeout(() => {
        retry = null;
        resolveMissing(now());
      }, RESOLVE_RETRY_MS);
      retry.unref();
    }
  }

  function list(): DiscoveredServer[] {
    const t = now();
    const out: DiscoveredServer[] = [];
    for (const i of instances.values()) {
      if (i.port === null || i.host === null) continue; // not resolved yet
      const server: DiscoveredServer = {
        name: i.name,
        host: i.host,
        addresses: addressesOf(i.host, t),
        port: i.port,
        txt: { ...(i.txt ?? {}) },
        firstSeen: i.firstSeen,
        lastSeen: i.lastSeen,
      };
      if (!deps.isSelf(server)) out.push(server);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.port - b.port);
  }

  function publishIfChanged(): void {
    const l = list();
    // lastSeen moves on every answer; only a change in what the list says is news.
    const sig = JSON.stringify(l.map(({ lastSeen: _l, ...rest }) => rest));
    if (sig === shown) return;
    shown = sig;
    deps.onChange(l);
  }

  function onResponse(packet: DnsPacket): void {
    const t = now();
    for (const r of [...packet.answers, ...packet.additionals]) onRecord(r, t);
    resolveMissing(t);
    publishIfChanged();
  }

  function query(link?: MdnsLink): void {
    for (const l of link ? [link] : deps.links()) void l.query([{ name: SERVICE, type: 'PTR' }]);
  }

  return {
    query,
    refresh() {
      const t = now();
      for (const [key, i] of instances) {
        // Alive means answering: any PTR or SRV for it counts, whatever the record TTLs say.
        if (t - i.lastSeen > 3 * deps.refreshMs) instances.delete(key);
      }
      for (const [host, addrs] of hosts) {
        for (const [a, exp] of addrs) if (exp <= t) addrs.delete(a);
        if (addrs.size === 0) hosts.delete(host);
      }
      publishIfChanged();
      query();
    },
    attach(link) {
      link.onResponse(onResponse);
      query(link);
    },
    list,
    recheck: publishIfChanged,
    close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
    },
  };
}
