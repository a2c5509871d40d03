// An optional video call on top of a conversation's link: tracks are added to the same RTCPeerConnection
// and the link renegotiates by itself (perfect negotiation).
import { Emitter } from '../../client/index.js';
import type { Conversation } from './conversation.js';
import { t } from './i18n/index.js';

export interface CallEvents {
  [k: string]: unknown[];
  change: [];
}

/** Cameras need a secure context (https:// or localhost); on plain http:// browsers hide mediaDevices. */
export function callsAvailable(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

export class CallController extends Emitter<CallEvents> {
  local: MediaStream | null = null;
  remote: MediaStream | null = null;
  /** Why starting the camera failed, in words; null when it did not. */
  problem: string | null = null;
  #senders: RTCRtpSender[] = [];

  constructor(readonly conversation: Conversation) {
    super();
    conversation.link.on('track', (ev) => {
      this.remote = ev.streams[0] ?? this.remote ?? new MediaStream();
      if (!this.remote.getTracks().includes(ev.track)) this.remote.addTrack(ev.track);
      this.emit('change');
    });
    conversation.on('call-end', () => this.#ended(false));
    conversation.on('state', (s) => s === 'closed' && this.#ended(false));
  }

  get active(): boolean {
    return this.local !== null || this.remote !== null;
  }

  /** Turns this side's camera and microphone on (starts the call, or joins the peer's). */
  async start(): Promise<void> {
    if (this.local) return;
    this.problem = null;
    try {
      this.local = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (err) {
      const name = (err as DOMException).name;
      this.problem =
        name === 'NotAllowedError'
          ? t.cameraRefused
          : name === 'NotFoundError'
            ? t.cameraMissing
            : t.cameraFailed(name || String(err));
      this.emit('change');
      return;
    }
    this.#senders = this.conversation.link.addMedia(this.local);
    this.emit('change');
  }

  /** Ends the call on both sides. */
  end(): void {
    this.#ended(true);
  }

  #ended(tellPeer: boolean): void {
    if (!this.active) return;
    this.conversation.link.removeMedia(this.#senders);
    this.#senders = [];
    this.local?.getTracks().forEach((t) => t.stop());
    this.local = null;
    this.remote = null;
    if (tellPeer) this.conversation.sendCallEnd();
    this.emit('change');
  }
}
