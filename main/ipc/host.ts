// What the IPC handlers need of the server host: the one object that owns the running server in the app
// (main/app/server-host.ts implements it). Declared here, on the IPC side, so ipc/ never imports app/.
import type { SignalServer } from '../server/surface.js';
import type { TypedEmitter } from '../server/typed-emitter.js';
import type {
  ConnectionCounts,
  DiscoveredServer,
  HostState,
  PeerInfo,
  PeerLeft,
  PeerStats,
  Problem,
  StatusInfo,
} from './contract.js';

export interface HostEventMap {
  status: [StatusInfo];
  problem: [Problem];
  'peer-joined': [PeerInfo];
  'peer-left': [PeerLeft];
  /** Changed counters, at most once a second; the server counts only while someone listens here. */
  'peer-stats': [PeerStats[]];
  connections: [ConnectionCounts];
  discovery: [DiscoveredServer[]];
}

export type HostOutcome = { ok: true; status: StatusInfo } | { ok: false; problem: Problem };
export type ApplyOutcome = { ok: true; applied: 'live' | 'restarted' | 'stored' } | { ok: false; problem: Problem };

export interface ServerHost {
  readonly events: TypedEmitter<HostEventMap>;
  state(): HostState;
  /** The running server, or null. */
  current(): SignalServer | null;
  status(): StatusInfo;
  /** Starts with fresh options; resolves with the problem instead of throwing. */
  start(): Promise<HostOutcome>;
  /** Stops gracefully (clients get 1001, mDNS goodbye). */
  stop(): Promise<HostOutcome>;
  restart(): Promise<HostOutcome>;
  /** Re-reads the options and applies them: live where possible, else by restarting; `stored` when not running. */
  apply(): Promise<ApplyOutcome>;
  /** Adds (or replaces, by code) a problem the host did not detect itself, e.g. unreadable settings. */
  report(problem: Omit<Problem, 'at'>): void;
}
