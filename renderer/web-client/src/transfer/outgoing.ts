// Sends files one after another: offer, wait for the peer's answer, stream the bytes with backpressure,
// then wait for the peer's verdict on size and checksum.
import { BlockChecksum } from './checksum.js';
import { BLOCK_BYTES, CHUNK_BYTES, HIGH_WATER_BYTES } from './constants.js';
import { randomId } from './ids.js';
import { finish, type TransferPort } from './port.js';
import { finalStates, formatBytes, newTransfer, type Transfer } from './types.js';
import { t as msg } from '../i18n/index.js';

type Answer =
  | { kind: 'accept' }
  | { kind: 'decline' }
  | { kind: 'cancel'; reason: string }
  | { kind: 'verdict'; ok: boolean; reason: string | null }
  | { kind: 'aborted' };

export class FileSender {
  readonly #queue: Array<{ t: Transfer; blob: Blob }> = [];
  readonly #waiters = new Map<string, (a: Answer) => void>();
  /** Every transfer this side offered, for the receiver's progress reports. */
  readonly #transfers = new Map<string, Transfer>();
  #busy = false;

  constructor(
    private readonly port: TransferPort,
    /** The peer's name, for messages such as "bob declined". */
    private readonly peer: string,
  ) {}

  /** Queues `blob` for sending; returns its transfer record. */
  enqueue(blob: Blob, name: string, mime = blob.type || 'application/octet-stream'): Transfer {
    const t = newTransfer('out', randomId(), name, blob.size, mime, 'queued');
    this.#queue.push({ t, blob });
    this.#transfers.set(t.id, t);
    this.port.changed(t, false);
    void this.#pump();
    return t;
  }

  /** The peer answered (accept, decline, cancel or verdict) about transfer `id`. */
  answer(id: string, a: Answer): void {
    this.#waiters.get(id)?.(a);
  }

  /** The receiver reports how many bytes of transfer `id` it has (never more than the size, never backwards). */
  progress(id: string, bytes: number): void {
    const t = this.#transfers.get(id);
    if (!t || (t.state !== 'sending' && t.state !== 'verifying')) return;
    const b = Math.min(t.size, Math.max(t.bytes, bytes));
    if (b === t.bytes) return;
    t.bytes = b;
    this.port.changed(t, b !== t.size);
  }

  /** Cancels from this side. */
  cancel(t: Transfer): void {
    if (finalStates.has(t.state)) return;
    if (t.state !== 'queued') this.port.control({ t: 'file-cancel', id: t.id, reason: 'cancelled by the sender' });
    finish(this.port, t, 'cancelled', msg.youCancelled);
    this.#waiters.get(t.id)?.({ kind: 'aborted' });
  }

  /** The channel is gone: every unfinished transfer fails with `reason`. */
  abort(reason: string): void {
    this.#abortReason = reason;
    for (const { t } of this.#queue) if (!finalStates.has(t.state)) finish(this.port, t, 'failed', reason);
    this.#queue.length = 0;
    for (const w of [...this.#waiters.values()]) w({ kind: 'aborted' });
  }
  #abortReason: string | null = null;

  #lost(t: Transfer): void {
    if (!finalStates.has(t.state))
      finish(this.port, t, 'failed', this.#abortReason ?? msg.lostAfter(formatBytes(t.bytes), formatBytes(t.size)));
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        if (next.t.state === 'queued') await this.#sendOne(next.t, next.blob);
      }
    } finally {
      this.#busy = false;
    }
  }

  #next(id: string): Promise<Answer> {
    return new Promise((resolve) =>
      this.#waiters.set(id, (a) => {
        this.#waiters.delete(id);
        resolve(a);
      }),
    );
  }

  async #sendOne(t: Transfer, blob: Blob): Promise<void> {
    t.state = 'waiting';
    this.port.changed(t, false);
    const answered = this.#next(t.id);
    this.port.control({ t: 'file-offer', id: t.id, name: t.name, size: t.size, mime: t.mime });
    const a = await answered;
    if (a.kind === 'decline') return finish(this.port, t, 'declined', msg.peerDeclined(this.peer));
    if (a.kind === 'cancel') return finish(this.port, t, 'cancelled', msg.peerCancelled(this.peer, a.reason));
    if (a.kind !== 'accept') return this.#lost(t);
    t.state = 'sending';
    t.startedAt = this.port.now();
    this.port.changed(t, false);
    const interrupted = this.#next(t.id);
    const checksum = await this.#stream(t, blob, interrupted);
    if (checksum === null) return;
    t.checksum = checksum;
    t.state = 'verifying';
    this.port.changed(t, false);
    const verdict = this.#next(t.id);
    this.port.control({ t: 'file-done', id: t.id, size: t.size, checksum });
    const v = await verdict;
    if (v.kind === 'verdict')
      return v.ok
        ? finish(this.port, t, 'done')
        : finish(this.port, t, 'failed', msg.notVerified(this.peer, v.reason ?? msg.noReason));
    if (v.kind === 'cancel') return finish(this.port, t, 'cancelled', msg.peerCancelled(this.peer, v.reason));
    this.#lost(t);
  }

  /** Streams the bytes; returns the checksum, or null when the transfer ended early. */
  async #stream(t: Transfer, blob: Blob, interrupted: Promise<Answer>): Promise<string | null> {
    let stop: Answer | null = null;
    void interrupted.then((a) => (stop = a));
    const checksum = new BlockChecksum();
    for (let offset = 0; offset < t.size; offset += BLOCK_BYTES) {
      const block = new Uint8Array(await blob.slice(offset, offset + BLOCK_BYTES).arrayBuffer());
      if (block.length !== Math.min(BLOCK_BYTES, t.size - offset)) {
        finish(this.port, t, 'failed', msg.unreadable);
        this.port.control({ t: 'file-cancel', id: t.id, reason: 'the sender could not read the file' });
        return null;
      }
      checksum.updateBlock(block);
      for (let i = 0; i < block.length; i += CHUNK_BYTES) {
        if (this.port.buffered() > HIGH_WATER_BYTES && !(await this.port.drained())) stop ??= { kind: 'aborted' };
        if (stop !== null || t.state !== 'sending') return this.#stopped(t, stop);
        const chunk = block.subarray(i, i + CHUNK_BYTES);
        this.port.binary(chunk);
      }
    }
    // t.bytes follows the receiver's file-progress reports (progress()), not this side's buffer.
    return checksum.digest();
  }

  #stopped(t: Transfer, stop: Answer | null): null {
    if (finalStates.has(t.state)) return null;
    if (stop?.kind === 'cancel') finish(this.port, t, 'cancelled', msg.peerCancelled(this.peer, stop.reason));
    else if (stop?.kind === 'verdict')
      finish(this.port, t, 'failed', msg.stopped(this.peer, stop.reason ?? msg.noReason));
    else this.#lost(t);
    return null;
  }
}
