// What a file sender or receiver needs from its conversation (the DataChannel and the view).
import type { ChannelMessage } from '../channel-protocol.js';
import type { Transfer } from './types.js';

export interface TransferPort {
  control(m: ChannelMessage): void;
  binary(bytes: Uint8Array): void;
  /** Bytes queued in the channel, not yet sent. */
  buffered(): number;
  /** Resolves true once the channel's buffer drains below the low-water mark, false if it closes first. */
  drained(): Promise<boolean>;
  /** The transfer changed (`progress`: only its byte count). */
  changed(t: Transfer, progress: boolean): void;
  /** ms, monotonic. */
  now(): number;
}

/** Ends a transfer in a final state. */
export function finish(
  port: TransferPort,
  t: Transfer,
  state: 'done' | 'failed' | 'declined' | 'cancelled',
  reason: string | null = null,
): void {
  t.state = state;
  t.reason = reason;
  t.finishedAt = port.now();
  port.changed(t, false);
}
