// Which peers a client may relay to: only addresses in the allow list (by default the LAN's private,
// link-local and unique-local ranges), never loopback or unspecified addresses, and never one of this
// server's own ports (so the relay cannot be turned against itself or the signaling server).
import { BlockList, isIP } from 'node:net';

export class PeerPolicy {
  readonly #allow = new BlockList();

  constructor(
    allowPeers: readonly string[],
    /** True when (address, port) is a port of this server on one of its own addresses. */
    private readonly ownPort: (address: string, port: number) => boolean,
  ) {
    for (const c of allowPeers) {
      const [net, bits] = c.split('/') as [string, string];
      this.#allow.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** Whether a permission for `address` may be installed. */
  addressAllowed(address: string): boolean {
    const fam = isIP(address);
    if (fam === 0) return false;
    if (fam === 4) {
      if (address.startsWith('127.') || address === '0.0.0.0' || address === '255.255.255.255') return false;
      return this.#allow.check(address, 'ipv4');
    }
    const lower = address.toLowerCase();
    if (lower === '::1' || lower === '::') return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped) return this.addressAllowed(mapped[1]!);
    return this.#allow.check(lower, 'ipv6');
  }

  /** Whether a channel may be bound to, or data sent to, (address, port). Port 0 is allowed (coturn's clients bind it) but never sent to. */
  peerAllowed(address: string, port: number): boolean {
    return this.addressAllowed(address) && !this.ownPort(address, port);
  }
}
