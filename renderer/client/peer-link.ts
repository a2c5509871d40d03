// One WebRTC connection to one peer, negotiated over the signaling server in the "perfect negotiation"
// style: either side may start or renegotiate (add a DataChannel, a camera) at any time; when both
// offer at once, the polite side rolls its offer back and the impolite side ignores the other's.
// Every negotiation step (making an offer, handling a peer's description or candidate) runs one at a time
// on one queue, so an offer is never made halfway through answering and an answer never races an offer.
import { Emitter } from './emitter.js';
import {
  diagnose,
  iceFacts,
  isHiddenCandidate,
  selectedRoute,
  type IceDiagnosis,
  type IceRoute,
} from './ice-report.js';

/** One signaling payload of a link (the `data` of an `rtc` message). */
export interface RtcSignal {
  /** Sender's link id: a new id means the peer started over (e.g. reloaded the page). */
  session: string;
  /** The receiver's link id as the sender knows it; absent on the first message. */
  to?: string;
  description?: { type: RTCSdpType; sdp?: string };
  candidate?: RTCIceCandidateInit;
  /** The sender closed the link. */
  bye?: true;
}

export type RTCPeerConnectionConstructor = new (configuration?: RTCConfiguration) => RTCPeerConnection;

export interface PeerLinkOptions {
  /**
   * ICE servers. Default `[]`: host candidates only. An RtcHub passes the servers the signaling server
   * handed out (its relay), which is what makes links work on Wi-Fi that blocks multicast or isolates devices.
   */
  iceServers?: RTCIceServer[];
  /**
   * Report a link that has both descriptions but is not connected after this long, in ms (`stalled` event):
   * browsers may wait forever without an error when no candidate can be used. 0 turns it off. Default 6000.
   */
  stallTimeoutMs?: number;
  /** Extra RTCConfiguration (its `iceServers`, if any, wins over the option above). */
  configuration?: RTCConfiguration & Record<string, unknown>;
  /** RTCPeerConnection implementation. Default `globalThis.RTCPeerConnection` (werift's works in Node). */
  RTCPeerConnection?: RTCPeerConnectionConstructor;
  /**
   * The link answers a peer's offer: it makes no offer of its own until it has answered, so channels the
   * app creates meanwhile ride on that exchange instead of colliding with it. The hub sets this.
   */
  answerFirst?: boolean;
}

/** local: closed here. remote: the peer said bye. failed: ICE/DTLS failed. replaced: the peer started a new link. */
export type LinkCloseReason = 'local' | 'remote' | 'failed' | 'replaced';

export interface PeerLinkEvents {
  [k: string]: unknown[];
  /** RTCPeerConnection.connectionState changed. */
  state: [RTCPeerConnectionState];
  /** The peer opened a (non-negotiated) DataChannel. */
  datachannel: [RTCDataChannel];
  track: [RTCTrackEvent];
  closed: [LinkCloseReason];
  /** Not connected `stallTimeoutMs` after the descriptions were exchanged, or failed: the likely reason. */
  stalled: [IceDiagnosis];
  /** The path the connection uses, once connected and whenever it changes. */
  route: [IceRoute];
  /** A negotiation step failed; the link may still recover. */
  error: [Error];
}

let sessionCounter = 0;
function newSessionId(): string {
  const rnd = Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${rnd}-${++sessionCounter}`;
}

function candidateInit(c: RTCIceCandidate | RTCIceCandidateInit): RTCIceCandidateInit {
  const j = typeof (c as RTCIceCandidate).toJSON === 'function' ? (c as RTCIceCandidate).toJSON() : c;
  const init: RTCIceCandidateInit = {
    candidate: j.candidate ?? '',
    sdpMid: j.sdpMid ?? null,
    sdpMLineIndex: j.sdpMLineIndex ?? null,
  };
  if (j.usernameFragment) init.usernameFragment = j.usernameFragment;
  return init;
}

export class PeerLink extends Emitter<PeerLinkEvents> {
  readonly pc: RTCPeerConnection;
  /** This side's link id. */
  readonly session = newSessionId();
  #remoteSession: string | null = null;
  #ignoreOffer = false;
  /** Between a rollback and the peer's offer taking its place: a negotiationneeded fired then is stale. */
  #rollingBack = false;
  /** Resolves at the first icecandidate event (a candidate or the end of gathering), or at close. */
  readonly #gathered: Promise<void>;
  #markGathered!: () => void;
  /** Candidates that arrived before the remote description they belong to. */
  #pendingCandidates: RTCIceCandidateInit[] = [];
  #chain: Promise<void> = Promise.resolve();
  #closed: LinkCloseReason | null = null;
  #answerFirst: boolean;
  readonly #stallTimeoutMs: number;
  #stallTimer: ReturnType<typeof setTimeout> | null = null;
  /** Peer candidates received, and how many hid their address behind an mDNS name. */
  readonly #received = { total: 0, hidden: 0 };
  #route: IceRoute | null = null;
  #diagnosis: IceDiagnosis | null = null;
  #watchingPairs = false;

  /**
   * @param peer the remote user's name.
   * @param polite whether this side yields when both offer at once (the two sides must disagree).
   * @param signal sends one payload to the peer over the signaling server.
   */
  constructor(
    readonly peer: string,
    readonly polite: boolean,
    private readonly signal: (payload: RtcSignal) => void,
    options: PeerLinkOptions = {},
  ) {
    super();
    this.#answerFirst = options.answerFirst ?? false;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 6000;
    const PC =
      options.RTCPeerConnection ??
      (globalThis as { RTCPeerConnection?: RTCPeerConnectionConstructor }).RTCPeerConnection;
    if (!PC) throw new TypeError('PeerLink: no RTCPeerConnection; pass options.RTCPeerConnection');
    const { iceServers = [], configuration } = options;
    this.pc = new PC({ iceServers, ...configuration });
    this.#gathered = new Promise((resolve) => (this.#markGathered = resolve));
    this.pc.onnegotiationneeded = () => this.#negotiationNeeded();
    this.pc.onicecandidate = (ev) => {
      this.#markGathered();
      // Empty candidates mark the end of gathering: optional in trickle ICE, and not understood everywhere.
      if (ev.candidate && ev.candidate.candidate) this.#send({ candidate: candidateInit(ev.candidate) });
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      this.emit('state', state);
      if (state === 'connected') this.#connected();
      if (state === 'failed') void this.#diagnose().finally(() => this.#shutdown('failed', false));
    };
    this.pc.ondatachannel = (ev) => this.emit('datachannel', ev.channel);
    this.pc.ontrack = (ev) => this.emit('track', ev);
  }

  /** The peer's link id, once known. */
  get remoteSession(): string | null {
    return this.#remoteSession;
  }
  /** Why the link closed, or null while it is usable. */
  get closedReason(): LinkCloseReason | null {
    return this.#closed;
  }

  /** The path the connection uses, once connected. */
  get route(): IceRoute | null {
    return this.#route;
  }
  /** Why the link did not connect, once it stalled or failed; null otherwise. */
  get diagnosis(): IceDiagnosis | null {
    return this.#diagnosis;
  }

  /** Uses these ICE servers from now on (fresh credentials after a reconnect to the signaling server). */
  setIceServers(iceServers: RTCIceServer[]): void {
    if (this.#closed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch {
      // Implementations without setConfiguration (or refusing a change) keep the servers they started with.
    }
  }

  /** Creates a DataChannel (pass `{ negotiated: true, id }` on both sides for a symmetric channel). */
  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    return this.pc.createDataChannel(label, init);
  }

  /** Sends every track of `stream` (camera, microphone, screen); the link renegotiates by itself. */
  addMedia(stream: MediaStream): RTCRtpSender[] {
    return stream.getTracks().map((track) => this.pc.addTrack(track, stream));
  }

  /** Stops sending what `addMedia` started (the tracks themselves keep running until stopped). */
  removeMedia(senders: RTCRtpSender[]): void {
    if (this.#closed) return;
    for (const s of senders) this.pc.removeTrack(s);
  }

  /** Closes the link and tells the peer. */
  close(): void {
    this.#shutdown('local', true);
  }

  /** Feeds one payload from the peer (the hub does this). Payloads are handled strictly in order. */
  receive(payload: RtcSignal): void {
    if (this.#closed) return;
    this.#remoteSession ??= payload.session;
    if (payload.bye) {
      this.#shutdown('remote', false);
      return;
    }
    this.#chain = this.#chain.then(() => this.#handle(payload)).catch((err: unknown) => this.#fail(err));
  }

  /** Closes without telling the peer (it started a new link). */
  replace(): void {
    this.#shutdown('replaced', false);
  }

  #negotiationNeeded(): void {
    // Skipped while answering first, or when fired between a rollback and the peer's offer: the event is
    // stale then, and once stable again the browser fires it anew if an offer is still needed (its
    // negotiation-needed flag stayed set), so nothing is lost.
    if (this.#closed || this.#answerFirst || this.#rollingBack) return;
    this.#chain = this.#chain.then(() => this.#offer()).catch((err: unknown) => this.#fail(err));
  }

  async #offer(): Promise<void> {
    // A peer's offer handled meanwhile may have left this side answering, or answered: same as above.
    if (this.#closed || this.#answerFirst || this.pc.signalingState !== 'stable') return;
    await this.pc.setLocalDescription();
    this.#sendDescription();
  }

  async #handle(payload: RtcSignal): Promise<void> {
    if (this.#closed) return;
    const pc = this.pc;
    const d = payload.description;
    if (d) {
      // Own offers are made on the same queue, so a pending one always shows in the signaling state.
      const collision = d.type === 'offer' && pc.signalingState !== 'stable';
      this.#ignoreOffer = !this.polite && collision;
      if (this.#ignoreOffer) return;
      if (collision && pc.signalingState === 'have-local-offer') {
        // Chromium (156) hands a connection's network list to ICE gathering once, when the list first
        // arrives: if the offer's gathering is rolled back before then, the answer's gathering waits for a
        // list that never comes and the link never connects. So the offer's gathering gets that far first
        // (usually a few ms; the peer drops those candidates together with the offer it ignored).
        await this.#gathered;
        if (this.#closed) return;
        // Explicit rollback: implicit rollback inside setRemoteDescription is not universal.
        this.#rollingBack = true;
        try {
          await pc.setLocalDescription({ type: 'rollback' });
          await pc.setRemoteDescription(d);
        } finally {
          this.#rollingBack = false;
        }
      } else {
        await pc.setRemoteDescription(d);
      }
      const waiting = this.#pendingCandidates;
      this.#pendingCandidates = [];
      for (const c of waiting) await this.#addCandidate(c);
      if (d.type === 'offer') {
        await pc.setLocalDescription();
        this.#sendDescription();
        this.#answerFirst = false;
      }
      this.#watchForStall();
      return;
    }
    if (payload.candidate) {
      if (!pc.remoteDescription) {
        // Candidates of an offer this side ignored are useless; others wait for their description.
        if (!this.#ignoreOffer) this.#pendingCandidates.push(payload.candidate);
        return;
      }
      await this.#addCandidate(payload.candidate);
    }
  }

  async #addCandidate(c: RTCIceCandidateInit): Promise<void> {
    if (c.candidate) {
      this.#received.total++;
      if (isHiddenCandidate(c.candidate)) this.#received.hidden++;
    }
    try {
      await this.pc.addIceCandidate(c);
    } catch (err) {
      if (!this.#ignoreOffer) throw err;
    }
  }

  // Both descriptions are set: ICE has all it needs to connect within a few seconds on a LAN. A browser
  // that cannot use any candidate may stay in `new` forever without an event, so the link checks itself.
  #watchForStall(): void {
    if (this.#stallTimeoutMs <= 0 || this.#stallTimer !== null || this.pc.connectionState === 'connected') return;
    this.#stallTimer = setTimeout(() => {
      this.#stallTimer = null;
      const s = this.pc.connectionState;
      if (!this.#closed && s !== 'connected' && s !== 'closed') void this.#diagnose();
    }, this.#stallTimeoutMs);
  }

  async #diagnose(): Promise<void> {
    try {
      const facts = await iceFacts(this.pc, this.#received);
      if (this.#closed || this.pc.connectionState === 'connected') return;
      this.#diagnosis = { ...facts, problem: diagnose(facts), state: this.pc.iceConnectionState };
      this.emit('stalled', this.#diagnosis);
    } catch {
      // getStats on a closing connection: nothing left to report.
    }
  }

  #connected(): void {
    if (this.#stallTimer !== null) clearTimeout(this.#stallTimer);
    this.#stallTimer = null;
    this.#diagnosis = null;
    void this.#readRoute();
    // Chromium tells when ICE switches pairs (e.g. from the relay to a direct path); elsewhere the route is
    // read again at the next connected state.
    const ice = (this.pc.sctp?.transport as { iceTransport?: EventTarget } | undefined)?.iceTransport;
    if (ice?.addEventListener && !this.#watchingPairs) {
      this.#watchingPairs = true;
      ice.addEventListener('selectedcandidatepairchange', () => void this.#readRoute());
    }
  }

  async #readRoute(): Promise<void> {
    try {
      const route = await selectedRoute(this.pc);
      if (!route || this.#closed) return;
      const same = this.#route && this.#route.local === route.local && this.#route.remote === route.remote;
      this.#route = route;
      if (!same) this.emit('route', route);
    } catch {
      // Closed meanwhile.
    }
  }

  #sendDescription(): void {
    const d = this.pc.localDescription;
    if (d) this.#send({ description: { type: d.type, sdp: d.sdp } });
  }

  #send(part: Omit<RtcSignal, 'session' | 'to'>): void {
    if (this.#closed && !part.bye) return;
    const payload: RtcSignal = { session: this.session, ...part };
    if (this.#remoteSession !== null) payload.to = this.#remoteSession;
    this.signal(payload);
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  #shutdown(reason: LinkCloseReason, tellPeer: boolean): void {
    if (this.#closed) return;
    if (tellPeer) this.#send({ bye: true });
    this.#closed = reason;
    if (this.#stallTimer !== null) clearTimeout(this.#stallTimer);
    this.#stallTimer = null;
    this.#markGathered();
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.onconnectionstatechange = null;
    this.pc.ondatachannel = null;
    this.pc.ontrack = null;
    try {
      void Promise.resolve(this.pc.close()).catch(() => {});
    } catch {
      // Already closed.
    }
    this.emit('closed', reason);
  }
}
