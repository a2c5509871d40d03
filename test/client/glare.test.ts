// Both sides of a PeerLink offering at once ("glare"), with the message order forced instead of left to
// timing: two werift links wired to each other directly, the polite side's incoming offer delivered at
// the worst moment, and every negotiation step of the polite side recorded.
import { RTCPeerConnection as WeriftPeerConnection } from 'werift';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerLink, type RTCPeerConnectionConstructor, type RtcSignal } from '../../renderer/client/index.js';
import { isIsolated } from '../support/netns.js';
import { weriftOptions } from './webrtc-helpers.js';

/**
 * A werift connection that appends each description step to `steps` when it completes ('local offer',
 * 'local rollback', 'remote offer', ...), and calls `onOffering` when asked for a local offer.
 */
function recordingPeerConnection(steps: string[], onOffering: () => void): RTCPeerConnectionConstructor {
  const Base = WeriftPeerConnection as unknown as RTCPeerConnectionConstructor;
  return class Recording extends Base {
    override async setLocalDescription(d?: RTCLocalSessionDescriptionInit): Promise<void> {
      if (d?.type === undefined && this.signalingState === 'stable') onOffering();
      await super.setLocalDescription(d);
      steps.push(`local ${d?.type === 'rollback' ? 'rollback' : this.localDescription?.type}`);
    }
    override async setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      await super.setRemoteDescription(d);
      steps.push(`remote ${d.type}`);
    }
  };
}

/** One direction of signaling: in order, asynchronous like a socket, and held back until `release`. */
class Wire {
  readonly sent: RtcSignal[] = [];
  #held: RtcSignal[] | null;
  to: PeerLink | null = null;
  #offered!: () => void;
  /** Resolves when the first offer is sent. */
  readonly offered = new Promise<void>((resolve) => (this.#offered = resolve));
  constructor(held: boolean) {
    this.#held = held ? [] : null;
  }
  send = (p: RtcSignal): void => {
    this.sent.push(p);
    if (p.description?.type === 'offer') this.#offered();
    if (this.#held) this.#held.push(p);
    else setImmediate(() => this.to?.receive(p));
  };
  /** Delivers what was held, synchronously and in order; later payloads flow freely. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const p of held) this.to!.receive(p);
  }
}

const offers = (w: Wire) => w.sent.filter((p) => p.description?.type === 'offer').length;

// werift needs several seconds on two busy cores; the bound only turns a hang into a failure.
function opened(channel: RTCDataChannel, timeoutMs = 25_000): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`channel stayed '${channel.readyState}'`)), timeoutMs);
    channel.addEventListener('open', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// One retry: werift has left a channel 'connecting' for 25 s once in a whole-suite run on two busy cores.
describe.runIf(isIsolated)('PeerLink glare, messages in a forced order (werift)', { timeout: 60_000, retry: 1 }, () => {
  const links: PeerLink[] = [];
  afterEach(() => {
    for (const l of links.splice(0)) l.close();
  });

  it('an offer arriving while the polite side is still setting its own is answered after it, by one explicit rollback', async () => {
    const aToB = new Wire(true);
    const bToA = new Wire(false);
    const steps: string[] = [];
    // The impolite side's offer reaches the polite side the moment that side starts its own offer.
    const b = new PeerLink('ann', true, bToA.send, {
      ...weriftOptions,
      RTCPeerConnection: recordingPeerConnection(steps, () => aToB.release()),
    });
    const a = new PeerLink('ben', false, aToB.send, weriftOptions);
    links.push(a, b);
    aToB.to = b;
    bToA.to = a;

    const channelA = a.createDataChannel('x', { negotiated: true, id: 0 });
    // A's offer first (held on its way to B), then B starts its own.
    await aToB.offered;
    const channelB = b.createDataChannel('x', { negotiated: true, id: 0 });
    await Promise.all([opened(channelA), opened(channelB)]);

    expect(steps).toEqual(['local offer', 'local rollback', 'remote offer', 'local answer']);
    expect([offers(aToB), offers(bToA)]).toEqual([1, 1]);
    expect(bToA.sent.filter((p) => p.description?.type === 'answer').length).toBe(1);
    const got = new Promise<unknown>((resolve) => channelA.addEventListener('message', (ev) => resolve(ev.data)));
    channelB.send('after the glare');
    expect(String(await got)).toBe('after the glare');
  });
});
