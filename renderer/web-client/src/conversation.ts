// One conversation with one peer over a WebRTC link: a DataChannel carrying chat and files. DOM-free, so
// a Node peer (werift) can hold the same conversation as a browser.
import { Emitter, type IceDiagnosis, type IceRoute, type LinkCloseReason, type PeerLink } from '../../client/index.js';
import { problemText } from './ice-words.js';
import { parseChannelMessage, type ChannelLike, type ChannelMessage } from './channel-protocol.js';
import { LOW_WATER_BYTES } from './transfer/constants.js';
import { FileReceiver } from './transfer/incoming.js';
import { FileSender } from './transfer/outgoing.js';
import type { TransferPort } from './transfer/port.js';
import type { Transfer } from './transfer/types.js';
import { t as msg } from './i18n/index.js';

/** connecting: negotiating. open: the channel works. interrupted: the network path dropped, ICE may recover. closed: over. */
export type ConversationState = 'connecting' | 'open' | 'interrupted' | 'closed';

export interface ChatEntry {
  from: 'me' | 'peer';
  text: string;
  /** ms since epoch, as the author's clock said. */
  at: number;
}

export interface ConversationEvents {
  [k: string]: unknown[];
  state: [ConversationState];
  chat: [ChatEntry];
  /** A transfer changed (progress updates at most every 100 ms). */
  transfer: [Transfer];
  /** The peer ended the video call. */
  'call-end': [];
  /** The route or the ICE problem changed. */
  ice: [];
}

/** Label and id of the negotiated channel both sides create. */
export const CHANNEL_LABEL = 'rustysignal';
const CHANNEL_ID = 0;
const PROGRESS_EVERY_MS = 100;

export class Conversation extends Emitter<ConversationEvents> {
  readonly channel: ChannelLike;
  /** Kept from an earlier conversation with the same peer when one is passed in (reopening keeps history). */
  readonly chat: ChatEntry[];
  readonly transfers: Transfer[];
  /** ms (performance clock) when the channel opened; null before. */
  openedAt: number | null = null;
  /** Why it closed, in words for the user; null while not closed. */
  closedReason: string | null = null;
  /** How the connection travels (direct or through the server's relay), once connected. */
  route: IceRoute | null = null;
  /** Why it does not connect, once the link reported a stall; cleared when it connects. */
  problem: IceDiagnosis | null = null;
  #state: ConversationState = 'connecting';
  readonly #sender: FileSender;
  readonly #receiver: FileReceiver;
  readonly #lastProgress = new Map<string, number>();
  readonly #now: () => number;

  constructor(
    readonly link: PeerLink,
    options: { now?: () => number; history?: { chat: ChatEntry[]; transfers: Transfer[] } } = {},
  ) {
    super();
    this.chat = options.history?.chat ?? [];
    this.transfers = options.history?.transfers ?? [];
    this.#now = options.now ?? (() => performance.now());
    const peer = link.peer;
    // Negotiated on both sides with the same id: one channel, whoever starts, even when both start at once.
    this.channel = link.createDataChannel(CHANNEL_LABEL, {
      negotiated: true,
      id: CHANNEL_ID,
      ordered: true,
    }) as unknown as ChannelLike;
    this.channel.binaryType = 'arraybuffer';
    this.channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    const port = this.#port();
    this.#sender = new FileSender(port, peer);
    this.#receiver = new FileReceiver(port, peer);
    this.channel.addEventListener('open', () => {
      this.openedAt = this.#now();
      this.#setState('open');
    });
    // The channel closes when the peer closes its side or its page; network failures end the link first.
    this.channel.addEventListener('close', () => this.#end(msg.closeRemote(peer)));
    this.channel.addEventListener('message', (ev) => this.#onData(ev.data));
    link.on('state', (s) => {
      if (s === 'disconnected' && this.#state === 'open') this.#setState('interrupted');
      if (s === 'connected' && this.#state === 'interrupted') this.#setState('open');
    });
    link.on('route', (r) => {
      this.route = r;
      this.problem = null;
      this.emit('ice');
    });
    link.on('stalled', (d) => {
      this.problem = d;
      this.emit('ice');
    });
    link.on('closed', (why) =>
      this.#end(why === 'failed' && link.diagnosis ? problemText(link.diagnosis.problem, peer) : closeText(why, peer)),
    );
  }

  get peer(): string {
    return this.link.peer;
  }
  get state(): ConversationState {
    return this.#state;
  }

  /** Sends a chat line. Throws when the channel is not open. */
  sendChat(text: string): ChatEntry {
    this.#assertOpen();
    const entry: ChatEntry = { from: 'me', text, at: Date.now() };
    this.#send({ t: 'chat', text, at: entry.at });
    this.chat.push(entry);
    this.emit('chat', entry);
    return entry;
  }

  /** Offers a file to the peer (sent once they accept; files go one after another). */
  sendFile(blob: Blob, name = (blob as File).name || 'file'): Transfer {
    this.#assertOpen();
    return this.#sender.enqueue(blob, name);
  }

  accept(t: Transfer): void {
    this.#receiver.accept(t);
  }
  decline(t: Transfer): void {
    this.#receiver.decline(t);
  }
  cancel(t: Transfer): void {
    if (t.direction === 'out') this.#sender.cancel(t);
    else this.#receiver.cancel(t);
  }

  /** Tells the peer the video call ended (tracks are removed by the caller). */
  sendCallEnd(): void {
    if (this.#state === 'open') this.#send({ t: 'call-end' });
  }

  /** Ends the conversation and tells the peer; `reason` is what this side shows. */
  close(reason = closeText('local', this.peer)): void {
    // Reason first: closing the link closes the channel, whose close event would otherwise name the peer.
    this.#end(reason);
  }

  #assertOpen(): void {
    if (this.#state !== 'open') throw new Error(`not connected to ${this.peer} (${this.#state})`);
  }

  #send(m: ChannelMessage): void {
    this.channel.send(JSON.stringify(m));
  }

  #onData(data: unknown): void {
    if (typeof data === 'string') {
      const m = parseChannelMessage(data);
      if (m) this.#onMessage(m);
      return;
    }
    // Browsers give an ArrayBuffer (binaryType), werift a Buffer; copy views so nothing pins a pool.
    if (data instanceof ArrayBuffer) this.#receiver.bytes(new Uint8Array(data));
    else if (ArrayBuffer.isView(data))
      this.#receiver.bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
  }

  #onMessage(m: ChannelMessage): void {
    switch (m.t) {
      case 'chat': {
        const entry: ChatEntry = { from: 'peer', text: m.text, at: typeof m.at === 'number' ? m.at : Date.now() };
        this.chat.push(entry);
        this.emit('chat', entry);
        return;
      }
      case 'file-offer':
        this.#receiver.offered(m);
        return;
      case 'file-accept':
        return this.#sender.answer(m.id, { kind: 'accept' });
      case 'file-decline':
        return this.#sender.answer(m.id, { kind: 'decline' });
      case 'file-verdict':
        return this.#sender.answer(m.id, {
          kind: 'verdict',
          ok: m.ok === true,
          reason: typeof m.reason === 'string' ? m.reason : null,
        });
      case 'file-cancel': {
        const reason = typeof m.reason === 'string' ? m.reason : msg.noReason;
        this.#sender.answer(m.id, { kind: 'cancel', reason });
        this.#receiver.cancelled(m.id, reason);
        return;
      }
      case 'file-progress':
        return this.#sender.progress(m.id, m.bytes);
      case 'file-done':
        void this.#receiver.done(m);
        return;
      case 'call-end':
        this.emit('call-end');
        return;
    }
  }

  #port(): TransferPort {
    return {
      control: (m) => this.#send(m),
      binary: (bytes) => this.channel.send(bytes),
      buffered: () => this.channel.bufferedAmount,
      drained: () => this.#drained(),
      changed: (t, progress) => {
        if (!this.transfers.includes(t)) this.transfers.push(t);
        if (progress) {
          const now = this.#now();
          if (now - (this.#lastProgress.get(t.id) ?? -Infinity) < PROGRESS_EVERY_MS) return;
          this.#lastProgress.set(t.id, now);
        }
        this.emit('transfer', t);
      },
      now: this.#now,
    };
  }

  #drained(): Promise<boolean> {
    const ch = this.channel;
    if (ch.readyState !== 'open') return Promise.resolve(false);
    if (ch.bufferedAmount <= ch.bufferedAmountLowThreshold) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        ch.removeEventListener('bufferedamountlow', low);
        ch.removeEventListener('close', closed);
        resolve(ok);
      };
      const low = () => done(true);
      const closed = () => done(false);
      ch.addEventListener('bufferedamountlow', low);
      ch.addEventListener('close', closed);
    });
  }

  #end(reason: string): void {
    if (this.#state === 'closed') return;
    this.closedReason = reason;
    this.#sender.abort(reason);
    this.#receiver.abort(reason);
    this.#setState('closed');
    if (!this.link.closedReason) this.link.close();
  }

  #setState(s: ConversationState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.emit('state', s);
  }
}

function closeText(why: LinkCloseReason, peer: string): string {
  switch (why) {
    case 'local':
      return msg.closeLocal;
    case 'remote':
      return msg.closeRemote(peer);
    case 'failed':
      return msg.closeFailed(peer);
    case 'replaced':
      return msg.closeReplaced(peer);
  }
}
