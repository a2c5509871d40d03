// The server's presence on the LAN: one discovery run (advertise + browse) at a time, its events
// forwarded to the control surface.
import type { Advertisement, DiscoveryHandle, startDiscovery } from './discovery/index.js';
import type { Logger } from './logger.js';
import type { MdnsOptions } from './options.js';
import type { DiscoveredServer, ServerEventMap, ServerProblem } from './surface.js';
import type { TypedEmitter } from './typed-emitter.js';

export class LanPresence {
  #handle: DiscoveryHandle | null = null;
  #servers: DiscoveredServer[] = [];

  constructor(
    private readonly discover: typeof startDiscovery,
    private readonly logger: Logger,
    private readonly events: TypedEmitter<ServerEventMap>,
    private readonly problem: (p: ServerProblem) => void,
  ) {}

  get active(): boolean {
    return this.#handle !== null;
  }

  /** The advertised instance name once claimed. */
  name(): string | null {
    return this.#handle?.advertisedName() ?? null;
  }

  servers(): DiscoveredServer[] {
    return this.#servers;
  }

  start(options: MdnsOptions, ad: Advertisement): void {
    this.#handle = this.discover(options, ad, {
      onServers: (list) => {
        this.#servers = list;
        this.events.emit('discovery', list);
      },
      onAdvertised: (name) => {
        this.logger.info({ name }, 'advertised on the LAN (mDNS)');
        this.events.emit('advertised', { name });
      },
      onProblem: this.problem,
    });
  }

  /** Settings changed: re-advertise. */
  update(ad: Advertisement): void {
    this.#handle?.update(ad);
  }

  /** Withdraws the advertisement (goodbye packets) and forgets what was found. */
  async stop(): Promise<void> {
    const h = this.#handle;
    this.#handle = null;
    await h?.stop().catch((err: Error) => this.logger.warn({ err: err.message }, 'mDNS stop failed'));
    if (this.#servers.length > 0) {
      this.#servers = [];
      this.events.emit('discovery', []);
    }
  }
}
