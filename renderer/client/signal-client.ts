// A rustysignal connection: registers a name in a room, relays messages, and comes back by itself
// (with its resume token, so it keeps its name) when the network or the server goes away.
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { AckTracker, SignalError, type SendResult } from './ack-tracker.js';
import {
  CloseCode,
  parseIncoming,
  isValidName,
  parseV1ErrorText,
  parseIceServers,
  type ControlMessage,
  type Dialect,
  type PushResultData,
  type QueuedData,
  type RelayedMessage,
  type WelcomeData,
} from './protocol.js';
import { buildSignalUrl, iceServersUrl, serverUrlFromPage } from './url.js';

/** The part of the WebSocket API the client uses (the browser's, or `ws` in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface SignalClientOptions {
  /** Server URL (`ws://`, `wss://`; `http(s)://` is converted). Default: derived from the page's location. */
  url?: string;
  /** Name to register; null or absent connects anonymously. */
  name?: string | null;
  /** Room (v2 only). Default `""`. */
  room?: string;
  /** Access key, when the server requires one. */
  key?: string | null;
  /** The room's access code (`?code=`), when the operator set one; missing or wrong closes with 4003. */
  code?: string | null;
  /** Resume token from an earlier session (e.g. kept in sessionStorage across a page reload). */
  token?: string | null;
  /** Protocol dialect. Default 2. */
  dialect?: Dialect;
  /** Reconnect backoff, or false to stay closed after the first loss. Default: 0.5 s doubling to 15 s, jittered. */
  reconnect?: false | BackoffOptions;
  /** Probe the server after this much silence, in ms, to notice a dead network; 0 turns it off. Default 30000. */
  keepAliveMs?: number;
  /** Give up on a probe (and reconnect) after this long, in ms. Default 10000. */
  keepAliveTimeoutMs?: number;
  /** How long `send`, `requestConnection` and the push calls wait for the server's answer, in ms. Default 10000. */
  requestTimeoutMs?: number;
  /** WebSocket implementation. Default `globalThis.WebSocket` (pass `ws`'s class in Node 20). */
  WebSocket?: WebSocketConstructor;
  /** Random source for jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  /**
   * v1 only (v2 gets them in the welcome): where to fetch the server's ICE servers at every (re)connect.
   * Default `ice-servers` next to the server URL (with the key); null: do not fetch, use none.
   */
  iceServersUrl?: string | null;
  /** fetch implementation for `iceServersUrl`. Default `globalThis.fetch`. */
  fetch?: (
    url: string,
    init: { signal: AbortSignal; cache: 'no-store' },
  ) => Promise<{ ok: boolean; json(): Promise<unknown> }>;
}

/**
 * idle: not started. connecting: first attempt. open: registered (v2: welcome received).
 * reconnecting: lost, waiting or trying again. closed: stopped for good.
 */
export type SignalState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why the connection stopped for good. */
/** `room-code`: the room's access code was missing or wrong (close 4003); retrying cannot help. */
export type ClosedReason = 'closed-by-client' | 'taken-over' | 'kicked' | 'room-code' | 'no-reconnect';

export interface CloseInfo {
  code: number;
  reason: string;
  /** True when this socket had been open (false: the server could not be reached or refused the upgrade). */
  wasOpen: boolean;
  /** Delay before the next attempt in ms, or null when the client stays closed. */
  retryInMs: number | null;
  /** Set when the client stays closed. */
  closedReason: ClosedReason | null;
}

export interface SignalEvents {
  [k: string]: unknown[];
  state: [SignalState];
  /** v2: the server accepted the connection (after every reconnect too). */
  welcome: [WelcomeData];
  /** The names in the room changed (v2). Sorted, without self. */
  peers: [string[]];
  'peer-joined': [string];
  'peer-left': [string];
  message: [RelayedMessage];
  /** An error no pending call claimed (a refused name, a message the server rejected). */
  error: [SignalError];
  queued: [QueuedData];
  /** A message held for an offline peer was dropped because it never came. */
  expired: [QueuedData];
  'push-result': [PushResultData];
  /** A socket closed (also while reconnecting). */
  close: [CloseInfo];
  /** A text frame that is neither JSON nor a known error (v1 servers, other clients' raw text). */
  text: [string];
  /** The server's ICE servers, fresh at every (re)connect (before `welcome` in v2, before `open` in v1). */
  'ice-servers': [RTCIceServer[]];
}

const OPEN = 1;

/** A signaling connection. Call `connect()`, listen to events, `send()` to peers. */
export class SignalClient extends Emitter<SignalEvents> {
  readonly dialect: Dialect;
  readonly room: string;
  readonly #url: string;
  readonly #requestedName: string | null;
  readonly #key: string | null;
  readonly #code: string | null;
  readonly #backoff: false | BackoffOptions;
  readonly #keepAliveMs: number;
  readonly #keepAliveTimeoutMs: number;
  readonly #WebSocket: WebSocketConstructor;
  readonly #random: () => number;
  readonly #acks: AckTracker;
  readonly #iceServersUrl: string | null;
  readonly #fetch: SignalClientOptions['fetch'] | null;
  readonly #requestTimeoutMs: number;
  #iceServers: RTCIceServer[] = [];
  /** v1: the ICE server fetch of the current attempt. */
  #iceFetch: Promise<RTCIceServer[] | null> | null = null;

  #state: SignalState = 'idle';
  #socket: WebSocketLike | null = null;
  #socketOpen = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #keepAliveTimer: ReturnType<typeof setTimeout> | null = null;
  #name: string | null;
  #token: string | null;
  #welcome: WelcomeData | null = null;
  #peers = new Set<string>();
  #firstOpen: {
    resolve: (w: WelcomeData | null) => void;
    reject: (e: Error) => void;
    promise: Promise<WelcomeData | null>;
  } | null = null;
  readonly #onOnline = () => {
    if (this.#state === 'reconnecting' && this.#retryTimer !== null) this.#retryNow();
  };

  constructor(options: SignalClientOptions = {}) {
    super();
    this.dialect = options.dialect ?? 2;
    this.room = this.dialect === 2 ? (options.room ?? '') : '';
    // The server closes a connection with a bad room at once; retrying could never succeed.
    if (!isValidName(this.room, 0))
      throw new TypeError(`invalid room ${JSON.stringify(this.room)}: up to 64 characters, no control characters`);
    const pageUrl = (globalThis as { location?: { href: string } }).location?.href;
    if (!options.url && !pageUrl)
      throw new TypeError('SignalClient: no url given and no page location to derive it from');
    this.#url = options.url ?? serverUrlFromPage(pageUrl!);
    this.#requestedName = options.name ?? null;
    this.#name = this.dialect === 1 ? this.#requestedName : null;
    this.#key = options.key ?? null;
    this.#code = options.code ?? null;
    this.#token = options.token ?? null;
    this.#backoff = options.reconnect ?? {};
    this.#keepAliveMs = options.keepAliveMs ?? 30_000;
    this.#keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 10_000;
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS)
      throw new TypeError(
        'SignalClient: no WebSocket implementation; pass options.WebSocket (e.g. the `ws` package in Node)',
      );
    this.#WebSocket = WS;
    this.#random = options.random ?? Math.random;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#iceServersUrl =
      options.iceServersUrl === undefined ? iceServersUrl(this.#url, this.#key) : options.iceServersUrl;
    const f = options.fetch ?? (globalThis as { fetch?: SignalClientOptions['fetch'] }).fetch;
    this.#fetch = f ? f.bind(globalThis) : null;
    this.#acks = new AckTracker({
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      sendProbe: (seq) => this.#write({ protocol: 'one-to-self', action: PROBE_ACTION, data: seq }),
    });
  }

  get state(): SignalState {
    return this.#state;
  }
  /** The registered name (v2: as the server confirmed it), null when anonymous. */
  get name(): string | null {
    return this.#name;
  }
  /** Current resume token (v2), null when anonymous or v1. */
  get token(): string | null {
    return this.#token;
  }
  /** The latest welcome (v2), null before the first one. */
  get welcome(): WelcomeData | null {
    return this.#welcome;
  }
  /** The server's ICE servers as of the latest (re)connect; `[]` before, or when it offers none. */
  get iceServers(): RTCIceServer[] {
    return this.#iceServers;
  }
  /** Names in the room (v2), sorted, without self. */
  get peers(): string[] {
    return [...this.#peers].sort(byName);
  }

  /**
   * Opens the connection. Resolves with the first welcome (v2; null in v1) once registered, and keeps
   * reconnecting after losses; rejects only if the client closes for good before it ever opened.
   */
  connect(): Promise<WelcomeData | null> {
    if (this.#firstOpen) return this.#firstOpen.promise;
    let resolve!: (w: WelcomeData | null) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<WelcomeData | null>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.#firstOpen = { resolve, reject, promise };
    if (this.#state === 'closed') reject(new SignalError('closed', 'the client was closed'));
    else if (this.#state === 'idle') {
      (globalThis as { addEventListener?: (t: string, f: () => void) => void }).addEventListener?.(
        'online',
        this.#onOnline,
      );
      this.#setState('connecting');
      this.#open();
    }
    return promise;
  }

  /** Closes the connection for good (code 1000); pending calls reject with code `closed`. */
  close(): void {
    if (this.#state === 'closed') return;
    const socket = this.#socket;
    this.#finish('closed-by-client');
    if (socket) {
      this.#detach(socket);
      socket.close(CloseCode.normal, 'client closed');
      this.emit('close', {
        code: CloseCode.normal,
        reason: 'client closed',
        wasOpen: true,
        retryInMs: null,
        closedReason: 'closed-by-client',
      });
    }
  }

  /** While waiting to reconnect: tries now instead of at the end of the backoff delay. */
  reconnectNow(): void {
    if (this.#state === 'reconnecting' && this.#retryTimer !== null) this.#retryNow();
  }

  /**
   * Sends `action`/`data` to one peer. Resolves `relayed` once the server has passed it on, or `queued`
   * when the peer is offline and the server holds it (v2); rejects with a SignalError (`unknown-peer`,
   * `rate-limited`, `not-connected`, `timeout`, ...). Safe to call without awaiting.
   */
  send(to: string, action: string, data?: unknown, extra: Record<string, unknown> = {}): Promise<SendResult> {
    return this.#tracked({ ...extra, protocol: 'one-to-one', endpoint: to, action, data }, to);
  }

  /** Sends to everyone in the room (not to self in v2). Resolves `relayed`; rejects like `send`. */
  broadcast(action: string, data?: unknown, extra: Record<string, unknown> = {}): Promise<SendResult> {
    return this.#tracked({ ...extra, protocol: 'one-to-all', action, data }, null);
  }

  /** Asks the server to wake `to` with a push notification (v2). Resolves with the push-result. */
  requestConnection(to: string): Promise<PushResultData> {
    return this.#request({ action: 'connection-request', endpoint: to }, 'push-result') as Promise<PushResultData>;
  }

  /**
   * Stores a push subscription for this name (v2). `subscription` as from `PushSubscription.toJSON()`.
   * `pushSecret` (16 to 256 characters, optional): keep it to replace or remove this subscription later
   * from another device; without it only this browser (same endpoint) or this connection can.
   */
  async subscribePush(subscription: unknown, pushSecret?: string): Promise<void> {
    await this.#request(
      {
        action: 'subscribe-push',
        subscriptionData: typeof subscription === 'string' ? subscription : JSON.stringify(subscription),
        ...(pushSecret !== undefined ? { pushSecret } : {}),
      },
      'push-subscribed',
    );
  }

  /**
   * Forgets this name's push subscription on the server (v2). From a later connection, pass the
   * subscription (its endpoint proves it is yours) or the `pushSecret` it was made with.
   */
  async unsubscribePush(proof: { subscription?: unknown; pushSecret?: string } = {}): Promise<void> {
    const { subscription, pushSecret } = proof;
    await this.#request(
      {
        action: 'unsubscribe-push',
        ...(subscription !== undefined
          ? { subscriptionData: typeof subscription === 'string' ? subscription : JSON.stringify(subscription) }
          : {}),
        ...(pushSecret !== undefined ? { pushSecret } : {}),
      },
      'push-unsubscribed',
    );
  }

  /** Sends any JSON object as it is, without tracking. Throws `not-connected` when not open. */
  sendRaw(message: Record<string, unknown>): void {
    if (!this.#canSend()) throw new SignalError('not-connected', 'not connected to the signaling server');
    this.#write(message);
  }

  #tracked(message: Record<string, unknown>, to: string | null): Promise<SendResult> {
    if (!this.#canSend())
      return rejected(
        new SignalError('not-connected', 'not connected to the signaling server; try again once connected'),
      );
    const { id, promise } = this.#acks.track('relay', to);
    // v1 recipients get the bytes as sent: claiming the name lets them answer. v2 recipients get the
    // server's stamp instead, which always wins.
    if (this.#name !== null) message.from = this.#name;
    this.#write({ ...message, id });
    return promise;
  }

  #request(
    message: Record<string, unknown>,
    answer: 'push-result' | 'push-subscribed' | 'push-unsubscribed',
  ): Promise<unknown> {
    if (this.dialect !== 2) return rejected(new SignalError('unsupported', 'push calls need the v2 dialect'));
    if (!this.#canSend())
      return rejected(
        new SignalError('not-connected', 'not connected to the signaling server; try again once connected'),
      );
    const { id, promise } = this.#acks.track(answer, typeof message.endpoint === 'string' ? message.endpoint : null);
    this.#write({ ...message, id });
    return promise;
  }

  #canSend(): boolean {
    return this.#state === 'open' && this.#socket !== null && this.#socket.readyState === OPEN;
  }

  #write(message: Record<string, unknown>): void {
    this.#socket?.send(JSON.stringify(message));
  }

  #open(): void {
    const url = buildSignalUrl(this.#url, {
      dialect: this.dialect,
      name: this.#requestedName,
      room: this.room,
      key: this.#key,
      code: this.#code,
      token: this.dialect === 2 ? this.#token : null,
    });
    let socket: WebSocketLike;
    try {
      socket = new this.#WebSocket(url);
    } catch (err) {
      // A malformed URL will not heal by retrying.
      this.#finish('no-reconnect', err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.#socket = socket;
    this.#socketOpen = false;
    // v1 has no welcome: fetch the ICE servers alongside the handshake, and open once both are done.
    this.#iceFetch = this.dialect === 1 ? this.#fetchIceServers() : null;
    socket.onopen = () => {
      this.#socketOpen = true;
      this.#touch();
      if (this.dialect === 1) void this.#openV1(socket);
    };
    socket.onmessage = (ev) => {
      this.#touch();
      if (typeof ev.data === 'string') this.#onText(ev.data);
    };
    socket.onerror = () => {
      // Details arrive with the close event; browsers give none here.
    };
    socket.onclose = (ev) => this.#onSocketClosed(socket, ev.code, ev.reason);
  }

  async #openV1(socket: WebSocketLike): Promise<void> {
    const servers = await this.#iceFetch;
    if (socket !== this.#socket || this.#state === 'closed') return;
    if (servers) this.#setIceServers(servers);
    this.#opened(null);
  }

  /** GET /ice-servers, bounded by the request timeout; null when it cannot be had (old server, network). */
  async #fetchIceServers(): Promise<RTCIceServer[] | null> {
    if (this.#iceServersUrl === null || !this.#fetch) return null;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#requestTimeoutMs);
    try {
      const r = await this.#fetch(this.#iceServersUrl, { signal: abort.signal, cache: 'no-store' });
      if (!r.ok) return null;
      const body = await r.json();
      return parseIceServers((body as { iceServers?: unknown } | null)?.iceServers);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  #setIceServers(servers: RTCIceServer[]): void {
    this.#iceServers = servers;
    this.emit('ice-servers', servers);
  }

  #opened(welcome: WelcomeData | null): void {
    this.#attempt = 0;
    this.#setState('open');
    this.#firstOpen?.resolve(welcome);
  }

  #onText(text: string): void {
    const incoming = parseIncoming(text, this.dialect);
    if (incoming.kind === 'control') return this.#onControl(incoming.message);
    if (incoming.kind === 'relayed') {
      const m = incoming.message;
      if (m.protocol === 'one-to-self' && m.action === PROBE_ACTION) {
        if (typeof m.data === 'number') this.#acks.probeEchoed(m.data);
        return;
      }
      this.emit('message', m);
      return;
    }
    const v1 = this.dialect === 1 ? parseV1ErrorText(text) : null;
    if (!v1) return this.emit('text', text);
    if (v1.code === 'username-taken' || v1.code === 'invalid-username') this.#name = null;
    const err = new SignalError(v1.code, text);
    if (!this.#acks.failOldest(err, v1.name ?? null)) this.emit('error', err);
  }

  #onControl(m: ControlMessage): void {
    switch (m.action) {
      case 'welcome': {
        const w = m.data;
        w.iceServers = parseIceServers(w.iceServers);
        this.#setIceServers(w.iceServers);
        this.#welcome = w;
        this.#name = w.user;
        this.#token = w.token;
        this.#peers = new Set(w.peers);
        this.emit('welcome', w);
        this.emit('peers', this.peers);
        this.#opened(w);
        return;
      }
      case 'peer-joined':
        this.#peers.add(m.data.user);
        this.emit('peer-joined', m.data.user);
        this.emit('peers', this.peers);
        return;
      case 'peer-left':
        this.#peers.delete(m.data.user);
        this.emit('peer-left', m.data.user);
        this.emit('peers', this.peers);
        return;
      case 'error': {
        const err = new SignalError(
          m.data.code,
          m.data.message,
          typeof m.data.ref === 'string' ? m.data.ref : undefined,
        );
        if (!(typeof m.data.ref === 'string' && this.#acks.fail(m.data.ref, err))) this.emit('error', err);
        return;
      }
      case 'queued':
        if (typeof m.data.ref === 'string') this.#acks.settle(m.data.ref, 'relay', { status: 'queued' });
        this.emit('queued', m.data);
        return;
      case 'expired':
        this.emit('expired', m.data);
        return;
      case 'push-result':
        if (typeof m.data.ref === 'string') this.#acks.settle(m.data.ref, 'push-result', m.data);
        this.emit('push-result', m.data);
        return;
      case 'push-subscribed':
      case 'push-unsubscribed':
        if (typeof m.data.ref === 'string') this.#acks.settle(m.data.ref, m.action, undefined);
        return;
    }
  }

  #onSocketClosed(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#detach(socket);
    const wasOpen = this.#socketOpen;
    this.#socket = null;
    this.#clearKeepAlive();
    this.#acks.failAll(
      new SignalError('connection-lost', 'the connection to the signaling server was lost before the server answered'),
    );
    let closedReason: ClosedReason | null = null;
    if (code === CloseCode.takenOver) closedReason = 'taken-over';
    else if (code === CloseCode.kicked) closedReason = 'kicked';
    else if (code === CloseCode.roomCode) closedReason = 'room-code';
    else if (this.#backoff === false) closedReason = 'no-reconnect';
    if (closedReason) {
      this.emit('close', { code, reason, wasOpen, retryInMs: null, closedReason });
      this.#finish(closedReason);
      return;
    }
    // A flooding client (1008) waits the longest delay so it does not hammer the server.
    const backoff = this.#backoff as BackoffOptions;
    const attempt = code === CloseCode.policy ? 64 : this.#attempt;
    const delay = backoffDelay(attempt, backoff, this.#random);
    this.#attempt++;
    if (code === CloseCode.tooBig)
      this.emit(
        'error',
        new SignalError(
          'connection-lost',
          'a message was larger than the server accepts (64 KiB by default); reconnecting',
        ),
      );
    if (code === CloseCode.policy)
      this.emit(
        'error',
        new SignalError('rate-limited', 'the server closed the connection for sending too fast; reconnecting'),
      );
    this.emit('close', { code, reason, wasOpen, retryInMs: delay, closedReason: null });
    this.#setState('reconnecting');
    this.#retryTimer = setTimeout(() => this.#retryNow(), delay);
  }

  #retryNow(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    if (this.#state === 'reconnecting') this.#open();
  }

  #detach(socket: WebSocketLike): void {
    socket.onopen = socket.onmessage = socket.onerror = null;
    socket.onclose = null;
  }

  /** Any frame from the server proves the path is alive: restart the silence timer. */
  #touch(): void {
    if (this.#keepAliveMs <= 0) return;
    this.#clearKeepAlive();
    this.#keepAliveTimer = setTimeout(() => {
      if (!this.#socket || this.#socket.readyState !== OPEN) return;
      this.#write({ protocol: 'one-to-self', action: PROBE_ACTION, data: -1 });
      this.#keepAliveTimer = setTimeout(() => this.#abandon(), this.#keepAliveTimeoutMs);
    }, this.#keepAliveMs);
  }

  #clearKeepAlive(): void {
    if (this.#keepAliveTimer !== null) clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = null;
  }

  /** The server stopped answering: drop the socket without waiting for a closing handshake that may never come. */
  #abandon(): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#detach(socket);
    try {
      socket.close(4002, 'no answer from server');
    } catch {
      // Already closing.
    }
    this.#onSocketClosed(socket, 4002, 'no answer from server');
  }

  #finish(reason: ClosedReason, cause?: Error): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#clearKeepAlive();
    this.#socket = null;
    this.#acks.failAll(new SignalError('closed', `the client was closed (${reason})`));
    (globalThis as { removeEventListener?: (t: string, f: () => void) => void }).removeEventListener?.(
      'online',
      this.#onOnline,
    );
    this.#setState('closed');
    this.#firstOpen?.reject(
      cause ?? new SignalError('closed', `the client was closed (${reason}) before it connected`),
    );
  }

  #setState(state: SignalState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
    // While not connected the room's members are unknown.
    if (state !== 'open' && this.#peers.size > 0) {
      this.#peers.clear();
      this.emit('peers', []);
    }
  }
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
/** People's order: locale-aware, upper and lower case together (exact order only breaks ties). */
function byName(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The action of the client's own one-to-self probes (acks and keep-alive); never shown to users. */
export const PROBE_ACTION = 'rustysignal:probe';

function rejected<T>(err: Error): Promise<T> {
  const p = Promise.reject<T>(err);
  p.catch(() => {});
  return p;
}
