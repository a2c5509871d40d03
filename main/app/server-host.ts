// Owns the current SignalServer for the desktop app: start, stop, restart with new settings, apply changes
// live when the core allows it, and turn every failure into a Problem (state `error`), never a crash.
// Plain Node (no electron): the tray, the IPC handlers and the tests all drive this one object.
import type { AddressInfo, HostState, Problem, ProblemCode, StatusInfo } from '../ipc/contract.js';
import type { ApplyOutcome, HostEventMap, HostOutcome, ServerHost } from '../ipc/host.js';
import { liveKeys, restartKeys, type ServerOptions } from '../server/options.js';
import type { ListenUrl, ServerProblem, SignalServer } from '../server/surface.js';
import { TypedEmitter } from '../server/typed-emitter.js';
import type { ServerFactory } from './server-factory.js';

export type { ApplyOutcome, HostEventMap, HostOutcome, ServerHost } from '../ipc/host.js';

export interface ServerHostDeps {
  factory: ServerFactory;
  /** Builds the options afresh (settings, certificate files, the local CA's leaf). Throws/rejects with a message the user can act on. */
  options: () => ServerOptions | Promise<ServerOptions>;
  /** ms since epoch; default Date.now. */
  now?: () => number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const maxProblems = 20;

const errorCodes: Record<string, ProblemCode> = {
  OptionsError: 'settings-invalid',
  SecretUnavailableError: 'secrets-unavailable',
  TlsFileError: 'tls-invalid',
  CertificateError: 'tls-invalid',
};

/** Turns anything thrown by the core or the settings into a Problem with a user-facing message. */
export function problemFrom(err: unknown, now: number): Problem {
  const p = (err as { problem?: ServerProblem }).problem;
  if (p && typeof p.code === 'string') return { severity: 'error', code: p.code, message: p.message, at: now };
  const e = err instanceof Error ? err : new Error(String(err));
  return { severity: 'error', code: errorCodes[e.name] ?? 'internal', message: e.message, at: now };
}

function address(u: ListenUrl, options: ServerOptions): AddressInfo {
  const key = options.accessKey ? `?key=${encodeURIComponent(options.accessKey)}` : '';
  return {
    interface: u.interface,
    address: u.address,
    family: u.family,
    internal: u.internal,
    url: u.url.includes('key=') ? u.url : `${u.url}${key}`,
    webClientUrl: options.webClientDir ? `${u.url.replace(/^ws/, 'http')}${key}` : null,
    // Plain http on the same port: the device does not trust the CA yet.
    trustUrl: options.tls && options.trust ? `${u.url.replace(/^wss/, 'http')}trust` : null,
  };
}

/**
 * The host's event stream. It tells its owner when the first `peer-stats` listener arrives and when the
 * last one leaves, so the server is asked for counters only while someone shows them.
 */
class HostEvents extends TypedEmitter<HostEventMap> {
  #statsListeners = 0;
  constructor(private readonly statsWanted: (wanted: boolean) => void) {
    super();
  }
  override on<K extends keyof HostEventMap>(event: K, fn: (...args: HostEventMap[K]) => void): () => void {
    const off = super.on(event, fn);
    if (event !== 'peer-stats') return off;
    if (this.#statsListeners++ === 0) this.statsWanted(true);
    let subscribed = true;
    return () => {
      off();
      if (!subscribed) return;
      subscribed = false;
      if (--this.#statsListeners === 0) this.statsWanted(false);
    };
  }
  override once<K extends keyof HostEventMap>(event: K, fn: (...args: HostEventMap[K]) => void): void {
    const off = this.on(event, (...args) => {
      off();
      fn(...args);
    });
  }
}

/** Creates the host; nothing runs until start(). */
export function createServerHost(deps: ServerHostDeps): ServerHost {
  const now = deps.now ?? Date.now;
  let server: SignalServer | null = null;
  let unsubscribe: Array<() => void> = [];
  // The relay of the current server's peer-stats; null while nobody listens or no server is attached.
  let statsRelay: (() => void) | null = null;
  const relayStats = (on: boolean) => {
    statsRelay?.();
    statsRelay = on && server ? server.events.on('peer-stats', (rows) => events.emit('peer-stats', rows)) : null;
  };
  const events = new HostEvents((wanted) => relayStats(wanted));
  let state: HostState = 'stopped';
  let problems: Problem[] = [];
  let advertised: string | null = null;
  // One lifecycle operation at a time: a Stop clicked during a start waits for the start to finish.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  const addProblem = (p: Problem) => {
    problems = [...problems.filter((q) => q.code !== p.code), p].slice(-maxProblems);
    events.emit('problem', p);
  };
  const setState = (s: HostState) => {
    state = s;
    events.emit('status', status());
  };

  function status(): StatusInfo {
    const s = server?.status();
    const running = state === 'running' && s !== undefined;
    return {
      state,
      port: running ? s.port : null,
      tls: s?.tls ?? false,
      trust: running ? s.trust : null,
      connections: s?.connections ?? 0,
      peers: s?.peers ?? 0,
      rooms: s?.rooms ?? 0,
      startedAt: running ? s.startedAt : null,
      addresses: running ? s.urls.map((u) => address(u, server!.options)) : [],
      advertisedName: running ? advertised : null,
      problems: [...problems],
      push: s?.push ?? { enabled: false, publicKey: null, subscriptions: 0 },
      relay: s?.relay ?? { enabled: false, port: null, allocations: 0, bytesPerSecond: 0, problem: null },
    };
  }

  function attach(s: SignalServer): void {
    unsubscribe = [
      s.events.on('peer-joined', (p) => events.emit('peer-joined', p)),
      s.events.on('peer-left', (p) => events.emit('peer-left', p)),
      s.events.on('connections', (c) => events.emit('connections', c)),
      // Relay state and counters (at most once a second) reach the window with the status.
      s.events.on('relay', () => {
        if (state === 'running') events.emit('status', status());
      }),
      s.events.on('discovery', (list) => events.emit('discovery', list)),
      s.events.on('advertised', ({ name }) => {
        advertised = name;
        events.emit('status', status());
      }),
      s.events.on('warning', (p) => addProblem({ severity: 'warning', ...p, at: now() })),
      // Clustered: Redis back clears its warning; node counts reach the window with the status.
      s.events.on('cluster', (e) => {
        if (e.change === 'redis-up') problems = problems.filter((q) => q.code !== 'redis-unavailable');
        events.emit('status', status());
      }),
      // Start failures are reported by start() itself; these are the ones that happen while running.
      s.events.on('error', (p) => {
        if (state === 'running') {
          addProblem({ severity: 'error', ...p, at: now() });
          events.emit('status', status());
        }
      }),
    ];
    relayStats(events.has('peer-stats'));
  }

  function detach(): void {
    for (const off of unsubscribe) off();
    unsubscribe = [];
    server = null;
    relayStats(false);
    advertised = null;
  }

  async function doStart(): Promise<HostOutcome> {
    if (state === 'running') return { ok: true, status: status() };
    problems = [];
    setState('starting');
    try {
      const s = deps.factory(await deps.options());
      server = s;
      attach(s);
      await s.start();
      setState('running');
      return { ok: true, status: status() };
    } catch (err) {
      detach();
      const p = problemFrom(err, now());
      addProblem(p);
      setState('error');
      return { ok: false, problem: p };
    }
  }

  async function doStop(): Promise<HostOutcome> {
    const s = server;
    if (!s) {
      if (state !== 'stopped') setState('stopped');
      return { ok: true, status: status() };
    }
    setState('stopping');
    try {
      await s.stop();
    } catch (err) {
      addProblem(problemFrom(err, now()));
    }
    detach();
    setState('stopped');
    return { ok: true, status: status() };
  }

  async function doApply(): Promise<ApplyOutcome> {
    const s = server;
    if (!s || state !== 'running') return { ok: true, applied: 'stored' };
    let next: ServerOptions;
    try {
      next = await deps.options();
    } catch (err) {
      const p = problemFrom(err, now());
      addProblem(p);
      events.emit('status', status());
      return { ok: false, problem: p };
    }
    const cur = s.options;
    const tlsToggled = (cur.tls === null) !== (next.tls === null);
    if (tlsToggled || restartKeys.some((k) => !same(cur[k], next[k]))) {
      await doStop();
      const r = await doStart();
      return r.ok ? { ok: true, applied: 'restarted' } : r;
    }
    const patch = Object.fromEntries(liveKeys.filter((k) => !same(cur[k], next[k])).map((k) => [k, next[k]]));
    if (Object.keys(patch).length > 0) {
      try {
        await s.reconfigure(patch);
      } catch (err) {
        const p = problemFrom(err, now());
        addProblem(p);
        events.emit('status', status());
        return { ok: false, problem: p };
      }
    }
    events.emit('status', status());
    return { ok: true, applied: 'live' };
  }

  return {
    events,
    state: () => state,
    current: () => server,
    status,
    start: () => serial(doStart),
    stop: () => serial(doStop),
    restart: () => serial(async () => (await doStop(), doStart())),
    apply: () => serial(doApply),
    report(p) {
      addProblem({ ...p, at: now() });
      events.emit('status', status());
    },
  };
}
