// Shared by the werift conversation tests and the browser e2e tests.
import { createHash } from 'node:crypto';
import { RTCPeerConnection as WeriftPeerConnection } from 'werift';
import type { RTCPeerConnectionConstructor } from '../../renderer/client/index.js';
import { BLOCK_BYTES } from '../../renderer/web-client/src/transfer/constants.js';

/** werift on loopback needs its address added explicitly (probes.md section 2). */
export const weriftOptions = {
  RTCPeerConnection: WeriftPeerConnection as unknown as RTCPeerConnectionConstructor,
  configuration: { iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false },
};

/** The checksum the web client computes: SHA-256 over the SHA-256 of each 1 MiB block. */
export function expectedChecksum(data: Uint8Array): string {
  const outer = createHash('sha256');
  for (let o = 0; o < data.length; o += BLOCK_BYTES)
    outer.update(
      createHash('sha256')
        .update(data.subarray(o, o + BLOCK_BYTES))
        .digest(),
    );
  return outer.digest('hex');
}
