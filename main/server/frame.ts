// Server → client WebSocket text frames built in one buffer (RFC 6455 section 5.2: FIN, opcode 1, no mask,
// then the payload length in 7, 7+16 or 7+64 bits). A relayed message is written to the socket as one
// buffer: one write, instead of ws's header and payload written separately under a cork.

const noSuffix = new Uint8Array(0);

/** A ping without payload (FIN, opcode 9, length 0): the heartbeat writes this one buffer to every socket. */
export const pingFrame: Buffer = Buffer.from([0x89, 0x00]);

/** The frame header's size for a payload of `n` bytes. */
function headerSize(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

/**
 * One final, unmasked text frame carrying `payload` followed by `suffix` (empty by default): a v2 recipient's
 * `from` stamp is appended here, so stamping and framing copy the bytes once.
 */
export function textFrame(payload: Uint8Array, suffix: Uint8Array = noSuffix): Buffer {
  const n = payload.length + suffix.length;
  const h = headerSize(n);
  const frame = Buffer.allocUnsafe(h + n);
  frame[0] = 0x81;
  if (h === 2) frame[1] = n;
  else if (h === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  frame.set(payload, h);
  if (suffix.length > 0) frame.set(suffix, h + payload.length);
  return frame;
}
