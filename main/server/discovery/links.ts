// One mDNS "link" per network interface: a multicast-dns socket (through bonjour-service) that joins
// 224.0.0.251 on that interface and sends there. One socket per interface, rather than one for all, is
// what lets us advertise on every LAN and not just the one the multicast route points at, and lets each
// interface answer with its own addresses (RFC 6762 section 14). Sending on a named interface also needs
// no multicast route.
import { Server as Responder } from 'bonjour-service/dist/lib/mdns-server.js';
import { readFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { bindScope, canonicalAddress } from '../bind-address.js';
import type { DnsRecord, IncomingRecord } from './records.js';

/** What os.networkInterfaces() returns. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** One interface to run mDNS on. */
export interface LinkSpec {
  /** Interface name (`eth0`, `wlan0`, `lo`). */
  iface: string;
  /** The IPv4 address the socket joins the group and sends on. */
  ipv4: string;
  /** Every address of the interface (IPv4 first), advertised as the host's A/AAAA records. */
  addresses: string[];
}

export interface DnsPacket {
  type: 'query' | 'response';
  questions: { name: string; type: string }[];
  answers: IncomingRecord[];
  additionals: IncomingRecord[];
  authorities: IncomingRecord[];
}

/** The part of a multicast-dns instance we use (it has no type declarations of its own here). */
interface MulticastDns {
  on(event: 'response' | 'query', fn: (packet: DnsPacket, rinfo: { address: string; port: number }) => void): void;
  on(event: 'error' | 'warning', fn: (err: Error & { code?: string; syscall?: string }) => void): void;
  removeAllListeners(event?: string): void;
  query(
    q: { questions: { name: string; type: string }[]; authorities?: DnsRecord[] },
    cb: (err: Error | null) => void,
  ): void;
  respond(r: { answers: DnsRecord[]; additionals?: DnsRecord[] }, cb: (err: Error | null) => void): void;
  destroy(cb: () => void): void;
}

/**
 * bonjour-service's responder: the records it answers queries with, and its multicast-dns socket. We use
 * this class (exported by its module, which the package's index does not re-export) rather than the
 * package's Bonjour class, whose publish() cannot give per-interface address records, set the cache-flush
 * bit, or tell us about a name conflict, and which keeps the responder in a private field.
 */
interface MdnsResponder {
  mdns: MulticastDns;
  register(records: DnsRecord[]): void;
  unregister(records: DnsRecord[]): void;
}

export type SocketError = Error & { code?: string; syscall?: string };

/** An open link: answer queries from `records`, send, listen to responses. */
export interface MdnsLink {
  readonly spec: LinkSpec;
  /** True once the socket failed to open (port 5353 refused); such a link is reopened on the next refresh. */
  readonly broken: boolean;
  /** Replaces the records this link answers queries with. */
  serve(records: DnsRecord[]): void;
  /** Multicasts records on this interface (an announcement or goodbye). Resolves when sent. */
  send(records: DnsRecord[]): Promise<void>;
  /** Multicasts a query, optionally with proposed records in the authority section (a probe). */
  query(questions: { name: string; type: string }[], authorities?: DnsRecord[]): Promise<void>;
  onResponse(fn: (packet: DnsPacket) => void): void;
  /** Stops answering, closes the socket. Resolves when closed. */
  close(): Promise<void>;
}

const IFF_POINTOPOINT = 0x10;
const IFF_MULTICAST = 0x1000;

/** Linux interface flags from /sys (null elsewhere or when unreadable). */
export function interfaceFlags(iface: string): number | null {
  if (process.platform !== 'linux' || !/^[\w.@:-]+$/.test(iface)) return null;
  try {
    return Number.parseInt(readFileSync(`/sys/class/net/${iface}/flags`, 'utf8').trim(), 16);
  } catch {
    return null;
  }
}

/**
 * Whether "every interface" should include this one: not a point-to-point link (a VPN tunnel would carry
 * our multicast to the far end, or refuse it) and not one without multicast, as avahi decides by default.
 */
function suitsMdns(flags: number | null): boolean {
  return flags === null || ((flags & IFF_MULTICAST) !== 0 && (flags & IFF_POINTOPOINT) === 0);
}

/**
 * The interfaces to run mDNS on. `choice` null: every multicast-capable, non-loopback, non-point-to-point
 * interface with an IPv4 address, or the loopback interface when there is none (so a browser on this
 * machine still finds us). A name: just that one, whatever its flags.
 */
export function planLinks(
  choice: string | null,
  table: InterfaceTable,
  flagsOf: (iface: string) => number | null = interfaceFlags,
): { links: LinkSpec[]; error: string | null } {
  const all = Object.entries(table).flatMap(([iface, infos]) => {
    const list = infos ?? [];
    const ipv4 = list.find((i) => i.family === 'IPv4');
    if (!ipv4) return [];
    const addresses = [...list.filter((i) => i.family === 'IPv4'), ...list.filter((i) => i.family !== 'IPv4')].map(
      (i) => i.address,
    );
    return [{ spec: { iface, ipv4: ipv4.address, addresses }, internal: ipv4.internal }];
  });
  if (choice !== null) {
    const found = all.find((l) => l.spec.iface === choice);
    if (found) return { links: [found.spec], error: null };
    const known = Object.keys(table);
    const why = known.includes(choice) ? `has no IPv4 address (mDNS runs over IPv4)` : 'does not exist or is down';
    const have = all.map((l) => `${l.spec.iface} (${l.spec.ipv4})`).join(', ') || 'none';
    return {
      links: [],
      error: `mDNS is off: network interface "${choice}" ${why}. Interfaces with IPv4: ${have}. Pick one with --mdns-interface, or leave it out to use all.`,
    };
  }
  const lan = all.filter((l) => !l.internal && suitsMdns(flagsOf(l.spec.iface))).map((l) => l.spec);
  if (lan.length > 0) return { links: lan, error: null };
  return {
    links: all
      .filter((l) => l.internal)
      .slice(0, 1)
      .map((l) => l.spec),
    error: null,
  };
}

/**
 * The interface a server bound to `bindHost` can be reached on: null for a bind to every interface, the
 * loopback interface for a loopback bind in any spelling (127.0.0.2, ::1, localhost...), else the interface
 * that owns the address (null when none does: the server could not have bound there).
 */
export function interfaceOfBind(bindHost: string | undefined, table: InterfaceTable): string | null {
  if (bindHost === undefined) return null;
  const scope = bindScope(bindHost);
  if (scope.kind === 'every-interface') return null;
  const entries = Object.entries(table);
  if (scope.kind === 'loopback') {
    // Never null here: that would mean every interface. Without a listed loopback interface, planLinks says so.
    const lo = entries.find(([, infos]) => (infos ?? []).some((i) => i.internal && i.family === 'IPv4'));
    return lo ? lo[0] : 'lo';
  }
  const owner = entries.find(([, infos]) => (infos ?? []).some((i) => canonicalAddress(i.address) === scope.address));
  return owner ? owner[0] : null;
}

/** A stable key of a link's socket: a changed IPv4 address needs a new socket. */
export function linkKey(spec: LinkSpec): string {
  return `${spec.iface}|${spec.ipv4}`;
}

/** Opens the socket of one interface. Socket errors go to `onError`, never thrown. */
export function openLink(spec: LinkSpec, onError: (err: SocketError, spec: LinkSpec) => void): MdnsLink {
  // bind 0.0.0.0: a socket bound to the interface address would not receive multicast on Linux.
  const responder: MdnsResponder = new Responder(
    { interface: spec.ipv4, bind: '0.0.0.0' } as never,
    (err: SocketError) => onError(err, spec),
  );
  const mdns = responder.mdns;
  let broken = false;
  // multicast-dns emits 'error' only when the socket cannot be bound. Without a listener a busy port 5353
  // would be an uncaught exception.
  mdns.on('error', (err) => {
    broken = true;
    onError(err, spec);
  });
  // 'warning' also carries undecodable packets from the network; only socket errors concern the user.
  mdns.on('warning', (err) => {
    if (err.syscall !== undefined) onError(err, spec);
  });
  let served: DnsRecord[] = [];
  let closed = false;
  const sent = (resolve: () => void) => (err: Error | null) => {
    if (err) onError(err, spec);
    resolve();
  };
  return {
    spec,
    get broken() {
      return broken;
    },
    serve(records) {
      responder.unregister(served);
      responder.register(records);
      served = records;
    },
    send: (records) =>
      new Promise((resolve) =>
        closed || records.length === 0 ? resolve() : mdns.respond({ answers: records }, sent(resolve)),
      ),
    query: (questions, authorities = []) =>
      new Promise((resolve) => (closed ? resolve() : mdns.query({ questions, authorities }, sent(resolve)))),
    onResponse(fn) {
      mdns.on('response', (packet) => {
        try {
          fn(packet);
        } catch (err) {
          // A bug in our handling of one packet must not take the signaling server down.
          onError(err as SocketError, spec);
        }
      });
    },
    close: () =>
      new Promise((resolve) => {
        if (closed) return resolve();
        closed = true;
        responder.unregister(served);
        served = [];
        mdns.removeAllListeners('response');
        try {
          mdns.destroy(() => resolve());
        } catch {
          resolve(); // the socket never opened (port 5353 refused): nothing to close
        }
      }),
  };
}

/** Every address of this machine, for telling our own advertisement from another host's. */
export function localAddresses(table: InterfaceTable): Set<string> {
  return new Set(Object.values(table).flatMap((infos) => (infos ?? []).map((i) => i.address)));
}
