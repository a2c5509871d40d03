// Receives the files a peer offers: one at a time, bytes collected into Blob parts (which browsers may
// keep on disk), checked against the announced size and checksum before the file is offered to the user.
import type { ChannelMessage } from '../channel-protocol.js';
import { BlockChecksum } from './checksum.js';
import { ACK_EVERY_BYTES, BLOCK_BYTES } from './constants.js';
import { t as msg } from '../i18n/index.js';
import { finish, type TransferPort } from './port.js';
import { finalStates, formatBytes, newTransfer, type Transfer } from './types.js';

interface Active {
  t: Transfer;
  checksum: BlockChecksum;
  /** Finished parts (1 MiB and up), and the chunks of the part being filled. */
  parts: Blob[];
  chunks: Uint8Array[];
  chunkBytes: number;
  /** Bytes the sender was last told about (file-progress). */
  acked: number;
}

export class FileReceiver {
  readonly #transfers = new Map<string, Transfer>();
  #active: Active | null = null;

  constructor(
    private readonly port: TransferPort,
    private readonly peer: string,
  ) {}

  /** The peer offers a file; it waits for `accept` or `decline`. */
  offered(m: Extract<ChannelMessage, { t: 'file-offer' }>): Transfer {
    const t = newTransfer(
      'in',
      m.id,
      m.name.slice(0, 255) || 'file',
      m.size,
      // Shown for information only: the saved file never gets the peer's type (see done()).
      typeof m.mime === 'string' ? m.mime.slice(0, 100) : 'application/octet-stream',
      'offered',
    );
    this.#transfers.set(t.id, t);
    this.port.changed(t, false);
    return t;
  }

  accept(t: Transfer): void {
    if (t.state !== 'offered') return;
    if (this.#active) return finish(this.port, t, 'failed', msg.busyReceiving);
    this.#active = { t, checksum: new BlockChecksum(), parts: [], chunks: [], chunkBytes: 0, acked: 0 };
    t.state = 'receiving';
    t.startedAt = this.port.now();
    this.port.changed(t, false);
    this.port.control({ t: 'file-accept', id: t.id });
  }

  decline(t: Transfer): void {
    if (t.state !== 'offered') return;
    this.port.control({ t: 'file-decline', id: t.id });
    finish(this.port, t, 'declined', msg.youDeclined);
  }

  /** Cancels from this side. */
  cancel(t: Transfer): void {
    if (t.state === 'offered') return this.decline(t);
    if (finalStates.has(t.state)) return;
    this.port.control({ t: 'file-cancel', id: t.id, reason: 'cancelled by the receiver' });
    if (this.#active?.t === t) this.#active = null;
    finish(this.port, t, 'cancelled', msg.youCancelled);
  }

  /** Bytes of the file being received. */
  bytes(data: Uint8Array): void {
    const a = this.#active;
    if (!a || a.t.state !== 'receiving') return;
    const t = a.t;
    if (t.bytes + data.length > t.size) return this.#fail(a, msg.moreThanAnnounced(this.peer, formatBytes(t.size)));
    a.checksum.update(data);
    a.chunks.push(data);
    a.chunkBytes += data.length;
    if (a.chunkBytes >= BLOCK_BYTES) this.#seal(a);
    t.bytes += data.length;
    // The sender shows what arrived here, not what left its buffer.
    if (t.bytes - a.acked >= ACK_EVERY_BYTES || t.bytes === t.size) {
      a.acked = t.bytes;
      this.port.control({ t: 'file-progress', id: t.id, bytes: t.bytes });
    }
    this.port.changed(t, true);
  }

  /** The sender says it sent everything: check size and checksum. */
  async done(m: Extract<ChannelMessage, { t: 'file-done' }>): Promise<void> {
    const a = this.#active;
    if (!a || a.t.id !== m.id || a.t.state !== 'receiving') return;
    const t = a.t;
    if (m.size !== t.size || t.bytes !== t.size) {
      return this.#fail(a, msg.incomplete(formatBytes(t.bytes), formatBytes(t.size)));
    }
    t.state = 'verifying';
    this.port.changed(t, false);
    const local = await a.checksum.digest();
    if (t.state !== 'verifying') return;
    t.checksum = local;
    if (local !== m.checksum) return this.#fail(a, msg.mismatch);
    this.#seal(a);
    // Always a plain download: a peer-chosen type (text/html, image/svg+xml) must never make it render.
    t.blob = new Blob(a.parts, { type: 'application/octet-stream' });
    this.#active = null;
    this.port.control({ t: 'file-verdict', id: t.id, ok: true });
    finish(this.port, t, 'done');
  }

  /** The sender cancelled. */
  cancelled(id: string, reason: string): void {
    const t = this.#transfers.get(id);
    if (!t || finalStates.has(t.state)) return;
    if (this.#active?.t === t) this.#active = null;
    finish(this.port, t, 'cancelled', msg.peerCancelled(this.peer, reason));
  }

  /** The channel is gone. */
  abort(reason: string): void {
    for (const t of this.#transfers.values()) {
      if (finalStates.has(t.state)) continue;
      const got = t.state === 'receiving' ? msg.hadArrived(formatBytes(t.bytes), formatBytes(t.size)) : '';
      finish(this.port, t, 'failed', `${reason}${got}`);
    }
    this.#active = null;
  }

  #seal(a: Active): void {
    if (a.chunks.length === 0) return;
    a.parts.push(new Blob(a.chunks as Uint8Array<ArrayBuffer>[]));
    a.chunks = [];
    a.chunkBytes = 0;
  }

  #fail(a: Active, reason: string): void {
    this.#active = null;
    this.port.control({ t: 'file-verdict', id: a.t.id, ok: false, reason });
    finish(this.port, a.t, 'failed', reason);
  }
}
