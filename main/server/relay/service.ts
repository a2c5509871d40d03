// The embedded relay's lifecycle: listeners on UDP and TCP, the TURN state machine, the secret, and the
// counters the control surface reports. A port already in use is a reported problem, never a failed
// server start: signaling runs on without the relay.
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { Logger } from '../logger.js';
import type { RelayOptions } from '../options.js';
import type { RelayStatus } from '../report-types.js';
import { Authenticator } from './auth.js';
import { PeerPolicy } from './peer-policy.js';
import { PortPool } from './port-pool.js';
import { TcpListener } from './tcp-listener.js';
import { TurnServer } from './turn-server.js';
import { UdpListener } from './udp-listener.js';

export type { RelayStatus } from '../report-types.js';

export interface RelayContext {
  /** The signaling server's bind host (the relay binds the same addresses). */
  host: string;
  /** Ports of this server that peers may never be relayed to (the signaling port). */
  ownPorts: () => number[];
  logger: Logger;
  now: () => number;
  /** The interface table; default os.networkInterfaces. */
  interfaces?: () => ReturnType<typeof networkInterfaces>;
}

const TICK_MS = 1000;

/** Addresses to listen on for a bind host: every interface address for a wildcard (IPv6 link-local aside). */
function listenAddresses(
  host: string,
  table: ReturnType<typeof networkInterfaces>,
): { address: string; family: 4 | 6 }[] {
  if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  if (host !== '0.0.0.0' && host !== '::') return [{ address: host, family: host.includes(':') ? 6 : 4 }];
  const out: { address: string; family: 4 | 6 }[] = [];
  for (const list of Object.values(table))
    for (const a of list ?? []) {
      if (a.family === 'IPv4') out.push({ address: a.address, family: 4 });
      else if (host === '::' && !a.address.toLowerCase().startsWith('fe80:'))
        out.push({ address: a.address, family: 6 });
    }
  return out;
}

export class RelayService {
  /** The TURN REST secret in use (the ICE server list mints credentials with it). */
  secret: string;
  #options: RelayOptions;
  #udp: UdpListener[] = [];
  #tcp: TcpListener | null = null;
  #core: TurnServer | null = null;
  #pool: PortPool;
  #policy: PeerPolicy;
  #ownAddresses = new Set<string>();
  #port: number | null = null;
  #problem: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #lastBytes = 0;
  #lastAt = 0;
  #retiredBytes = 0;
  #rate = 0;
  /** An interface sync is opening or closing listeners (ticks do not overlap it). */
  #syncing = false;
  /** Addresses a listener could not bind, kept so a failure is logged once, not every tick. */
  #unbindable = new Set<string>();

  constructor(
    options: RelayOptions,
    secret: string | null,
    private readonly ctx: RelayContext,
    private readonly onProblem: (message: string) => void,
    private readonly onTick: () => void = () => {},
  ) {
    this.#options = options;
    this.secret = secret ?? randomBytes(24).toString('base64url');
    this.#pool = new PortPool(options.relayPorts.min, options.relayPorts.max);
    this.#policy = this.#makePolicy();
  }

  #makePolicy(): PeerPolicy {
    return new PeerPolicy(this.#options.allowPeers, (address, port) => this.#ownPort(address, port));
  }

  #ownPort(address: string, port: number): boolean {
    if (!this.#ownAddresses.has(address)) return false;
    return port === this.#port || this.#pool.has(port) || this.ctx.ownPorts().includes(port);
  }

  /** The machine's interface table, read once per start and per tick. */
  #interfaces(): ReturnType<typeof networkInterfaces> {
    return (this.ctx.interfaces ?? networkInterfaces)();
  }

  #refreshOwnAddresses(table: ReturnType<typeof networkInterfaces>): void {
    this.#ownAddresses = new Set(Object.values(table).flatMap((l) => (l ?? []).map((a) => a.address.split('%')[0]!)));
  }

  status(): RelayStatus {
    return {
      enabled: this.#core !== null,
      port: this.#core ? this.#port : null,
      allocations: this.#core?.allocations.size ?? 0,
      bytesPerSecond: this.#core ? this.#rate : 0,
      problem: this.#problem,
    };
  }

  /** Starts listening when the options ask for it; a failure is reported, never thrown. */
  async start(): Promise<void> {
    if (this.#core || this.#options.port === 0) return;
    this.#problem = null;
    const table = this.#interfaces();
    this.#refreshOwnAddresses(table);
    const auth = new Authenticator(() => this.secret);
    const core = new TurnServer({
      auth,
      policy: () => this.#policy,
      pool: this.#pool,
      limits: () => this.#options,
      now: this.ctx.now,
      onRefusal: (code, reason, client) => this.ctx.logger.debug({ code, client }, `relay refused: ${reason}`),
      onRemove: (bytes) => (this.#retiredBytes += bytes),
    });
    const port = this.#options.port;
    const udp: UdpListener[] = [];
    let tcp: TcpListener;
    try {
      for (const a of listenAddresses(this.ctx.host, table))
        udp.push(await UdpListener.open(a.address, a.family, port, core));
      tcp = await TcpListener.open(this.ctx.host, port, core, this.#options.maxAllocations + 64);
    } catch (err) {
      await Promise.all(udp.map((u) => u.close()));
      const e = err as NodeJS.ErrnoException;
      this.#problem =
        e.code === 'EADDRINUSE'
          ? `relay port ${port} is in use (another TURN server or a second rustysignal?): signaling runs without the relay; choose another port with --turn-port or in Settings`
          : `relay could not listen on port ${port}: ${e.message}`;
      this.onProblem(this.#problem);
      return;
    }
    this.#udp = udp;
    this.#tcp = tcp;
    this.#core = core;
    this.#port = port;
    this.#lastBytes = 0;
    this.#retiredBytes = 0;
    this.#lastAt = this.ctx.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
    this.ctx.logger.info({ port, addresses: udp.length }, 'relay (STUN/TURN) listening on UDP and TCP');
  }

  #tick(): void {
    const core = this.#core;
    if (!core) return;
    core.sweep();
    let total = this.#retiredBytes;
    for (const a of core.allocations.values()) total += a.bytes;
    const now = this.ctx.now();
    const rate = now > this.#lastAt ? Math.round(((total - this.#lastBytes) * 1000) / (now - this.#lastAt)) : 0;
    this.#lastBytes = total;
    this.#lastAt = now;
    this.#rate = rate;
    const table = this.#interfaces();
    this.#refreshOwnAddresses(table);
    void this.#followInterfaces(core, table);
    this.onTick();
  }

  /**
   * With a wildcard bind host the UDP listeners follow the machine's addresses: a Wi-Fi that comes up after
   * the start gets its listener within a tick, and an address that went away has its listener closed.
   * (TCP listens on the wildcard itself.)
   */
  async #followInterfaces(core: TurnServer, table: ReturnType<typeof networkInterfaces>): Promise<void> {
    const host = this.ctx.host;
    const port = this.#port;
    if (this.#syncing || port === null || (host !== '0.0.0.0' && host !== '::')) return;
    this.#syncing = true;
    try {
      const wanted = listenAddresses(host, table);
      const isWanted = new Set(wanted.map((a) => a.address));
      for (const a of [...this.#unbindable]) if (!isWanted.has(a)) this.#unbindable.delete(a);
      for (const gone of this.#udp.filter((u) => !isWanted.has(u.address))) {
        this.#udp = this.#udp.filter((u) => u !== gone);
        await gone.close();
        this.ctx.logger.info({ address: gone.address }, 'relay stopped listening on an address that went away');
      }
      const have = new Set(this.#udp.map((u) => u.address));
      for (const a of wanted) {
        if (have.has(a.address) || this.#unbindable.has(a.address)) continue;
        try {
          const u = await UdpListener.open(a.address, a.family, port, core);
          // Stopped or restarted meanwhile: this listener belongs to no running relay.
          if (this.#core !== core) return void (await u.close());
          this.#udp.push(u);
          this.ctx.logger.info({ address: a.address, port }, 'relay listening on a new address');
        } catch (err) {
          this.#unbindable.add(a.address);
          this.ctx.logger.warn(
            { address: a.address, port, err: (err as Error).message },
            'relay cannot listen on a new address',
          );
        }
      }
    } finally {
      this.#syncing = false;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#core?.closeAll();
    this.#core = null;
    await Promise.all([...this.#udp.map((u) => u.close()), this.#tcp?.close()]);
    this.#udp = [];
    this.#unbindable.clear();
    this.#tcp = null;
    this.#port = null;
    this.#rate = 0;
  }

  /**
   * New options: limits and the peer list apply at once; a new port or relay range restarts the
   * listeners (live allocations end; clients allocate again on their next ICE restart).
   */
  async reconfigure(options: RelayOptions, secret: string | null | undefined, running: boolean): Promise<void> {
    const old = this.#options;
    this.#options = options;
    if (secret) this.secret = secret;
    this.#policy = this.#makePolicy();
    this.#pool.setRange(options.relayPorts.min, options.relayPorts.max);
    this.#core?.updateLimits();
    const restart =
      old.port !== options.port ||
      old.relayPorts.min !== options.relayPorts.min ||
      old.relayPorts.max !== options.relayPorts.max;
    if (running && (restart || (!this.#core && options.port !== 0))) {
      await this.stop();
      this.#problem = null;
      await this.start();
    }
  }
}
