// LAN discovery over mDNS / DNS-SD (docs/discovery.md): advertise `_rustysignal._tcp` and keep a live
// list of the other rustysignal servers. Every failure is reported through onProblem; nothing here throws
// into the server or crashes the process.
import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { MdnsOptions } from '../options.js';
import type { DiscoveredServer, ServerProblem } from '../surface.js';
import { createAdvertiser } from './advertiser.js';
import { createBrowser } from './browser.js';
import {
  interfaceOfBind,
  linkKey,
  localAddresses,
  openLink,
  planLinks,
  type InterfaceTable,
  type LinkSpec,
  type MdnsLink,
  type SocketError,
} from './links.js';
import { defaultInstanceName, localHostName, sameName } from './names.js';
import { describeSocketError, onceReporter } from './problems.js';
import type { Advertisement } from './records.js';

export type { Advertisement } from './records.js';

export interface DiscoveryEvents {
  /** The live list changed (this server excluded). */
  onServers(list: DiscoveredServer[]): void;
  /** The instance name actually in use (after a conflict suffix). */
  onAdvertised(name: string): void;
  /** Something went wrong with mDNS (code 'mdns-failed'); the message says what to do. */
  onProblem(problem: ServerProblem): void;
}

export interface DiscoveryHandle {
  /** Settings changed: re-advertise (TXT, port). */
  update(ad: Advertisement): void;
  servers(): DiscoveredServer[];
  /** The instance name in use; null until the name is claimed (about 1 s after start) or when not advertising. */
  advertisedName(): string | null;
  /** Sends goodbye packets and closes the sockets; resolves when the goodbyes are sent. */
  stop(): Promise<void>;
}

/** Seams for tests and for `rustysignal discover`; every member has a sensible default. */
export interface DiscoveryEnv {
  /** OS host name; default os.hostname(). The SRV target is its first label + `.local`. */
  hostname?: string;
  /** Interface table; default os.networkInterfaces(). */
  networkInterfaces?: () => InterfaceTable;
  /** How often to re-query and re-check interfaces, in ms; default 30 000. */
  refreshMs?: number;
  /** false: browse only, advertise nothing (`rustysignal discover`). Default true. */
  advertise?: boolean;
}

const DEFAULT_REFRESH_MS = 30_000;
/** Extra PTR queries after start, as RFC 6762 section 5.2 suggests (1 s, then 3 s). */
const EARLY_QUERIES_MS = [1000, 3000];

/** Starts advertising `ad` and browsing for other servers. Never throws; problems go to events.onProblem. */
export function startDiscovery(
  options: MdnsOptions,
  ad: Advertisement,
  events: DiscoveryEvents,
  env: DiscoveryEnv = {},
): DiscoveryHandle {
  const report = onceReporter((p) => events.onProblem(p));
  const readInterfaces = env.networkInterfaces ?? networkInterfaces;
  // Some sandboxes refuse to list interfaces; then there is nothing to advertise on, which is a problem to
  // report, not a crash.
  const interfaces = (): InterfaceTable => {
    try {
      return readInterfaces();
    } catch (err) {
      report(
        `mDNS is off: cannot list the network interfaces (${(err as Error).message}). The signaling server keeps running; devices must then type its address.`,
      );
      return {};
    }
  };
  const refreshMs = env.refreshMs ?? DEFAULT_REFRESH_MS;
  const host = localHostName(env.hostname ?? osHostname());
  const links = new Map<string, MdnsLink>();
  const linkList = () => [...links.values()].filter((l) => !l.broken);
  // A server bound to one address (a loopback one included) is advertised on that address's interface only,
  // whatever interface is asked for: another would hand devices addresses the server does not listen on.
  const bound = interfaceOfBind(ad.bindHost, interfaces());
  const iface = bound ?? options.interface;
  if (bound !== null && options.interface !== null && options.interface !== bound)
    report(
      `mDNS advertises on ${bound} only, not on ${options.interface}: the server is bound to ${ad.bindHost}, which devices there cannot reach. Bind to 0.0.0.0 (or to an address of ${options.interface}) to be found on ${options.interface}.`,
    );
  let stopped = false;
  let advertisedName: string | null = null;

  const safe =
    <A extends unknown[]>(fn: (...a: A) => void) =>
    (...a: A) => {
      try {
        fn(...a);
      } catch (err) {
        report(
          `mDNS discovery hit an unexpected error: ${(err as Error).message}. The signaling server keeps running.`,
        );
      }
    };

  // Read with every response packet (self check), so refreshed with the interfaces rather than per call.
  let ownAddressSet = localAddresses(interfaces());
  const ownAddresses = () => ownAddressSet;

  const advertiser =
    env.advertise === false
      ? null
      : createAdvertiser(ad, {
          host,
          baseName: options.name ?? defaultInstanceName(env.hostname),
          links: linkList,
          localAddresses: ownAddresses,
          onAdvertised: safe((name: string) => {
            advertisedName = name;
            browser.recheck();
            events.onAdvertised(name);
          }),
          onProblem: (message) => report(message),
        });

  const browser = createBrowser({
    links: linkList,
    refreshMs,
    onChange: safe((list: DiscoveredServer[]) => events.onServers(list)),
    // Ours: same instance name, port and SRV host, and no address that belongs to another machine. The
    // name alone is not enough (another server may briefly hold it before one of us renames).
    isSelf: (s) => {
      const me = advertiser?.current();
      if (!me || !sameName(s.name, me.name) || s.port !== me.port || !sameName(s.host, me.host)) return false;
      const mine = ownAddresses();
      return s.addresses.every((a) => mine.has(a));
    },
  });

  /** Opens links for new interfaces, closes those that went away. */
  function reconcile(): void {
    const table = interfaces();
    ownAddressSet = localAddresses(table);
    const plan = planLinks(iface, table);
    if (plan.error) report(plan.error);
    const wanted = new Map<string, LinkSpec>(plan.links.map((s) => [linkKey(s), s]));
    for (const [key, link] of links) {
      const spec = wanted.get(key);
      // A socket that could not open is retried: the program holding port 5353 may have gone.
      if (!spec || link.broken) {
        links.delete(key);
        void link.close();
      } else if (spec.addresses.join() !== link.spec.addresses.join()) {
        const previous = link.spec.addresses;
        link.spec.addresses = spec.addresses;
        advertiser?.addressesChanged(link, previous);
      }
    }
    for (const [key, spec] of wanted) {
      if (links.has(key)) continue;
      const link = openLink(
        spec,
        safe((err: SocketError, s: LinkSpec) =>
          report(describeSocketError(err, s), `${s.iface}:${err.code ?? err.message}`),
        ),
      );
      links.set(key, link);
      browser.attach(link);
      advertiser?.attach(link);
    }
  }

  const timers: NodeJS.Timeout[] = [];
  safe(() => {
    reconcile();
    advertiser?.start();
    for (const ms of EARLY_QUERIES_MS)
      timers.push(
        setTimeout(
          safe(() => browser.query()),
          ms,
        ),
      );
    timers.push(
      setInterval(
        safe(() => {
          reconcile();
          browser.refresh();
        }),
        refreshMs,
      ),
    );
    // mDNS must not keep a process alive that has nothing else to do.
    for (const t of timers) t.unref();
  })();

  return {
    update: safe((next: Advertisement) => {
      if (!stopped) advertiser?.update(next);
    }),
    servers: () => (stopped ? [] : browser.list()),
    advertisedName: () => advertisedName,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      browser.close();
      try {
        await advertiser?.stop();
      } catch {
        // goodbyes are best effort; the sockets are closed below either way
      }
      await Promise.all([...links.values()].map((l) => l.close()));
      links.clear();
    },
  };
}
