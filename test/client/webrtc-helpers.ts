// Shared by the werift conversation tests and the browser e2e tests.
import { createHash } from 'node:crypto';
import { RTCPeerConnection as WeriftPeerConnection } from 'werift';
import type { RTCPeerConnectionConstructor } from '../../renderer/client/index.js';
import { BLOCK_BYTES } from '../../renderer/web-client/src/transfer/constants.js';

/** An ICE candidate pair as werift hands it to `iceFilterCandidatePair`. */
interface WeriftPair {
  localCandidate: { host: string };
  remoteCandidate: { host: string };
}

/**
 * werift on loopback needs its address added explicitly (probes.md section 2). It checks loopback pairs
 * only: other tests add and remove veth addresses in this namespace while it runs (attachPeerHost), and a
 * pair on an address that vanishes mid-transfer would hang the conversation.
 */
export const weriftOptions = {
  RTCPeerConnection: WeriftPeerConnection as unknown as RTCPeerConnectionConstructor,
  configuration: {
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    iceFilterCandidatePair: (pair: WeriftPair) =>
      pair.localCandidate.host === '127.0.0.1' && pair.remoteCandidate.host === '127.0.0.1',
  },
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
