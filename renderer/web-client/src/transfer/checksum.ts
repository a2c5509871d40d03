// The transfer checksum: SHA-256 over the concatenated SHA-256 digests of each 1 MiB block, computed with
// crypto.subtle. Hashing per block keeps memory bounded (subtle.digest is not incremental) and lets both
// sides hash while the bytes flow.
import { BLOCK_BYTES } from './constants.js';
import { sha256 } from './sha256.js';

/** SHA-256 with crypto.subtle, or in script where the page is not a secure context (no crypto.subtle). */
export async function sha256Digest(bytes: Uint8Array): Promise<ArrayBuffer> {
  const subtle = (globalThis.crypto as Crypto | undefined)?.subtle;
  if (subtle) return subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return sha256(bytes).buffer as ArrayBuffer;
}

export function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Collects block digests in order and yields the final checksum (hex). */
export class BlockChecksum {
  readonly #digests: Promise<ArrayBuffer>[] = [];
  readonly #block = new Uint8Array(BLOCK_BYTES);
  #fill = 0;

  /** Feeds bytes in file order (any split). */
  update(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(bytes.length - offset, BLOCK_BYTES - this.#fill);
      this.#block.set(bytes.subarray(offset, offset + n), this.#fill);
      this.#fill += n;
      offset += n;
      if (this.#fill === BLOCK_BYTES) this.#flush();
    }
  }

  /** Feeds exactly one whole block (or the final short one) without copying. */
  updateBlock(block: Uint8Array): void {
    if (this.#fill !== 0) throw new Error('updateBlock after a partial update');
    this.#digests.push(sha256Digest(block));
  }

  async digest(): Promise<string> {
    if (this.#fill > 0) this.#flush();
    const parts = await Promise.all(this.#digests);
    const all = new Uint8Array(parts.length * 32);
    parts.forEach((p, i) => all.set(new Uint8Array(p), i * 32));
    return toHex(await sha256Digest(all));
  }

  #flush(): void {
    // slice() copies, so the block buffer can be refilled while the digest runs.
    this.#digests.push(sha256Digest(this.#block.slice(0, this.#fill)));
    this.#fill = 0;
  }
}
