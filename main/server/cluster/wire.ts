// What nodes send each other. Presence events are JSON (rare); messages are bytes with a short header,
// so a relayed frame is never parsed or re-serialised on its way through Redis. Header fields are names,
// rooms, node ids or a `,"from":NAME}` suffix: none can hold a \0 (control characters are refused), so \0
// ends each of them and the frame follows unchanged.
import type { Dialect } from '../protocol.js';

export type PresenceEvent =
  | { t: 'join'; n: string; f: string; d: Dialect }
  | { t: 'leave'; n: string; f: string }
  /** `f` now belongs to node `n`; node `p` closes its connection `c` (4001). */
  | { t: 'resume'; n: string; f: string; d: Dialect; p: string; c: string }
  /** `s`: it stopped normally (else it stopped answering and was reaped). */
  | { t: 'gone'; n: string; s?: boolean }
  | { t: 'push'; n: string; f: string }
  /** Every name node `n` holds now, [field, dialect] (replaces what others knew of it). */
  | { t: 'sync'; n: string; p: Array<[string, Dialect]> }
  /** Node `n` (re)joined: every other node answers with its sync. */
  | { t: 'hello'; n: string }
  /** Room `r`'s controls are now record `v` (cluster/room-policies.ts). */
  | { t: 'room'; n: string; r: string; v: string };

const kinds = new Set(['join', 'leave', 'resume', 'gone', 'push', 'sync', 'hello', 'room']);

/** Parses a presence event; null for anything else (never throws). */
export function parsePresence(text: string): PresenceEvent | null {
  try {
    const e = JSON.parse(text) as { t?: unknown; n?: unknown; f?: unknown; d?: unknown };
    if (typeof e !== 'object' || e === null || !kinds.has(e.t as string) || typeof e.n !== 'string') return null;
    if (e.t === 'sync') {
      // Lua's cjson writes an empty list as {}.
      const p = (e as { p?: unknown }).p;
      const list = Array.isArray(p) ? p : [];
      const ok = list.every((x) => Array.isArray(x) && typeof x[0] === 'string' && (x[1] === 1 || x[1] === 2));
      return ok ? { t: 'sync', n: e.n, p: list as Array<[string, Dialect]> } : null;
    }
    if (e.t === 'room') {
      const { r, v } = e as { r?: unknown; v?: unknown };
      return typeof r === 'string' && typeof v === 'string' ? { t: 'room', n: e.n, r, v } : null;
    }
    if (e.t !== 'gone' && e.t !== 'hello' && typeof e.f !== 'string') return null;
    if ((e.t === 'join' || e.t === 'resume') && e.d !== 1 && e.d !== 2) return null;
    return e as PresenceEvent;
  } catch {
    return null;
  }
}

const NUL = 0;

/** A one-to-one frame for ROOM/NAME on the target's node: `ROOM\0NAME\0FRAME`. */
export function encodeDirect(room: string, name: string, frame: Buffer | string): Buffer {
  const head = Buffer.from(`${room}\u0000${name}\u0000`);
  const body = typeof frame === 'string' ? Buffer.from(frame) : frame;
  return Buffer.concat([head, body], head.length + body.length);
}

export function decodeDirect(msg: Buffer): { room: string; name: string; frame: Buffer } | null {
  const a = msg.indexOf(NUL);
  const b = a < 0 ? -1 : msg.indexOf(NUL, a + 1);
  if (b < 0) return null;
  return { room: msg.toString('utf8', 0, a), name: msg.toString('utf8', a + 1, b), frame: msg.subarray(b + 1) };
}

/** A one-to-all for a room channel: `NODE\0FROMSUFFIX\0RAW` (the sender's node skips its own). */
export function encodeBroadcast(node: Buffer, fromSuffix: Buffer, raw: Buffer): Buffer {
  return Buffer.concat([node, fromSuffix, Buffer.of(NUL), raw]);
}

/** `node` is the receiving node's `NODE\0`, to recognise its own broadcasts without decoding them. */
export function decodeBroadcast(msg: Buffer, node: Buffer): { fromSuffix: Buffer; raw: Buffer } | null {
  if (msg.length >= node.length && msg.compare(node, 0, node.length, 0, node.length) === 0) return null;
  const a = msg.indexOf(NUL);
  const b = a < 0 ? -1 : msg.indexOf(NUL, a + 1);
  if (b < 0) return null;
  return { fromSuffix: msg.subarray(a + 1, b), raw: msg.subarray(b + 1) };
}
