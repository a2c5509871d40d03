// What the page shows about one file transfer.

/**
 * out: queued → waiting (offer sent) → sending → verifying → done | failed | declined | cancelled
 * in:  offered → receiving → verifying → done | failed | declined | cancelled
 */
export type TransferState =
  | 'queued'
  | 'waiting'
  | 'offered'
  | 'sending'
  | 'receiving'
  | 'verifying'
  | 'done'
  | 'failed'
  | 'declined'
  | 'cancelled';

export const finalStates: ReadonlySet<TransferState> = new Set(['done', 'failed', 'declined', 'cancelled']);

export interface Transfer {
  readonly id: string;
  readonly direction: 'out' | 'in';
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  /** Bytes through so far (sent and drained from the channel's buffer, or received). */
  bytes: number;
  state: TransferState;
  /** Why it failed, was declined or cancelled, in words for the user. */
  reason: string | null;
  /** Checksum (hex) once computed: the sender's after sending, the receiver's after verifying. */
  checksum: string | null;
  /** The received file, once verified. */
  blob: Blob | null;
  /** ms (performance clock) when bytes started flowing and when it ended. */
  startedAt: number | null;
  finishedAt: number | null;
}

export function newTransfer(
  direction: 'out' | 'in',
  id: string,
  name: string,
  size: number,
  mime: string,
  state: TransferState,
): Transfer {
  return {
    id,
    direction,
    name,
    size,
    mime,
    bytes: 0,
    state,
    reason: null,
    checksum: null,
    blob: null,
    startedAt: null,
    finishedAt: null,
  };
}

/** `12.3 MB`-style size for people. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
