// Routes `rtc` signaling messages between a SignalClient and the PeerLinks of this page: one link per
// peer, created on demand (`connect`) or when a peer's first offer arrives (`link` event).
import { Emitter } from './emitter.js';
import { PeerLink, type PeerLinkOptions, type RtcSignal } from './peer-link.js';
import type { RelayedMessage } from './protocol.js';
import type { SignalClient } from './signal-client.js';

/**
 * Options of every link. Without `iceServers`, links use the servers the signaling server handed out
 * (`client.iceServers`), and open links switch to fresh ones after each reconnect.
 */
export interface RtcHubOptions extends PeerLinkOptions {
  /** Action name of the signaling messages. Default `rtc`. */
  action?: string;
  /**
   * Whether this side is polite towards `peer`. Default: the side whose name sorts after the other's
   * (names are unique in a room, so the two sides always disagree).
   */
  polite?: (self: string, peer: string) => boolean;
}

export interface RtcHubEvents {
  [k: string]: unknown[];
  /** A peer started a link with this side. Create negotiated DataChannels in the listener. */
  link: [PeerLink];
}

function isSignal(v: unknown): v is RtcSignal {
  return typeof v === 'object' && v !== null && typeof (v as RtcSignal).session === 'string';
}

export class RtcHub extends Emitter<RtcHubEvents> {
  readonly #links = new Map<string, PeerLink>();
  /** Link ids of peers' closed links: late messages from them must not start a new link. */
  readonly #retired = new Set<string>();
  readonly #action: string;
  readonly #polite: (self: string, peer: string) => boolean;
  readonly #off: () => void;

  constructor(
    readonly client: SignalClient,
    private readonly options: RtcHubOptions = {},
  ) {
    super();
    this.#action = options.action ?? 'rtc';
    this.#polite = options.polite ?? ((self, peer) => self > peer);
    const offMessage = client.on('message', (m) => this.#onMessage(m));
    const offIce = client.on('ice-servers', (servers) => {
      if (this.options.iceServers !== undefined) return;
      for (const link of this.#links.values()) link.setIceServers(servers);
    });
    this.#off = () => {
      offMessage();
      offIce();
    };
  }

  /** The current link to `peer`, if any. */
  get(peer: string): PeerLink | undefined {
    return this.#links.get(peer);
  }

  /** The link to `peer`: the open one, or a new one (which negotiates as soon as it gets a channel or track). */
  connect(peer: string): PeerLink {
    const existing = this.#links.get(peer);
    if (existing && !existing.closedReason) return existing;
    return this.#create(peer);
  }

  /** Closes every link (telling each peer) and stops listening to the client. */
  close(): void {
    this.#off();
    for (const link of [...this.#links.values()]) link.close();
    this.#links.clear();
  }

  #create(peer: string, answerFirst = false): PeerLink {
    const self = this.client.name;
    if (self === null)
      throw new Error(
        'RtcHub: register a name before connecting to peers (an anonymous connection cannot be answered)',
      );
    const link = new PeerLink(peer, this.#polite(self, peer), (payload) => this.#signal(peer, payload), {
      ...this.options,
      iceServers: this.options.iceServers ?? this.client.iceServers,
      answerFirst,
    });
    this.#links.set(peer, link);
    link.on('closed', () => {
      if (link.remoteSession) this.#retired.add(link.remoteSession);
      if (this.#links.get(peer) === link) this.#links.delete(peer);
    });
    return link;
  }

  #signal(peer: string, payload: RtcSignal): void {
    // Outcome ignored on purpose: a lost candidate is repaired by ICE; a lost link shows in its state.
    void this.client.send(peer, this.#action, payload);
  }

  #onMessage(m: RelayedMessage): void {
    if (m.action !== this.#action || m.protocol !== 'one-to-one' || typeof m.from !== 'string' || !isSignal(m.data))
      return;
    const peer = m.from;
    const payload = m.data;
    if (this.#retired.has(payload.session)) return;
    let link = this.#links.get(peer);
    // Addressed to an older link of ours: stale.
    if (payload.to !== undefined && link && payload.to !== link.session) return;
    if (link && link.remoteSession !== null && link.remoteSession !== payload.session) {
      // The peer started over (reloaded, or closed and reopened): its new link replaces ours.
      if (payload.bye) return;
      link.replace();
      link = undefined;
    }
    if (!link) {
      if (payload.bye || payload.to !== undefined) return;
      link = this.#create(peer, payload.description?.type === 'offer' || payload.candidate !== undefined);
      this.emit('link', link);
    }
    link.receive(payload);
  }
}
