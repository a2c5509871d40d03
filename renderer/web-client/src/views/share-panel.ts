// "Hand out a file": pick several people or everyone, then choose, drop or paste files. Each recipient
// gets their own transfer over their own conversation's DataChannel, with its own progress and checksum.
import type { Conversation } from '../conversation.js';
import { byId, h } from '../dom.js';
import { t } from '../i18n/index.js';
import { finalStates, newTransfer, type Transfer } from '../transfer/types.js';
import { filesOf, onFileDrop } from './file-drop.js';
import { sortNames } from './peer-list.js';
import { createTransferItem, updateTransferItem, type TransferActions } from './transfer-item.js';

export interface ShareContext {
  /** People in the room now. */
  peers(): string[];
  /** The conversation with `peer`, opened (without showing it) when there is none. */
  conversation(peer: string): Conversation | null;
}

interface Handout {
  peer: string;
  /** A stand-in until the conversation is open, then the conversation's own transfer. */
  transfer: Transfer;
  conv: Conversation | null;
  li: HTMLLIElement;
}

export class SharePanel {
  readonly #section = byId('share');
  readonly #everyone = byId<HTMLInputElement>('share-everyone');
  readonly #people = byId('share-people');
  readonly #input = byId<HTMLInputElement>('share-input');
  readonly #status = byId('share-status');
  readonly #list = byId<HTMLUListElement>('share-list');
  readonly #chosen = new Set<string>();
  readonly #handouts: Handout[] = [];
  readonly #actions: TransferActions = {
    accept: () => undefined,
    decline: () => undefined,
    cancel: (tr) => {
      const ho = this.#handouts.find((x) => x.transfer === tr);
      if (ho?.conv) ho.conv.cancel(tr);
      else if (ho) this.#settle(ho, 'cancelled', t.youCancelled);
    },
  };

  constructor(private readonly ctx: ShareContext) {
    this.#everyone.addEventListener('change', () => this.render());
    this.#input.addEventListener('change', () => {
      const files = [...(this.#input.files ?? [])];
      this.#input.value = '';
      this.send(files);
    });
    onFileDrop(this.#section, (files) => this.send(files));
    this.#section.addEventListener('paste', (ev) => {
      const files = filesOf(ev.clipboardData);
      if (files.length === 0) return;
      ev.preventDefault();
      this.send(files);
    });
  }

  /** Re-renders the recipient checkboxes for the people in the room now. */
  render(): void {
    const peers = sortNames(this.ctx.peers());
    this.#section.hidden = peers.length === 0 && this.#handouts.length === 0;
    for (const p of [...this.#chosen]) if (!peers.includes(p)) this.#chosen.delete(p);
    const all = this.#everyone.checked;
    this.#people.replaceChildren(
      ...peers.map((peer) => {
        const box = h('input', { type: 'checkbox', 'data-peer': peer, checked: all || this.#chosen.has(peer) });
        box.disabled = all;
        box.addEventListener('change', () => (box.checked ? this.#chosen.add(peer) : this.#chosen.delete(peer)));
        return h('label', { class: 'check' }, box, ` ${peer}`);
      }),
    );
  }

  /** Sends every file to every chosen person (everyone, when "Everyone" is ticked). */
  send(files: File[]): void {
    if (files.length === 0) return;
    const peers = this.#everyone.checked ? this.ctx.peers() : [...this.#chosen];
    if (peers.length === 0) {
      this.#status.textContent = t.pickSomeone;
      return;
    }
    this.#status.textContent = t.handedOut(files.length, peers.length);
    for (const peer of sortNames(peers)) for (const file of files) this.#start(peer, file);
  }

  #start(peer: string, file: File): void {
    const placeholder = newTransfer('out', `pending-${Math.random()}`, file.name, file.size, '', 'queued');
    const li = createTransferItem(placeholder, peer, this.#actions);
    li.dataset.peer = peer;
    this.#list.append(li);
    const ho: Handout = { peer, transfer: placeholder, conv: null, li };
    this.#handouts.push(ho);
    this.#section.hidden = false;
    const conv = this.ctx.conversation(peer);
    if (!conv) return this.#settle(ho, 'failed', t.tNotReached(peer));
    ho.conv = conv;
    li.querySelector('.transfer-status')!.textContent = t.tConnecting(peer);
    conv.on('transfer', (tr) => tr === ho.transfer && this.#update(ho));
    const go = () => {
      if (finalStates.has(ho.transfer.state)) return;
      ho.transfer = conv.sendFile(file, file.name);
      this.#update(ho);
    };
    if (conv.state === 'open') return go();
    const off = conv.on('state', (s) => {
      if (s === 'open') {
        off();
        go();
      } else if (s === 'closed') {
        off();
        this.#settle(ho, 'failed', conv.closedReason ?? t.tNotReached(peer));
      }
    });
  }

  #update(ho: Handout): void {
    if (ho.conv && !ho.conv.transfers.includes(ho.transfer)) return;
    updateTransferItem(ho.li, ho.transfer, ho.peer, this.#actions);
  }

  #settle(ho: Handout, state: 'failed' | 'cancelled', reason: string): void {
    ho.transfer.state = state;
    ho.transfer.reason = reason;
    updateTransferItem(ho.li, ho.transfer, ho.peer, this.#actions);
  }
}
