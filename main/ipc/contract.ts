// The IPC contract between the Electron main process and the dashboard window. TYPES ONLY: the
// renderer imports this file, so it imports nothing but the import-free type modules of the layers that
// own those types (server/report-types.ts, server/logger.ts, settings/values.ts, certs/details.ts): no
// node, no electron, no zod.
//
// Invoke channels are named `group:method`; the preload turns each into `api.group.method(arg?)`.
// Every call resolves to a Result (never rejects with a trace); events flow main -> renderer only.
import type {
  DiscoveredServer,
  ListenUrl,
  PeerInfo,
  PeerLeft,
  PeerStats,
  ProblemCode as ServerProblemCode,
  PushResult,
  RelayStatus,
  RoomInfo,
  RoomPatch,
} from '../server/report-types.js';
import type { CertificateDetails } from '../certs/details.js';
import type { LogLine } from '../server/logger.js';
import type { FieldError, SettingsPatch, SettingsValues } from '../settings/values.js';

export type { CertificateDetails, CertificateWarning, CertificateWarningCode } from '../certs/details.js';
export type { LogLevel, LogLine } from '../server/logger.js';
export type { FieldError, SettingsPatch, SettingsValues } from '../settings/values.js';

// ---------------------------------------------------------------------------------------------
// Results and errors

export type IpcErrorCode =
  /** An argument failed validation; `field` names it (dotted path, e.g. `rateLimit.perSecond`). */
  | 'invalid-argument'
  /** The thing named (peer id, subscription, file) does not exist. */
  | 'not-found'
  /** The action needs a running server. */
  | 'not-running'
  | 'port-in-use'
  | 'listen-failed'
  /** Certificate or key unreadable, expired, or the key does not match the certificate. */
  | 'tls-invalid'
  /** The push key is unusable or push is not configured. */
  | 'push-invalid'
  | 'push-unavailable'
  | 'push-failed'
  /** The user closed a file dialog without choosing. */
  | 'cancelled'
  /** A file could not be read or written. */
  | 'io-failed'
  /** The request is refused (e.g. opening a URL that is not ours). */
  | 'forbidden'
  /** The feature is not available in this host (e.g. no file dialogs in a browser test). */
  | 'unsupported'
  | 'internal';

export interface IpcError {
  code: IpcErrorCode;
  /** Says what happened and what to do; shown to the user as is. */
  message: string;
  /** The first field at fault, for forms. */
  field?: string;
  /** Every field at fault (settings forms show each next to its field). */
  fields?: FieldError[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

// ---------------------------------------------------------------------------------------------
// Data shown by the dashboard (plain JSON; timestamps are ms since epoch unless named otherwise)

/** The server as the desktop app holds it: the core's states plus `error` (last start failed). */
export type HostState = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

/** The server's problem codes plus the app's own. */
export type ProblemCode = ServerProblemCode | 'settings-invalid' | 'secrets-unavailable';

/** Something the user should see: what happened and what to do. */
export interface Problem {
  severity: 'error' | 'warning';
  code: ProblemCode;
  message: string;
  /** When it was reported. */
  at: number;
}

/** One way to reach the server, per interface address (`mDNS` for this machine's `NAME.local`, listed first). */
export interface AddressInfo extends ListenUrl {
  /** `ws://ADDRESS:PORT/` or `wss://…`, with `?key=` when an access key is set. */
  url: string;
  /** `http(s)://ADDRESS:PORT/` when the web client is served, else null. */
  webClientUrl: string | null;
  /** `http://ADDRESS:PORT/trust`, the onboarding page, when a local CA is offered; else null. */
  trustUrl: string | null;
}

export interface StatusInfo {
  state: HostState;
  /** Bound port; null unless running. */
  port: number | null;
  tls: boolean;
  /** The local CA devices are asked to trust (fingerprint to compare); null when none is offered. */
  trust: { fingerprint256: string; validTo: string } | null;
  /** Open WebSocket connections, anonymous ones included. */
  connections: number;
  /** Connections registered under a name. */
  peers: number;
  rooms: number;
  /** When the server started listening; null unless running. */
  startedAt: number | null;
  addresses: AddressInfo[];
  /** The mDNS instance name advertised; null when mDNS is off or not yet announced. */
  advertisedName: string | null;
  /** Current problems (start failure, expiring certificate, mDNS failure), newest last. */
  problems: Problem[];
  push: { enabled: boolean; publicKey: string | null; subscriptions: number };
  /** The connection relay (STUN/TURN): on or off, port, live allocations, relayed bytes per second. */
  relay: RelayStatus;
}

// The server's own definitions (main/server/report-types.ts has no imports, so the renderer can share it).
export type {
  DiscoveredServer,
  PeerInfo,
  PeerLeft,
  PeerStats,
  RoomInfo,
  RoomPatch,
  RelayStatus,
} from '../server/report-types.js';

export interface ConnectionCounts {
  connections: number;
  peers: number;
}

/** The local CA as the dashboard shows it (docs/tls.md). */
export interface LocalCaInfo {
  subject: string;
  /** SHA-256, colon-separated hex: what devices compare on /trust. */
  fingerprint256: string;
  validTo: string;
  /** What it may certify: DNS names (with subdomains) and CIDR ranges. */
  constraints: { dns: string[]; ip: string[] };
  /** True when the server's certificate comes from it (no imported or linked certificate wins). */
  active: boolean;
  pem: string;
}

/** The server's current certificate and where it came from. */
export interface CertificateInfo extends CertificateDetails {
  source: 'generated' | 'imported' | 'files';
  /** Paths, when `source` is `files` (re-read at each start). */
  certPath: string | null;
}

export interface PushInfo {
  /** A VAPID key is configured. */
  configured: boolean;
  /** The running server has push on. */
  enabled: boolean;
  subject: string | null;
  /** base64url uncompressed P-256 point; null when not configured. */
  publicKey: string | null;
  subscriptions: number;
}

/** A test push's outcome, as the server reports it. */
export type PushTestResult = PushResult;

export interface SelfCheckResult {
  url: string;
  interface: string;
  address: string;
  /** A WebSocket handshake with this URL succeeded from this machine. */
  ok: boolean;
  /** Handshake time in ms; null on failure. */
  ms: number | null;
  /** Why it failed (timeout, refused, certificate name mismatch…); null when ok. */
  error: string | null;
}

export interface SettingsInfo {
  values: SettingsValues;
  defaults: SettingsValues;
  /** Whether secrets (TLS key, VAPID key, access key) are encrypted at rest. */
  secrets: { encrypted: boolean; message: string | null };
}

export interface SettingsSetResult {
  settings: SettingsInfo;
  /** How the change was applied: live (no dropped connections), by restarting, or stored only. */
  applied: 'live' | 'restarted' | 'stored';
}

export interface AppInfo {
  name: string;
  version: string;
  /** Node's process.platform: 'linux', 'darwin', 'win32', ... */
  platform: string;
  logFolder: string;
  dataFolder: string;
  /** Hosts without Electron (browser tests) have no file dialogs. */
  dialogs: boolean;
}

// ---------------------------------------------------------------------------------------------
// Requests

export type CertificateImportRequest =
  | { source: 'pem'; cert: string; key: string; passphrase?: string }
  /** Main shows open dialogs for the certificate and the key. `link` keeps the paths (re-read at start). */
  | { source: 'dialog'; link?: boolean };

export interface CertificateGenerateRequest {
  /** Host name without `.local`; default: this machine's host name. */
  hostname?: string;
  /** Validity in days, 1..825; default 397. */
  days?: number;
}

export type CertificateExportRequest =
  /** Main shows a save dialog and writes the PEM there. */
  | { to: 'dialog' }
  /** Just return the PEM text. */
  | { to: 'text' };

export type PushImportRequest =
  { source: 'pem'; pem: string; subject?: string } | { source: 'dialog'; subject?: string };

// ---------------------------------------------------------------------------------------------
// The channel maps

/** Renderer -> main request/response channels. `request: undefined` means the call takes no argument. */
export interface InvokeMap {
  'app:info': { request: undefined; response: AppInfo };
  /** Opens one of the server's own http(s) URLs in the default browser. */
  'app:openExternal': { request: { url: string }; response: null };
  'app:copyText': { request: { text: string }; response: null };

  'server:status': { request: undefined; response: StatusInfo };
  'server:start': { request: undefined; response: StatusInfo };
  'server:stop': { request: undefined; response: StatusInfo };
  'server:restart': { request: undefined; response: StatusInfo };

  'peers:list': { request: undefined; response: PeerInfo[] };
  /** Closes one connection with code 4000 and the reason (default "kicked by the operator"). */
  'peers:kick': { request: { id: number; reason?: string }; response: null };

  /** Rooms with connections or a lock or access code (empty while stopped). */
  'rooms:list': { request: undefined; response: RoomInfo[] };
  /** Locks or unlocks a room, sets or removes its access code; returns the room as it is now. */
  'rooms:set': { request: { room: string } & RoomPatch; response: RoomInfo };

  'addresses:list': { request: undefined; response: AddressInfo[] };
  /** Connects to each advertised URL from this machine and reports which work. */
  'network:selfCheck': { request: undefined; response: SelfCheckResult[] };
  'discovery:list': { request: undefined; response: DiscoveredServer[] };

  /** The server's certificate; null when TLS is off. */
  'certs:current': { request: undefined; response: CertificateInfo | null };
  'certs:import': { request: CertificateImportRequest; response: CertificateInfo };
  'certs:generate': { request: CertificateGenerateRequest | undefined; response: CertificateInfo };
  'certs:export': { request: CertificateExportRequest; response: { pem: string; path: string | null } };
  /** Turns TLS off (plain ws/http). */
  'certs:remove': { request: undefined; response: null };
  /** The local CA; null until one is created. */
  'certs:ca': { request: undefined; response: LocalCaInfo | null };
  /** Creates the local CA (once; later calls return the existing one): TLS becomes `auto` unless a certificate was imported. */
  'certs:createCa': { request: undefined; response: LocalCaInfo };

  'push:info': { request: undefined; response: PushInfo };
  /** Generates a new VAPID key pair (existing subscriptions stop working). */
  'push:generate': { request: { subject?: string } | undefined; response: PushInfo };
  'push:import': { request: PushImportRequest; response: PushInfo };
  'push:setSubject': { request: { subject: string }; response: PushInfo };
  /** Turns push off (keys are forgotten). */
  'push:remove': { request: undefined; response: PushInfo };
  /** Sends a test "connection request" push to a subscribed peer. */
  'push:test': { request: { room?: string; name: string; from?: string }; response: PushTestResult };

  'settings:get': { request: undefined; response: SettingsInfo };
  'settings:set': { request: SettingsPatch; response: SettingsSetResult };

  /** The newest log lines, oldest first; `limit` 1..2000, default 200. */
  'log:recent': { request: { limit?: number } | undefined; response: LogLine[] };
  'log:openFolder': { request: undefined; response: { path: string } };
}

/** Main -> renderer pushes; no polling needed. */
export interface EventMap {
  /** Any change of state, port, addresses or problems. */
  status: StatusInfo;
  problem: Problem;
  'peer-joined': PeerInfo;
  'peer-left': PeerLeft;
  /**
   * Counters of the connections whose counters or push state changed since the last report, at most
   * once a second while the server runs. May name anonymous connections (not in the peer list).
   */
  'peer-stats': PeerStats[];
  /** A connection opened or closed (named or not). */
  connections: ConnectionCounts;
  discovery: DiscoveredServer[];
  settings: SettingsInfo;
  certificate: CertificateInfo | null;
  push: PushInfo;
  log: LogLine;
}

export type InvokeChannel = keyof InvokeMap;
export type EventChannel = keyof EventMap;
export type RequestOf<C extends InvokeChannel> = InvokeMap[C]['request'];
export type ResponseOf<C extends InvokeChannel> = InvokeMap[C]['response'];

/** The arguments a preload function takes for channel C: none, an optional one, or a required one. */
export type ArgsOf<C extends InvokeChannel> = [RequestOf<C>] extends [undefined]
  ? []
  : undefined extends RequestOf<C>
    ? [arg?: Exclude<RequestOf<C>, undefined>]
    : [arg: RequestOf<C>];

type GroupOf<C> = C extends `${infer G}:${string}` ? G : never;
type MethodOf<C, G extends string> = C extends `${G}:${infer M}` ? M : never;

/** `api.server.start()`, `api.peers.kick({ id, reason })`, … generated from InvokeMap. */
export type InvokeApi = {
  [G in GroupOf<InvokeChannel>]: {
    [C in InvokeChannel as MethodOf<C, G>]: (...args: ArgsOf<C>) => Promise<Result<ResponseOf<C>>>;
  };
};

/** What the preload exposes on `window.rustysignal`. */
export type PreloadApi = InvokeApi & {
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void;
};

/** The global name the preload exposes the API under (`window.rustysignal`). */
export type PreloadGlobalName = 'rustysignal';
