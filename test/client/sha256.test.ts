// The script SHA-256 used where crypto.subtle is missing (pages on plain http:// from a LAN address)
// must agree with node:crypto on every padding boundary, and the block checksum must not depend on how
// the bytes were split.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlockChecksum } from '../../renderer/web-client/src/transfer/checksum.js';
import { sha256 } from '../../renderer/web-client/src/transfer/sha256.js';
import { expectedChecksum } from './webrtc-helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256 (script fallback)', () => {
  it('matches node:crypto around every padding boundary and on a large input', () => {
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const data = randomBytes(n);
      expect(hex(sha256(data)), `length ${n}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
    const big = randomBytes(3 * 1024 * 1024 + 7);
    // A view into a larger buffer: offsets must be honoured.
    const view = new Uint8Array(big.buffer, big.byteOffset + 5, 1_000_003);
    expect(hex(sha256(view))).toBe(createHash('sha256').update(view).digest('hex'));
  });
});

describe('BlockChecksum', () => {
  it('gives the same checksum however the bytes are split', async () => {
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024 + 999));
    const whole = new BlockChecksum();
    whole.update(data);
    const pieces = new BlockChecksum();
    for (let o = 0, step = 1; o < data.length; o += step, step = (step * 7 + 3) % 70_000 || 1)
      pieces.update(data.subarray(o, o + step));
    const expected = expectedChecksum(data);
    expect(await whole.digest()).toBe(expected);
    expect(await pieces.digest()).toBe(expected);
    expect(await new BlockChecksum().digest()).toBe(createHash('sha256').update(Buffer.alloc(0)).digest('hex'));
  });
});
