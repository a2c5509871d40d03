// Sizes of the file transfer over a DataChannel.

/** Bytes per DataChannel message: 16 KiB is what every WebRTC stack (browsers, werift) accepts. */
export const CHUNK_BYTES = 16 * 1024;
/** Bytes per checksum block: each block is hashed on its own, so memory stays bounded for any file size. */
export const BLOCK_BYTES = 1024 * 1024;
/** Stop sending while this much is queued in the channel... */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** ...and resume when it drains below this (the channel's bufferedAmountLowThreshold). */
export const LOW_WATER_BYTES = 256 * 1024;
/** The receiver reports the bytes it has every this many (and at the end): the sender's progress follows it. */
export const ACK_EVERY_BYTES = 64 * 1024;
