// The open conversation: its state in words, chat, files and the video call, bound to one Conversation
// at a time.
import { callsAvailable, type CallController } from '../call.js';
import type { ChatEntry, Conversation } from '../conversation.js';
import { byId, h } from '../dom.js';
import { problemText, routeText } from '../ice-words.js';
import type { Transfer } from '../transfer/types.js';
import { t } from '../i18n/index.js';
import { filesOf, onFileDrop } from './file-drop.js';
import { createTransferItem, updateTransferItem, type TransferActions } from './transfer-item.js';

export interface ConversationContext {
  /** Whether `peer` is connected to the server now. */
  online(peer: string): boolean;
  /** Whether connection requests (push) can be sent. */
  canNotify(): boolean;
  reconnect(peer: string): void;
  notify(peer: string): void;
  back(): void;
}

function statusText(c: Conversation, online: boolean): string {
  const p = c.peer;
  switch (c.state) {
    case 'connecting':
      if (online && c.problem) return t.stateStalled(p, problemText(c.problem.problem, p));
      return t.stateConnecting(p, online);
    case 'open':
      return c.route ? t.stateOpenVia(p, online, routeText(c.route)) : t.stateOpen(p, online);
    case 'interrupted':
      return t.stateInterrupted(p);
    case 'closed':
      return c.closedReason ?? t.closed;
  }
}

export class ConversationView {
  readonly #section = byId('conversation');
  readonly #title = byId('conversation-title');
  readonly #status = byId('conversation-status');
  readonly #reconnect = byId<HTMLButtonElement>('reconnect');
  readonly #notify = byId<HTMLButtonElement>('notify-peer');
  readonly #hangUp = byId<HTMLButtonElement>('hang-up');
  readonly #chatLog = byId<HTMLOListElement>('chat-log');
  readonly #chatForm = byId<HTMLFormElement>('chat-form');
  readonly #chatInput = byId<HTMLInputElement>('chat-input');
  readonly #fileInput = byId<HTMLInputElement>('file-input');
  readonly #transfers = byId<HTMLUListElement>('transfer-list');
  readonly #callStart = byId<HTMLButtonElement>('call-start');
  readonly #callEnd = byId<HTMLButtonElement>('call-end');
  readonly #callStatus = byId('call-status');
  readonly #remoteVideo = byId<HTMLVideoElement>('remote-video');
  readonly #localVideo = byId<HTMLVideoElement>('local-video');
  readonly #closedNote = byId('closed-note');
  readonly #call = byId('call');
  readonly #files = byId('files');
  readonly #items = new Map<string, HTMLLIElement>();
  #conv: Conversation | null = null;
  #callCtl: CallController | null = null;
  #offs: Array<() => void> = [];
  readonly #actions: TransferActions = {
    accept: (t) => this.#conv?.accept(t),
    decline: (t) => this.#conv?.decline(t),
    cancel: (t) => this.#conv?.cancel(t),
  };

  constructor(private readonly ctx: ConversationContext) {
    this.#chatForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = this.#chatInput.value.trim();
      if (!text || this.#conv?.state !== 'open') return;
      this.#conv.sendChat(text);
      this.#chatInput.value = '';
    });
    this.#fileInput.addEventListener('change', () => {
      const files = [...(this.#fileInput.files ?? [])];
      this.#fileInput.value = '';
      this.#sendFiles(files);
    });
    // Dropped or pasted files go to the person this conversation is with.
    onFileDrop(this.#section, (files) => this.#sendFiles(files));
    this.#section.addEventListener('paste', (ev) => {
      const files = filesOf(ev.clipboardData);
      if (files.length === 0) return;
      ev.preventDefault();
      this.#sendFiles(files);
    });
    this.#reconnect.addEventListener('click', () => this.#conv && ctx.reconnect(this.#conv.peer));
    this.#notify.addEventListener('click', () => this.#conv && ctx.notify(this.#conv.peer));
    this.#hangUp.addEventListener('click', () => this.#conv?.close());
    byId('back').addEventListener('click', () => ctx.back());
    this.#callStart.addEventListener('click', () => void this.#callCtl?.start());
    this.#callEnd.addEventListener('click', () => this.#callCtl?.end());
  }

  #sendFiles(files: File[]): void {
    if (this.#conv?.state === 'open') for (const f of files) this.#conv.sendFile(f, f.name);
  }

  get conversation(): Conversation | null {
    return this.#conv;
  }

  /** Moves the focus to the conversation's heading (after picking someone, so it does not drop to the body). */
  focus(): void {
    this.#title.focus();
  }

  /** Shows `conv` (or nothing). */
  show(conv: Conversation | null, call: CallController | null): void {
    this.#offs.forEach((off) => off());
    this.#offs = [];
    this.#conv = conv;
    this.#callCtl = call;
    this.#items.clear();
    this.#section.hidden = conv === null;
    document.body.classList.toggle('in-conversation', conv !== null);
    if (!conv) return;
    this.#section.dataset.peer = conv.peer;
    this.#title.textContent = t.conversationWith(conv.peer);
    this.#chatLog.replaceChildren(...conv.chat.map((e) => this.#chatItem(e)));
    this.#transfers.replaceChildren(...conv.transfers.map((t) => this.#item(t)));
    this.#offs.push(
      conv.on('state', () => this.refresh()),
      conv.on('ice', () => this.refresh()),
      conv.on('chat', (e) => {
        this.#chatLog.append(this.#chatItem(e));
        this.#chatLog.scrollTop = this.#chatLog.scrollHeight;
      }),
      conv.on('transfer', (t) => this.#onTransfer(t)),
    );
    if (call) this.#offs.push(call.on('change', () => this.#renderCall()));
    this.refresh();
  }

  /** Re-renders the state line and the buttons (also when the peer comes or goes). */
  refresh(): void {
    const c = this.#conv;
    if (!c) return;
    const online = this.ctx.online(c.peer);
    this.#section.dataset.state = c.state;
    // For tests and styling: how it travels, and the diagnosed problem while it does not connect.
    this.#section.dataset.route = c.route?.kind ?? '';
    this.#section.dataset.problem = c.state === 'connecting' || c.state === 'closed' ? (c.problem?.problem ?? '') : '';
    this.#status.dataset.state = c.state;
    this.#status.textContent = statusText(c, online);
    const open = c.state === 'open';
    this.#chatInput.disabled = !open;
    this.#chatForm.querySelector('button')!.disabled = !open;
    this.#fileInput.disabled = !open;
    this.#reconnect.hidden = c.state !== 'closed' || !online;
    this.#notify.hidden = online || !this.ctx.canNotify();
    this.#hangUp.hidden = c.state === 'closed';
    // A closed conversation shows its history but nothing that looks like it could still send.
    const closed = c.state === 'closed';
    this.#closedNote.hidden = !closed;
    this.#chatForm.hidden = closed;
    this.#call.hidden = closed;
    this.#files.classList.toggle('closed', closed);
    this.#renderCall();
  }

  #renderCall(): void {
    const c = this.#conv;
    const call = this.#callCtl;
    if (!c || !call) return;
    const open = c.state === 'open';
    const available = callsAvailable();
    this.#callStart.hidden = !open || call.local !== null;
    this.#callStart.disabled = !available;
    this.#callStart.textContent = call.remote ? t.callTurnOn : t.static['call-start'];
    this.#callEnd.hidden = !call.active;
    this.#callStatus.textContent = !available
      ? t.callNeedsTls
      : (call.problem ??
        (call.remote && !call.local ? t.callStarted(c.peer) : call.local && !call.remote ? t.callWaiting(c.peer) : ''));
    this.#setVideo(this.#remoteVideo, call.remote);
    this.#setVideo(this.#localVideo, call.local);
  }

  #setVideo(v: HTMLVideoElement, s: MediaStream | null): void {
    if (v.srcObject !== s) v.srcObject = s;
    v.hidden = s === null;
  }

  #chatItem(e: ChatEntry): HTMLLIElement {
    const who = e.from === 'me' ? t.you : this.#conv!.peer;
    return h('li', { class: e.from, 'aria-label': t.chatLabel(who, e.text) }, e.text);
  }

  #item(t: Transfer): HTMLLIElement {
    const li = createTransferItem(t, this.#conv!.peer, this.#actions);
    this.#items.set(t.id, li);
    return li;
  }

  #onTransfer(t: Transfer): void {
    const li = this.#items.get(t.id);
    if (li) updateTransferItem(li, t, this.#conv!.peer, this.#actions);
    else this.#transfers.append(this.#item(t));
  }
}
