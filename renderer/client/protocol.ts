// The client's view of the wire contract (docs/protocol.md): what it sends, what the server answers.

export type Dialect = 1 | 2;
export type RelayProtocol = 'one-to-one' | 'one-to-all' | 'one-to-self';

/** Codes of `error` control messages (v2), also used for the matching v1 texts. */
export type ServerErrorCode =
  | 'invalid-json'
  | 'invalid-protocol'
  | 'missing-endpoint'
  | 'unknown-peer'
  | 'queue-full'
  | 'push-refused'
  | 'username-taken'
  | 'invalid-username'
  | 'binary-unsupported'
  | 'rate-limited'
  | 'invalid-room'
  | 'invalid-room-code'
  | 'room-locked'
  | 'not-registered'
  | 'push-unavailable'
  | 'invalid-subscription';

/** Codes the client itself raises (no server involved). */
export type ClientErrorCode = 'not-connected' | 'connection-lost' | 'timeout' | 'closed' | 'unsupported';

export type ErrorCode = ServerErrorCode | ClientErrorCode;

export interface PushInfo {
  /** VAPID public key, base64url: pass it to `pushManager.subscribe` as `applicationServerKey`. */
  publicKey: string;
}

export interface WelcomeData {
  /** The registered name, or null when anonymous (no name given, or it was refused). */
  user: string | null;
  room: string;
  /** Names in the room, without self. */
  peers: string[];
  /** Resume token for this name; null when anonymous. */
  token: string | null;
  push: PushInfo | null;
  /** ICE servers for RTCPeerConnection (the server's relay, with credentials); `[]` when it offers none. */
  iceServers: RTCIceServer[];
}

/** The `id` a client put in a message, echoed back (null when it gave none). */
export type Ref = string | number | null;

export interface ErrorData {
  code: ServerErrorCode;
  message: string;
  ref?: Ref;
}

export interface QueuedData {
  to: string;
  ref?: Ref;
}

export interface PushResultData {
  to: string;
  ok: boolean;
  /** HTTP status from the push service, when it answered. */
  status?: number | null;
  /** Why it failed, when the server knows. */
  message?: string;
  ref?: Ref;
}

/** Every server control message, by action. */
export interface ControlDataMap {
  welcome: WelcomeData;
  'peer-joined': { user: string };
  'peer-left': { user: string };
  error: ErrorData;
  queued: QueuedData;
  expired: QueuedData;
  'push-result': PushResultData;
  'push-subscribed': { ref?: Ref };
  'push-unsubscribed': { ref?: Ref };
}
export type ControlAction = keyof ControlDataMap;

export type ControlMessage = {
  [A in ControlAction]: { protocol: 'server'; action: A; data: ControlDataMap[A] };
}[ControlAction];

const controlActions: ReadonlySet<string> = new Set<ControlAction>([
  'welcome',
  'peer-joined',
  'peer-left',
  'error',
  'queued',
  'expired',
  'push-result',
  'push-subscribed',
  'push-unsubscribed',
]);

/** A message relayed from another client (or echoed to self). */
export interface RelayedMessage<D = unknown> {
  protocol: RelayProtocol;
  /**
   * Sender name. v2: stamped by the server (null for an anonymous sender). v1: whatever the sender
   * claimed (this library claims its own name), undefined when it claimed nothing.
   */
  from: string | null | undefined;
  /** True when `from` was set by the server (v2), false when it is the sender's unverified claim (v1). */
  fromVerified: boolean;
  action: string | undefined;
  data: D;
  /** Optional `id` the sender attached. */
  id: string | undefined;
  /** The whole parsed object, extra fields included. */
  raw: Record<string, unknown>;
}

export type Incoming =
  | { kind: 'control'; message: ControlMessage }
  | { kind: 'relayed'; message: RelayedMessage }
  | { kind: 'text'; text: string };

const relayProtocols: ReadonlySet<string> = new Set<RelayProtocol>(['one-to-one', 'one-to-all', 'one-to-self']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The valid entries of an `iceServers` list from the server (anything else is dropped, never thrown on). */
export function parseIceServers(value: unknown): RTCIceServer[] {
  if (!Array.isArray(value)) return [];
  const out: RTCIceServer[] = [];
  for (const v of value) {
    if (!isObject(v)) continue;
    const urls =
      typeof v.urls === 'string' ? v.urls : Array.isArray(v.urls) ? v.urls.filter((u) => typeof u === 'string') : null;
    if (urls === null || urls.length === 0) continue;
    const server: RTCIceServer = { urls };
    if (typeof v.username === 'string') server.username = v.username;
    if (typeof v.credential === 'string') server.credential = v.credential;
    out.push(server);
  }
  return out;
}

/** Classifies one text frame from the server. Never throws. */
export function parseIncoming(text: string, dialect: Dialect): Incoming {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'text', text };
  }
  if (!isObject(value)) return { kind: 'text', text };
  if (
    dialect === 2 &&
    value.protocol === 'server' &&
    typeof value.action === 'string' &&
    controlActions.has(value.action)
  ) {
    return {
      kind: 'control',
      message: {
        protocol: 'server',
        action: value.action,
        data: isObject(value.data) ? value.data : {},
      } as ControlMessage,
    };
  }
  const protocol =
    typeof value.protocol === 'string' && relayProtocols.has(value.protocol) ? (value.protocol as RelayProtocol) : null;
  if (!protocol) return { kind: 'text', text };
  const from = value.from;
  return {
    kind: 'relayed',
    message: {
      protocol,
      from: typeof from === 'string' || from === null ? from : undefined,
      fromVerified: dialect === 2 && protocol !== 'one-to-self',
      action: typeof value.action === 'string' ? value.action : undefined,
      data: value.data,
      id: typeof value.id === 'string' ? value.id : undefined,
      raw: value,
    },
  };
}

/** The v1 error texts (plain text frames), mapped to the v2 codes. `name` is set for unknown-peer. */
export function parseV1ErrorText(text: string): { code: ServerErrorCode; name?: string } | null {
  if (text.startsWith('Invalid protocol, valid protocols include:')) return { code: 'invalid-protocol' };
  if (text === "No field 'endpoint' provided") return { code: 'missing-endpoint' };
  const prefix = 'Could not find a node with the name ';
  if (text.startsWith(prefix)) return { code: 'unknown-peer', name: text.slice(prefix.length) };
  if (text === 'The username is taken') return { code: 'username-taken' };
  if (text === 'Invalid username') return { code: 'invalid-username' };
  if (text === 'The room is locked') return { code: 'room-locked' };
  if (text === 'Invalid room code') return { code: 'invalid-room-code' };
  if (text === 'Binary messages are not supported') return { code: 'binary-unsupported' };
  if (text === 'Rate limit exceeded') return { code: 'rate-limited' };
  if (text === 'Push requires a username') return { code: 'not-registered' };
  if (text.startsWith('Invalid push subscription:')) return { code: 'invalid-subscription' };
  return null;
}

// The server's rule (main/server/protocol.ts), copied so the browser bundle does not import the server;
// test/client/contract-twins.test.ts keeps the two in step.
const controlOrFormat = /[\p{Cc}\p{Cf}]/u;
const emojiJoiner = /(?<=[\p{Extended_Pictographic}\uFE0F])\u200D(?=\p{Extended_Pictographic})/gu;
const onlyWhitespace = /^\s+$/u;

/**
 * Rooms and names: 1 (names) or 0 (rooms) to 64 code points, no Unicode control or format characters
 * (a ZWJ inside an emoji sequence is allowed), not whitespace only.
 */
export function isValidName(s: string, min = 1): boolean {
  if (controlOrFormat.test(s.replace(emojiJoiner, '')) || onlyWhitespace.test(s)) return false;
  const n = [...s].length;
  return n >= min && n <= 64;
}

/** Close codes the server uses (docs/protocol.md: Server control messages, Health and limits). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  kicked: 4000,
  takenOver: 4001,
  /** Clustered servers: the same name was registered on two nodes while Redis was unreachable; this one lost. */
  nameConflict: 4002,
  roomCode: 4003,
} as const;
