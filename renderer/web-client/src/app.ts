// The web client: join with a name, see the room, talk to one peer at a time over WebRTC, hand files to
// several people at once.
import { RtcHub, SignalClient, isValidName, type PeerLink } from '../../client/index.js';
import { CallController } from './call.js';
import { Conversation } from './conversation.js';
import { byId } from './dom.js';
import { t } from './i18n/index.js';
import {
  forgetConnectParam,
  roomAddress,
  storedName,
  storedPushOptIn,
  storedToken,
  type PageConfig,
} from './page-config.js';
import { disablePush, enablePush, onWorkerConnect, pushSupported, refreshPush } from './push.js';
import { SiblingTabs } from './tabs.js';
import { finalStates } from './transfer/types.js';
import { ConversationView } from './views/conversation-view.js';
import { renderPeerList, type PeerBadge } from './views/peer-list.js';
import { watchServer } from './views/server-status.js';
import { SharePanel } from './views/share-panel.js';

/** performance.mark name set when the first DataChannel opens (page load → open is the benchmark). */
export const CHANNEL_OPEN_MARK = 'rustysignal:datachannel-open';

/** Why a room name cannot be used, in words; null when it can. */
export function roomProblem(room: string): string | null {
  if (isValidName(room, 0)) return null;
  const n = [...room].length;
  return n > 64 ? t.roomTooLong(n) : t.roomInvalid;
}

/** Why a typed name cannot be used, in words; null when it can. */
export function nameProblem(name: string): string | null {
  if (name === '') return t.nameEmpty;
  if ([...name].length > 64) return t.nameTooLong;
  return isValidName(name, 1) ? null : t.nameInvalid;
}

export class WebClientApp {
  #client: SignalClient | null = null;
  #hub: RtcHub | null = null;
  #unwatch: (() => void) | null = null;
  readonly #conversations = new Map<string, Conversation>();
  readonly #calls = new Map<Conversation, CallController>();
  readonly #unread = new Map<string, number>();
  /** Peers to connect to as soon as they are in the room (from ?connect= or a notification). */
  readonly #wanted = new Set<string>();
  #selected: string | null = null;
  readonly #view: ConversationView;
  readonly #share: SharePanel;
  readonly #tabs: SiblingTabs;

  constructor(private readonly config: PageConfig) {
    if (config.connect) this.#wanted.add(config.connect);
    this.#view = new ConversationView({
      online: (peer) => this.#client?.peers.includes(peer) ?? false,
      canNotify: () => this.#canNotify(),
      reconnect: (peer) => this.open(peer),
      notify: (peer) => void this.#request(peer, byId('conversation-status')),
      back: () => this.#back(),
    });
    this.#share = new SharePanel({
      peers: () => this.#client?.peers ?? [],
      conversation: (peer) => this.#ensure(peer),
    });
    this.#tabs = new SiblingTabs(
      (room, name) => this.#client?.state === 'open' && this.#client.room === room && this.#client.name === name,
    );
    byId<HTMLFormElement>('join-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const room = byId<HTMLInputElement>('join-room-input').value.trim();
      if (room !== this.config.room) return this.#switchRoom(room, byId('join-error'));
      const name = byId<HTMLInputElement>('name-input').value.trim();
      const problem = nameProblem(name) ?? roomProblem(this.config.room);
      if (problem) return this.#showJoin(problem);
      this.join(name);
    });
    byId('change-name').addEventListener('click', () => this.#leave(null));
    byId('switch-room').addEventListener('click', () => this.#toggleRoomForm());
    byId<HTMLFormElement>('room-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#switchRoom(byId<HTMLInputElement>('room-input').value.trim(), byId('room-error'));
    });
    byId('push-toggle').addEventListener('click', () => void this.#togglePush());
    byId<HTMLFormElement>('request-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = byId<HTMLInputElement>('request-name');
      const name = input.value.trim();
      if (name) void this.#request(name, byId('request-status'));
    });
    onWorkerConnect((sender) => this.#want(sender));
    // Tell peers we are gone before the page is: their conversation ends at once instead of timing out.
    addEventListener('pagehide', () => {
      this.#hub?.close();
      this.#client?.close();
    });
    byId('room-here').textContent = t.roomHere(config.room);
    byId<HTMLInputElement>('join-room-input').value = config.room;
    byId<HTMLInputElement>('room-input').value = config.room;
    byId('server-status').textContent = t.notConnected;
  }

  /** Joins with the remembered name, or asks for one. */
  start(): void {
    const name = storedName.get();
    const problem = roomProblem(this.config.room);
    if (name && !problem && !nameProblem(name)) this.join(name);
    else this.#showJoin(problem);
  }

  join(name: string): void {
    storedName.set(name);
    const { room, key, code } = this.config;
    const client = new SignalClient({ name, room, key, token: storedToken.get(room, name), ...codeOption(code) });
    this.#client = client;
    const hub = new RtcHub(client);
    this.#hub = hub;
    this.#unwatch = watchServer(client, byId('server-status'), byId<HTMLButtonElement>('retry-now'));
    client.on('welcome', (w) => {
      if (w.user !== null) storedToken.set(room, w.user, w.token);
      byId('push-panel').hidden = !this.#canNotify() && !this.#canSubscribe();
      byId('push-toggle').hidden = !this.#canSubscribe();
      this.#renderPushToggle();
      void refreshPush(client);
      for (const p of this.#wanted) if (client.peers.includes(p)) this.#want(p);
    });
    client.on('error', (e) => {
      if (e.code === 'username-taken')
        void this.#tabs
          .otherTabHolds(room, name)
          .then((mine) => this.#leave(mine ? t.nameTakenHere(name) : t.nameTaken(name)));
      else if (e.code === 'invalid-username') this.#leave(t.nameInvalid);
      else if (e.code === 'room-locked') this.#leave(t.roomLocked);
    });
    client.on('close', (info) => info.closedReason === 'room-code' && this.#leave(t.roomCode));
    client.on('state', () => this.#renderPeers());
    client.on('peers', () => {
      this.#renderPeers();
      // Someone came back (a reload): "Connect again" depends on it.
      this.#view.refresh();
      this.#share.render();
    });
    client.on('peer-joined', (p) => this.#wanted.has(p) && this.#want(p));
    client.on('peer-left', (p) => {
      const c = this.#conversations.get(p);
      // A connection still negotiating cannot finish without the server; an open one lives on.
      if (c && c.state === 'connecting') c.close(t.peerLeftRoom(p));
      this.#view.refresh();
    });
    hub.on('link', (link) => this.#adopt(link, true));
    byId('join').hidden = true;
    byId('lobby').hidden = false;
    // The Join button just disappeared: keep the focus in the page, on what comes next.
    byId('lobby-title').focus();
    void client.connect();
  }

  /** Opens (or reopens) the conversation with `peer` and shows it. */
  open(peer: string): void {
    if (!this.#ensure(peer)) return;
    this.#select(peer);
    // On a phone the list is gone once a conversation shows: move the focus into it.
    if (byId('lobby').offsetParent === null) this.#view.focus();
  }

  /** The live conversation with `peer`, starting one (without showing it) when there is none. */
  #ensure(peer: string): Conversation | null {
    const hub = this.#hub;
    if (!hub) return null;
    const existing = this.#conversations.get(peer);
    if (existing && existing.state !== 'closed') return existing;
    return this.#adopt(hub.connect(peer), false);
  }

  #want(peer: string): void {
    this.#wanted.delete(peer);
    forgetConnectParam();
    if (this.#client?.peers.includes(peer)) this.open(peer);
    else this.#wanted.add(peer);
  }

  #adopt(link: PeerLink, mayShow: boolean): Conversation {
    const peer = link.peer;
    // A new link to someone we talked to before keeps the chat and files (a received file may be unsaved).
    const previous = this.#conversations.get(peer);
    const history = previous ? { chat: previous.chat, transfers: previous.transfers } : undefined;
    const conv = new Conversation(link, history ? { history } : {});
    this.#conversations.set(peer, conv);
    const call = new CallController(conv);
    this.#calls.set(conv, call);
    const attention = () => {
      if (this.#selected !== peer) this.#unread.set(peer, (this.#unread.get(peer) ?? 0) + 1);
      this.#renderPeers();
    };
    conv.on('state', (s) => {
      if (s === 'open' && performance.getEntriesByName(CHANNEL_OPEN_MARK).length === 0)
        performance.mark(CHANNEL_OPEN_MARK);
      this.#renderPeers();
    });
    conv.on('ice', () => this.#renderPeers());
    conv.on('chat', (e) => e.from === 'peer' && attention());
    conv.on('transfer', (tr) => tr.direction === 'in' && tr.state === 'offered' && attention());
    call.on('change', () => this.#renderPeers());
    if (this.#selected === peer || (mayShow && this.#selected === null)) this.#select(peer);
    else this.#renderPeers();
    return conv;
  }

  #select(peer: string | null): void {
    this.#selected = peer;
    if (peer !== null) this.#unread.delete(peer);
    const conv = peer === null ? null : (this.#conversations.get(peer) ?? null);
    if (peer !== null && !conv) return this.open(peer);
    this.#view.show(conv, conv ? (this.#calls.get(conv) ?? null) : null);
    this.#renderPeers();
  }

  #back(): void {
    const peer = this.#selected;
    this.#select(null);
    const button =
      peer && byId('peer-list').querySelector<HTMLButtonElement>(`button[data-peer="${CSS.escape(peer)}"]`);
    (button || byId('lobby-title')).focus();
  }

  #badge(peer: string): PeerBadge | null {
    const c = this.#conversations.get(peer);
    const call = c ? this.#calls.get(c) : undefined;
    if (call?.remote && !call.local && this.#selected !== peer) return { text: t.badgeCalling, attention: true };
    const unread = this.#unread.get(peer) ?? 0;
    if (unread > 0) return { text: t.badgeNew(unread), attention: true };
    if (!c) return null;
    const busy = c.transfers.some((tr) => !finalStates.has(tr.state));
    if (c.state === 'open') return { text: busy ? t.badgeTransferring : t.badgeConnected, attention: false };
    if (c.state === 'connecting')
      return c.problem
        ? { text: t.badgeCannotConnect, attention: true }
        : { text: t.badgeConnecting, attention: false };
    if (c.state === 'interrupted') return { text: t.badgeInterrupted, attention: false };
    return null;
  }

  #renderPeers(): void {
    const client = this.#client;
    const known = client === null || client.state === 'open';
    // While the server is away the room is unknown, but open conversations still work: list those.
    const peers = known
      ? (client?.peers ?? [])
      : [...this.#conversations.values()].filter((c) => c.state !== 'closed').map((c) => c.peer);
    renderPeerList(byId<HTMLUListElement>('peer-list'), byId('no-peers'), {
      peers,
      known,
      selected: this.#selected,
      badge: (p) => this.#badge(p),
      pick: (p) => this.open(p),
    });
  }

  #toggleRoomForm(): void {
    const form = byId('room-form');
    form.hidden = !form.hidden;
    byId('switch-room').setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) byId<HTMLInputElement>('room-input').focus();
  }

  /** Goes to `room` (a new page load: every conversation belongs to one room). */
  #switchRoom(room: string, errorEl: HTMLElement): void {
    const problem = roomProblem(room);
    errorEl.hidden = problem === null;
    errorEl.textContent = problem ?? '';
    if (problem) return;
    location.assign(roomAddress(location.href, room, this.config.key));
  }

  #leave(error: string | null): void {
    this.#hub?.close();
    this.#client?.close();
    this.#unwatch?.();
    this.#hub = null;
    this.#client = null;
    this.#conversations.clear();
    this.#calls.clear();
    this.#unread.clear();
    this.#select(null);
    if (error === null) storedName.clear();
    this.#showJoin(error);
  }

  #showJoin(error: string | null): void {
    byId('lobby').hidden = true;
    byId('join').hidden = false;
    const status = byId('server-status');
    status.dataset.state = 'idle';
    status.textContent = t.notConnected;
    const err = byId('join-error');
    err.hidden = error === null;
    err.textContent = error ?? '';
    const input = byId<HTMLInputElement>('name-input');
    if (input.value === '') input.value = storedName.get() ?? '';
    input.setAttribute('aria-invalid', String(error !== null));
    input.focus();
  }

  #canNotify(): boolean {
    return this.#client?.welcome?.push != null && this.#client.name !== null;
  }

  #canSubscribe(): boolean {
    return this.#canNotify() && pushSupported();
  }

  #renderPushToggle(): void {
    const c = this.#client;
    const on = c !== null && c.name !== null && storedPushOptIn.get(c.room, c.name);
    byId('push-toggle').textContent = on ? t.pushOff : t.static['push-toggle-on'];
  }

  async #togglePush(): Promise<void> {
    const c = this.#client;
    if (!c || c.name === null) return;
    const status = byId('push-status');
    status.textContent = t.working;
    status.textContent = storedPushOptIn.get(c.room, c.name) ? await disablePush(c) : await enablePush(c);
    this.#renderPushToggle();
  }

  async #request(peer: string, status: HTMLElement): Promise<void> {
    const c = this.#client;
    if (!c) return;
    status.textContent = t.asking(peer);
    try {
      const r = await c.requestConnection(peer);
      status.textContent = r.ok ? t.notified(peer) : t.notNotified(peer, r.message ?? t.notNotifiedDefault);
      if (r.ok) this.#wanted.add(peer);
    } catch (err) {
      status.textContent = t.notNotified(peer, (err as Error).message);
    }
  }
}

function codeOption(code: string | null): { code?: string } {
  return code === null ? {} : { code };
}
