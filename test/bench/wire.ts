// How a client of each server under test registers, addresses a peer, and checks what it receives.

/** The client side of one server under test. */
export type Dialect = 'rustysignal-v1' | 'rustysignal-v2' | 'bare' | 'peerjs';

/** A frame as the generator sent it: the exact text plus the fields a receiver checks against. */
export interface SentFrame {
  text: string;
  from: string;
  /** null for a broadcast. */
  to: string | null;
  body: string;
  /** What the receiver most likely gets (see WireAdapter.expected): compared first, so checking costs
   *  every dialect the same (one string comparison) and does not slow the generator for some servers. */
  expected: string;
}

export interface WireAdapter {
  dialect: Dialect;
  /** The WebSocket URL a client named `name` connects to. */
  url(port: number, name: string): string;
  /** The server message that confirms registration; null: registered once the upgrade completes. */
  greeting: ((text: string) => boolean) | null;
  /** Server messages that are not relayed traffic (greetings, presence), skipped by receivers. */
  isControl(text: string): boolean;
  oneToOne(from: string, to: string, body: string): string;
  /** null: the server has no broadcast. */
  broadcast: ((from: string, body: string) => string) | null;
  /** A broadcast comes back to its sender too. */
  broadcastEchoesSender: boolean;
  /** Whether a delivered frame must equal the sent text byte for byte. */
  byteExact: boolean;
  /** The exact text a correct server delivers for `sent` in the common case. */
  expected(sent: Omit<SentFrame, 'expected'>): string;
  /** True when `received` is a correct delivery of `sent` (the full check, used when `expected` differs). */
  matches(received: string, sent: SentFrame): boolean;
}

/** True when `received` is a correct delivery of `sent`: the cheap comparison first, then the adapter's check. */
export function delivered(adapter: WireAdapter, received: string, sent: SentFrame): boolean {
  return received === sent.expected || adapter.matches(received, sent);
}

const exact = (received: string, sent: SentFrame) => received === sent.text;

const rustysignalV1: WireAdapter = {
  dialect: 'rustysignal-v1',
  url: (port, name) => `ws://127.0.0.1:${port}/?user=${encodeURIComponent(name)}`,
  greeting: null,
  isControl: () => false,
  oneToOne: (_from, to, body) => JSON.stringify({ protocol: 'one-to-one', endpoint: to, action: 'bench', data: body }),
  broadcast: (_from, body) => JSON.stringify({ protocol: 'one-to-all', action: 'bench', data: body }),
  broadcastEchoesSender: true,
  byteExact: true,
  expected: (sent) => sent.text,
  matches: exact,
};

const rustysignalV2: WireAdapter = {
  ...rustysignalV1,
  dialect: 'rustysignal-v2',
  url: (port, name) => `ws://127.0.0.1:${port}/?v=2&user=${encodeURIComponent(name)}`,
  greeting: (text) => text.includes('"action":"welcome"'),
  isControl: (text) => text.includes('"protocol":"server"'),
  broadcastEchoesSender: false,
  byteExact: false,
  // The server may stamp by appending the member (docs/protocol.md), which is what `expected` assumes.
  expected: (sent) => `${sent.text.slice(0, -1)},"from":${JSON.stringify(sent.from)}}`,
  // v2 recipients get the object with the server's "from"; every other member must be unchanged.
  matches(received, sent) {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(received) as Record<string, unknown>;
    } catch {
      return false;
    }
    if (o['from'] !== sent.from) return false;
    delete o['from'];
    return JSON.stringify(o) === sent.text;
  },
};

const bare: WireAdapter = {
  dialect: 'bare',
  url: (port, name) => `ws://127.0.0.1:${port}/?user=${encodeURIComponent(name)}`,
  greeting: null,
  isControl: () => false,
  oneToOne: (_from, to, body) => JSON.stringify({ to, data: body }),
  broadcast: (_from, body) => JSON.stringify({ to: '*', data: body }),
  broadcastEchoesSender: true,
  byteExact: true,
  expected: (sent) => sent.text,
  matches: exact,
};

const peerjs: WireAdapter = {
  dialect: 'peerjs',
  url: (port, name) =>
    `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${encodeURIComponent(name)}&token=t${encodeURIComponent(name)}`,
  greeting: (text) => text.startsWith('{"type":"OPEN"'),
  isControl: (text) => text.startsWith('{"type":"OPEN"') || text.startsWith('{"type":"HEARTBEAT"'),
  oneToOne: (_from, to, body) => JSON.stringify({ type: 'OFFER', dst: to, payload: body }),
  broadcast: null,
  broadcastEchoesSender: false,
  byteExact: false,
  // The server rebuilds {type, src, dst, payload} and stringifies it.
  expected: (sent) => JSON.stringify({ type: 'OFFER', src: sent.from, dst: sent.to, payload: sent.body }),
  // PeerJS re-serialises every message with the sender's id as "src".
  matches(received, sent) {
    try {
      const o = JSON.parse(received) as Record<string, unknown>;
      return o['type'] === 'OFFER' && o['src'] === sent.from && o['dst'] === sent.to && o['payload'] === sent.body;
    } catch {
      return false;
    }
  },
};

export const adapters: Record<Dialect, WireAdapter> = {
  'rustysignal-v1': rustysignalV1,
  'rustysignal-v2': rustysignalV2,
  bare,
  peerjs,
};

const SEQ_DIGITS = 10;

/**
 * Builds frames of exactly `frameBytes` bytes (as sent; ASCII only) from one sender, whose body starts with the
 * sequence number so every frame is distinct. Frames never shrink below their fixed part.
 */
export function frameMaker(
  adapter: WireAdapter,
  build: (body: string) => string,
  from: string,
  to: string | null,
  frameBytes: number,
): (seq: number) => SentFrame {
  const fixed = build('0'.repeat(SEQ_DIGITS) + ':').length;
  const pad = 'x'.repeat(Math.max(0, frameBytes - fixed));
  return (seq) => {
    const body = String(seq).padStart(SEQ_DIGITS, '0') + ':' + pad;
    const f = { text: build(body), from, to, body };
    return { ...f, expected: adapter.expected(f) };
  };
}
