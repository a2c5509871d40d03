// What the window knows about the app: one state object, filled by an initial load and kept current
// by main-process events only (no polling).
import type {
  AppInfo,
  CertificateInfo,
  DiscoveredServer,
  IpcError,
  LogLine,
  PeerInfo,
  PeerStats,
  PreloadApi,
  Problem,
  PushInfo,
  SettingsInfo,
  StatusInfo,
} from '../../../main/ipc/contract.js';
import { call, toIpcError } from './api.js';
import { requestRender } from './schedule.js';

/** Most log lines kept in the window. */
export const LOG_LINES_KEPT = 1000;

export interface DashboardState {
  app: AppInfo | null;
  status: StatusInfo | null;
  /**
   * Named peers by connection id; mutated in place, `peersVersion` bumps on every change. Anonymous
   * connections are only counted (status.connections): the core sends no events for them.
   */
  peers: Map<number, PeerInfo>;
  peersVersion: number;
  /** Bumps when a peer-stats event changed counters or push state in place (same peers; the order changes only under a counter sort). */
  statsVersion: number;
  /** undefined until loaded; null when TLS is off. */
  certificate: CertificateInfo | null | undefined;
  push: PushInfo | null;
  discovery: DiscoveredServer[];
  settings: SettingsInfo | null;
  log: LogLine[];
  /** The initial load failed: the window cannot show anything true. */
  loadError: IpcError | null;
  loaded: boolean;
}

export class Store {
  readonly state: DashboardState = {
    app: null,
    status: null,
    peers: new Map(),
    peersVersion: 0,
    statsVersion: 0,
    certificate: undefined,
    push: null,
    discovery: [],
    settings: null,
    log: [],
    loadError: null,
    loaded: false,
  };
  readonly #unsubscribe: Array<() => void> = [];
  /** Ids that left while the first peer list was in flight; they must not reappear from it. */
  #leftDuringLoad: Set<number> | null = new Set();
  /** Counters that arrived while the first peer list was in flight, for ids it may bring. */
  #statsDuringLoad: Map<number, PeerStats> | null = new Map();

  constructor(readonly api: PreloadApi) {}

  /** Subscribes to every event, then loads the first snapshot of each part. */
  async start(): Promise<void> {
    this.#listen();
    const a = this.api;
    try {
      const [app, status, peers, certificate, push, settings, discovery, log] = await Promise.all([
        call(a.app.info()),
        call(a.server.status()),
        call(a.peers.list()),
        call(a.certs.current()),
        call(a.push.info()),
        call(a.settings.get()),
        call(a.discovery.list()),
        call(a.log.recent({ limit: 500 })),
      ]);
      const s = this.state;
      s.app = app;
      s.status ??= status;
      s.certificate = s.certificate === undefined ? certificate : s.certificate;
      s.push ??= push;
      s.settings ??= settings;
      if (s.discovery.length === 0) s.discovery = discovery;
      // Events may already have appended newer lines; the snapshot goes in front of them.
      s.log = [...log, ...s.log].slice(-LOG_LINES_KEPT);
      for (const p of peers) if (!this.#leftDuringLoad?.has(p.id) && !s.peers.has(p.id)) s.peers.set(p.id, p);
      for (const st of this.#statsDuringLoad?.values() ?? []) applyStats(s.peers.get(st.id), st);
      this.#leftDuringLoad = null;
      this.#statsDuringLoad = null;
      s.peersVersion++;
      s.loaded = true;
    } catch (err) {
      this.state.loadError = toIpcError(err);
      this.#statsDuringLoad = null;
    }
    requestRender();
  }

  /** Replaces one part of the state with a fresh value from a call's result. */
  set<K extends keyof DashboardState>(key: K, value: DashboardState[K]): void {
    this.state[key] = value;
    requestRender();
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #listen(): void {
    const s = this.state;
    const on = this.api.on.bind(this.api);
    this.#unsubscribe.push(
      on('status', (st) => {
        const wasRunning = s.status?.state === 'running';
        s.status = st;
        // A stopped server has no connections, even if a peer-left event got lost on the way.
        if (wasRunning && st.state !== 'running' && s.peers.size > 0) {
          s.peers.clear();
          s.peersVersion++;
        }
        requestRender();
      }),
      on('problem', (p) => {
        if (s.status && !s.status.problems.some((q) => sameProblem(q, p))) {
          s.status = { ...s.status, problems: [...s.status.problems, p] };
        }
        requestRender();
      }),
      on('peer-joined', (p) => {
        s.peers.set(p.id, p);
        s.peersVersion++;
        requestRender();
      }),
      on('peer-left', (p) => {
        s.peers.delete(p.id);
        this.#leftDuringLoad?.add(p.id);
        s.peersVersion++;
        requestRender();
      }),
      on('peer-stats', (rows) => {
        let changed = false;
        for (const st of rows) {
          const p = s.peers.get(st.id);
          if (p) changed = applyStats(p, st) || changed;
          else this.#statsDuringLoad?.set(st.id, st);
        }
        if (!changed) return;
        s.statsVersion++;
        requestRender();
      }),
      on('connections', (c) => {
        if (s.status) s.status = { ...s.status, connections: c.connections, peers: c.peers };
        requestRender();
      }),
      on('discovery', (d) => this.set('discovery', d)),
      on('settings', (v) => this.set('settings', v)),
      on('certificate', (c) => this.set('certificate', c)),
      on('push', (p) => {
        s.push = p;
        if (s.status)
          s.status = {
            ...s.status,
            push: { enabled: p.enabled, publicKey: p.publicKey, subscriptions: p.subscriptions },
          };
        requestRender();
      }),
      on('log', (line) => {
        s.log.push(line);
        if (s.log.length > LOG_LINES_KEPT) s.log.splice(0, s.log.length - LOG_LINES_KEPT);
        requestRender();
      }),
    );
  }
}

/**
 * Updates a peer's counters in place; false when there is no such peer or nothing changed. Counters only
 * grow, so a report older than what the row shows (a list fetched after it) is ignored.
 */
function applyStats(p: PeerInfo | undefined, st: PeerStats): boolean {
  if (!p || st.messagesIn + st.messagesOut < p.messagesIn + p.messagesOut) return false;
  if (p.messagesIn === st.messagesIn && p.messagesOut === st.messagesOut && p.pushSubscribed === st.pushSubscribed)
    return false;
  p.messagesIn = st.messagesIn;
  p.messagesOut = st.messagesOut;
  p.pushSubscribed = st.pushSubscribed;
  return true;
}

function sameProblem(a: Problem, b: Problem): boolean {
  return a.code === b.code && a.at === b.at && a.message === b.message;
}
