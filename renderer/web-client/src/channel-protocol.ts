// What two web clients say to each other over their DataChannel. Text frames are JSON control messages;
// binary frames are the bytes of the one file currently flowing in that direction.

export type ChannelMessage =
  | { t: 'chat'; text: string; at: number }
  | { t: 'file-offer'; id: string; name: string; size: number; mime: string }
  | { t: 'file-accept'; id: string }
  | { t: 'file-decline'; id: string }
  /** All bytes sent; `checksum` as in transfer/checksum.ts. */
  | { t: 'file-done'; id: string; size: number; checksum: string }
  /** The receiver has `bytes` of the file (every 64 KiB and at the end): the sender's progress. */
  | { t: 'file-progress'; id: string; bytes: number }
  | { t: 'file-cancel'; id: string; reason: string }
  /** The receiver's verdict after checking size and checksum. */
  | { t: 'file-verdict'; id: string; ok: boolean; reason?: string }
  | { t: 'call-end' };

export type ChannelMessageType = ChannelMessage['t'];

const types: ReadonlySet<string> = new Set<ChannelMessageType>([
  'chat',
  'file-offer',
  'file-accept',
  'file-decline',
  'file-done',
  'file-progress',
  'file-cancel',
  'file-verdict',
  'call-end',
]);

/** Parses a text frame; null for anything that is not a known message. */
export function parseChannelMessage(text: string): ChannelMessage | null {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || !types.has((v as { t?: unknown }).t as string)) return null;
    const m = v as ChannelMessage;
    if ('id' in m && typeof m.id !== 'string') return null;
    if (m.t === 'file-offer' && !(typeof m.name === 'string' && Number.isSafeInteger(m.size) && m.size >= 0))
      return null;
    if (m.t === 'chat' && typeof m.text !== 'string') return null;
    if (m.t === 'file-progress' && !Number.isSafeInteger(m.bytes)) return null;
    return m;
  } catch {
    return null;
  }
}

/** The part of RTCDataChannel the conversation uses (browsers and werift both provide it). */
export interface ChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType?: string;
  send(data: string | Uint8Array): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'bufferedamountlow' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  removeEventListener(type: string, listener: (...args: never[]) => void): void;
}
