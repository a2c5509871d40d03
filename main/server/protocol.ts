// Wire types and texts of docs/protocol.md: parse one client frame, format v1 texts and v2 control messages.

export type Dialect = 1 | 2;
export type RouteProtocol = 'one-to-one' | 'one-to-all' | 'one-to-self';
export type PushAction = 'subscribe-push' | 'unsubscribe-push' | 'connection-request';

/** Every error code a v2 client can receive. */
export type ErrorCode =
  | 'invalid-json'
  | 'invalid-protocol'
  | 'missing-endpoint'
  | 'unknown-peer'
  | 'queue-full'
  | 'binary-unsupported'
  | 'rate-limited'
  | 'username-taken'
  | 'invalid-username'
  | 'invalid-room'
  | 'invalid-room-code'
  | 'room-locked'
  | 'not-registered'
  | 'push-unavailable'
  | 'invalid-subscription'
  | 'push-refused';

/** A client frame that parsed as a JSON object. Only the members routing needs are read. */
export interface ClientMessage {
  /** null: absent or not one of the three. */
  protocol: RouteProtocol | null;
  /** `endpoint`, else `to` (strings only). */
  target: string | null;
  push: PushAction | null;
  /** The client's `id` (string or number), echoed as `ref`. */
  ref: string | number | null;
  subscriptionData: unknown;
  /** `pushSecret` (16 to 256 characters), which lets its holder replace or remove the subscription later. */
  pushSecret: string | null;
}

/** A parsed message, or why the frame is not one. */
export type ParseResult = ClientMessage | 'invalid-json' | 'invalid-protocol';

const protocols: Record<string, RouteProtocol> = {
  'one-to-one': 'one-to-one',
  'one-to-all': 'one-to-all',
  'one-to-self': 'one-to-self',
};
const pushActions: Record<string, PushAction> = {
  'subscribe-push': 'subscribe-push',
  'unsubscribe-push': 'unsubscribe-push',
  'connection-request': 'connection-request',
  // The original README spelled it with an underscore; both are accepted.
  connection_request: 'connection-request',
};

// Own properties only: a frame's `__proto__` or `constructor` key must never be read through the prototype.
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}
function lookup<T>(table: Record<string, T>, v: unknown): T | null {
  return typeof v === 'string' && Object.hasOwn(table, v) ? table[v]! : null;
}
function refOf(v: unknown): string | number | null {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
}

function secretOf(v: unknown): string | null {
  return typeof v === 'string' && v.length >= 16 && v.length <= 256 ? v : null;
}

/** Parses one text frame (size already bounded by ws). Never throws; one allocation besides JSON.parse's. */
export function parseClientFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'invalid-json';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'invalid-protocol';
  const o = value as Record<string, unknown>;
  const endpoint = own(o, 'endpoint');
  const to = own(o, 'to');
  return {
    protocol: lookup(protocols, own(o, 'protocol')),
    target: typeof endpoint === 'string' ? endpoint : typeof to === 'string' ? to : null,
    push: lookup(pushActions, own(o, 'action')),
    ref: refOf(own(o, 'id')),
    subscriptionData: own(o, 'subscriptionData'),
    pushSecret: secretOf(own(o, 'pushSecret')),
  };
}

/** The exact v1 texts of rustysignal 2.0.2 (clients match on their prefixes). */
export const v1Text = {
  invalidProtocol: 'Invalid protocol, valid protocols include:\n\tone-to-one\n\tone-to-self\n\tone-to-all',
  missingEndpoint: "No field 'endpoint' provided",
  unknownPeer: (name: string) => `Could not find a node with the name ${name}`,
  usernameTaken: 'The username is taken',
  invalidUsername: 'Invalid username',
  /** Additions (not in 2.0.2): the operator's room controls. */
  roomLocked: 'The room is locked',
  invalidRoomCode: 'Invalid room code',
  binaryUnsupported: 'Binary messages are not supported',
  rateLimited: 'Rate limit exceeded',
  pushRequiresName: 'Push requires a username',
  invalidSubscription: (why: string) => `Invalid push subscription: ${why}`,
} as const;

/** Human-readable messages of v2 error codes. */
export const errorMessages: Record<ErrorCode, string> = {
  'invalid-json': 'The message is not valid JSON.',
  'invalid-protocol': 'The message needs "protocol": one-to-one, one-to-all or one-to-self.',
  'missing-endpoint': 'A one-to-one message needs "endpoint" (or "to") naming the recipient.',
  'unknown-peer': 'No user with that name is connected in this room.',
  'queue-full':
    'The offline queue holds as much as it may for now; this message was not held. Send it again once the recipient is connected.',
  'binary-unsupported': 'Binary messages are not supported; send JSON text.',
  'rate-limited': 'Too many messages; this one was dropped. Slow down.',
  'username-taken': 'That username is taken in this room; you are connected without a name.',
  'invalid-username':
    'Usernames are 1 to 64 characters, not only spaces, without control or invisible formatting characters; you are connected without a name.',
  'invalid-room':
    'Room names are up to 64 characters, not only spaces, without control or invisible formatting characters.',
  'invalid-room-code':
    'This room needs its access code: add ?code=CODE to the address (the person running the room has it).',
  'room-locked': 'This room is locked: no new names are let in. Ask the person running the room to unlock it.',
  'not-registered': 'Push needs a username: connect with ?user=NAME.',
  'push-unavailable': 'Push notifications are not enabled on this server.',
  'invalid-subscription': 'subscriptionData is not a valid PushSubscription.',
  'push-refused': 'The server did not accept this push request.',
};

/** An RTCIceServer as JSON: what a browser's `new RTCPeerConnection({ iceServers })` takes. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type ControlMessage =
  | {
      action: 'welcome';
      data: {
        user: string | null;
        room: string;
        peers: string[];
        token: string | null;
        push: { publicKey: string } | null;
        /** For RTCPeerConnection, built for the address this client reached the server on. */
        iceServers: IceServer[];
      };
    }
  | { action: 'peer-joined' | 'peer-left'; data: { user: string } }
  | { action: 'error'; data: { code: ErrorCode; message: string; ref: string | number | null } }
  | { action: 'queued' | 'expired'; data: { to: string; ref: string | number | null } }
  | {
      action: 'push-result';
      data: { to: string; ok: boolean; status: number | null; ref: string | number | null; message?: string };
    }
  | { action: 'push-subscribed' | 'push-unsubscribed'; data: { ref: string | number | null } };

/** Serialises a v2 control message. */
export function control(msg: ControlMessage): string {
  return JSON.stringify({ protocol: 'server', action: msg.action, data: msg.data });
}

/** A v2 `error` control message. */
export function errorMessage(
  code: ErrorCode,
  ref: string | number | null = null,
  message = errorMessages[code],
): string {
  return control({ action: 'error', data: { code, message, ref } });
}

// Unicode control (Cc) and format (Cf) characters: C0/C1 controls, bidi overrides, BOM, zero-width
// spaces. They make names that look alike or read backwards (in the peer list and OS notifications).
const controlOrFormat = /[\p{Cc}\p{Cf}]/u;
// The one Cf character real names need: the zero-width joiner inside an emoji sequence (👨‍👩‍👧).
const emojiJoiner = /(?<=[\p{Extended_Pictographic}\uFE0F])\u200D(?=\p{Extended_Pictographic})/gu;
const onlyWhitespace = /^\s+$/u;

/**
 * Names and rooms: `min` to `max` code points, no Unicode control or format characters (categories Cc,
 * Cf; a ZWJ inside an emoji sequence is allowed), and not whitespace only.
 */
export function isValidName(s: string, min: number, max = 64): boolean {
  if (controlOrFormat.test(s.replace(emojiJoiner, '')) || onlyWhitespace.test(s)) return false;
  let n = 0;
  for (const _ of s) if (++n > max) return false;
  return n >= min;
}

/**
 * The key under which v2 compares names for uniqueness: NFC-normalised and lower-cased, so "Zoë" typed
 * precomposed or decomposed, and "Ana" and "ana", are the same person. Display keeps what was typed.
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * The bytes a v2 recipient gets: the sender's object with `"from"` appended as its last member. JSON.parse
 * keeps the last of duplicate keys, so a `from` the sender wrote loses, and every other member keeps its
 * exact text. `raw` is a JSON object (it parsed), so its last non-whitespace byte is `}`.
 */
export function stampFrom(raw: Buffer, fromSuffix: Buffer): Buffer {
  const head = beforeClosingBrace(raw);
  return Buffer.concat([head, fromSuffix], head.length + fromSuffix.length);
}

/** `raw` (a JSON object) up to its closing brace, where stampFrom appends `,"from":NAME}`. No copy. */
export function beforeClosingBrace(raw: Buffer): Buffer {
  let end = raw.length - 1;
  while (end > 0 && raw[end] !== 0x7d) end--;
  // `{}` cannot reach here (it has no protocol), so a member precedes the brace and the comma is valid.
  return raw.subarray(0, end);
}

/** `,"from":NAME}` for a sender, built once per connection. */
export function fromSuffixFor(name: string | null): Buffer {
  return Buffer.from(`,"from":${JSON.stringify(name)}}`);
}
