// Advertises one service instance on every open link: probe the name (RFC 6762 section 8), pick the next
// DNS-SD name on a conflict ("NAME (2)"), announce, answer queries, re-announce on changes, say goodbye.
import type { DnsPacket, MdnsLink } from './links.js';
import { instanceName, sameName, serviceFqdn } from './names.js';
import {
  addressRecords,
  decodeTxt,
  goodbyes,
  serviceRecords,
  txtFor,
  type Advertisement,
  type DnsRecord,
  type IncomingRecord,
} from './records.js';

export interface AdvertiserDeps {
  /** The SRV target, `HOSTNAME.local`. */
  host: string;
  /** The configured or default instance name, before any conflict suffix. */
  baseName: string;
  /** The open links, read each time (links come and go with interfaces). */
  links: () => readonly MdnsLink[];
  /** Addresses of this machine, to recognise a system mDNS responder answering for our host name. */
  localAddresses: () => Set<string>;
  onAdvertised(name: string): void;
  onProblem(message: string): void;
}

export interface Advertiser {
  /** The instance name, port and host in use; null until the first probe succeeds. */
  current(): { name: string; port: number; host: string } | null;
  start(): void;
  update(ad: Advertisement): void;
  /** A link was opened: announce on it too. */
  attach(link: MdnsLink): void;
  /** The addresses of a link's interface changed: withdraw the old address records, announce the new. */
  addressesChanged(link: MdnsLink, previous: readonly string[]): void;
  /** Sends goodbyes on every link; resolves when they are sent. */
  stop(): Promise<void>;
}

const PROBES = 3;
const PROBE_INTERVAL_MS = 250;
/** A name tried this many times without success is given up, with a problem telling the user to pick another. */
const MAX_ATTEMPTS = 32;

/** 'waiting': started, but no interface to advertise on yet (none up, or port 5353 refused). */
type State = 'idle' | 'waiting' | 'probing' | 'announced' | 'failed' | 'stopped';

/** Creates the advertiser; nothing is sent until start(). */
export function createAdvertiser(initial: Advertisement, deps: AdvertiserDeps): Advertiser {
  const { host } = deps;
  let ad = initial;
  let state: State = 'idle';
  let attempt = 1;
  let name = instanceName(deps.baseName, attempt);
  // Whether we publish A/AAAA records for `host`: not when a system responder (avahi, mDNSResponder)
  // already does, because two responders with different address sets for one name fight over it.
  let publishHost: boolean | null = null;
  let probe: { conflict: boolean; hostAnswers: string[] } | null = null;
  let lastDefence = 0;
  const timers = new Set<NodeJS.Timeout>();

  const fqdn = () => serviceFqdn(name);
  const recordsFor = (link: MdnsLink): DnsRecord[] => [
    ...serviceRecords(name, host, ad),
    ...(publishHost ? addressRecords(host, link.spec.addresses) : []),
  ];

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      if (state !== 'stopped') fn();
    }, ms);
    t.unref();
    timers.add(t);
  }

  function cancelTimers(): void {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  }

  function startProbe(): void {
    cancelTimers();
    state = 'probing';
    probe = { conflict: false, hostAnswers: [] };
    const questions = [{ name: fqdn(), type: 'ANY' }, ...(publishHost === null ? [{ name: host, type: 'ANY' }] : [])];
    // Proposed records go in the authority section so a responder probing the same name can tie-break.
    const proposed = serviceRecords(name, host, ad).filter((r) => sameName(r.name, fqdn()));
    const send = (n: number) => {
      for (const link of deps.links()) void link.query(questions, proposed);
      later(PROBE_INTERVAL_MS, () => (n + 1 < PROBES ? send(n + 1) : finishProbe()));
    };
    // A random first delay keeps hosts that power up together from probing in lock step.
    later(Math.floor(Math.random() * PROBE_INTERVAL_MS), () => send(0));
  }

  function finishProbe(): void {
    const result = probe;
    probe = null;
    if (!result) return;
    if (result.conflict) return rename();
    // Nothing was sent anywhere: claiming the name now would report an advertisement that no one can see.
    if (deps.links().length === 0) {
      state = 'waiting';
      return;
    }
    if (publishHost === null) {
      const local = deps.localAddresses();
      const answers = result.hostAnswers;
      publishHost = answers.length === 0 || !answers.every((a) => local.has(a));
      if (answers.some((a) => !local.has(a))) {
        deps.onProblem(
          `another device on the network answers for ${host} (${answers.filter((a) => !local.has(a)).join(', ')}); devices may reach it instead of this server. Give this computer a unique name.`,
        );
      }
    }
    state = 'announced';
    for (const link of deps.links()) link.serve(recordsFor(link));
    announce(() => deps.onAdvertised(name));
  }

  function rename(): void {
    attempt += 1;
    if (attempt > MAX_ATTEMPTS) {
      state = 'failed';
      deps.onProblem(
        `mDNS name "${deps.baseName}" and ${MAX_ATTEMPTS - 1} numbered variants are taken on the network; this server is not advertised. Choose another name with --mdns-name.`,
      );
      return;
    }
    name = instanceName(deps.baseName, attempt);
    startProbe();
  }

  /** Two announcements one second apart (RFC 6762 section 8.3); `sent` runs after the first. */
  function announce(sent?: () => void, links: readonly MdnsLink[] = deps.links()): void {
    const once = () => Promise.all(links.map((l) => l.send(recordsFor(l))));
    void once().then(() => {
      if (state === 'announced') sent?.();
    });
    later(1000, () => void (state === 'announced' && once()));
  }

  function isOurs(r: IncomingRecord): boolean {
    if (r.type === 'SRV') {
      const d = r.data as { port?: unknown; target?: unknown } | undefined;
      return d?.port === ad.port && typeof d.target === 'string' && sameName(d.target, host);
    }
    if (r.type === 'TXT') {
      const theirs = decodeTxt(r.data);
      const ours = txtFor(ad);
      return (
        Object.keys(ours).length === Object.keys(theirs).length &&
        Object.entries(ours).every(([k, v]) => theirs[k] === v)
      );
    }
    return false;
  }

  function onResponse(packet: DnsPacket): void {
    if (state !== 'probing' && state !== 'announced') return;
    for (const r of [...packet.answers, ...packet.additionals]) {
      if (sameName(r.name, fqdn())) onRecordForOurName(r);
      else if (sameName(r.name, host) && (r.type === 'A' || r.type === 'AAAA') && typeof r.data === 'string')
        onHostRecord(r.ttl, r.data);
    }
  }

  function onRecordForOurName(r: IncomingRecord): void {
    if (r.ttl === 0 || isOurs(r)) return;
    if (state === 'probing' && probe) {
      probe.conflict = true;
      return;
    }
    // Announced and someone else claims our name with other SRV data: the lower SRV data yields (the
    // tie-break of RFC 6762 section 8.2), the other side defends by announcing again.
    if (state !== 'announced' || r.type !== 'SRV') return;
    const theirs = r.data as { port: number; target: string };
    const cmp = ad.port - theirs.port || (host.toLowerCase() < theirs.target.toLowerCase() ? -1 : 1);
    if (cmp < 0) {
      const links = deps.links();
      void Promise.all(links.map((l) => l.send(goodbyes(serviceRecords(name, host, ad)))));
      for (const l of links) l.serve([]);
      rename();
    } else if (Date.now() - lastDefence > 1000) {
      lastDefence = Date.now();
      for (const l of deps.links()) void l.send(recordsFor(l));
    }
  }

  function onHostRecord(ttl: number, address: string): void {
    if (state === 'probing' && probe && publishHost === null && ttl > 0) {
      probe.hostAnswers.push(address);
      return;
    }
    if (state !== 'announced' || ttl !== 0) return;
    // Whoever published our host name's addresses is leaving (another responder on this machine): take
    // over, or, if we publish the same records, refresh them in caches.
    if (!publishHost) {
      publishHost = true;
      for (const link of deps.links()) link.serve(recordsFor(link));
    }
    for (const link of deps.links()) {
      if (link.spec.addresses.includes(address)) void link.send(addressRecords(host, link.spec.addresses));
    }
  }

  const subscribed = new WeakSet<MdnsLink>();
  function subscribe(link: MdnsLink): void {
    if (subscribed.has(link)) return;
    subscribed.add(link);
    link.onResponse(onResponse);
  }

  return {
    current: () => (state === 'announced' ? { name, port: ad.port, host } : null),
    start() {
      if (state !== 'idle') return;
      for (const link of deps.links()) subscribe(link);
      if (deps.links().length === 0) state = 'waiting';
      else startProbe();
    },
    update(next) {
      ad = next;
      if (state !== 'announced') return; // a probe in progress announces the newest settings when done
      for (const link of deps.links()) link.serve(recordsFor(link));
      announce();
    },
    attach(link) {
      subscribe(link);
      if (state === 'waiting') return startProbe();
      if (state !== 'announced') return;
      link.serve(recordsFor(link));
      announce(undefined, [link]);
    },
    addressesChanged(link, previous) {
      if (state !== 'announced' || !publishHost) return;
      const gone = previous.filter((a) => !link.spec.addresses.includes(a));
      if (gone.length > 0) void link.send(goodbyes(addressRecords(host, gone)));
      link.serve(recordsFor(link));
      announce(undefined, [link]);
    },
    async stop() {
      const wasAnnounced = state === 'announced';
      state = 'stopped';
      cancelTimers();
      if (!wasAnnounced) return;
      const links = deps.links();
      await Promise.all(links.map((l) => l.send(goodbyes(recordsFor(l)))));
      for (const l of links) l.serve([]);
    },
  };
}
