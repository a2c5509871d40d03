// The web client: join with a name, see the room, talk to one peer at a time over WebRTC.
import { RtcHub, SignalClient, type PeerLink } from '../../client/index.js';
import { CallController } from './call.js';
import { Conversation } from './conversation.js';
import { byId } from './dom.js';
import { forgetConnectParam, storedName, storedPushOptIn, storedToken, type PageConfig } from './page-config.js';
import { disablePush, enablePush, onWorkerConnect, pushSupported, refreshPush } from './push.js';
import { finalStates } from './transfer/types.js';
import { ConversationView } from './views/conversation-view.js';
import { renderPeerList, type PeerBadge } from './views/peer-list.js';
import { watchServer } from './views/server-status.js';

/** performance.mark name set when the first DataChannel opens (page load → open is the benchmark). */
export const CHANNEL_OPEN_MARK = 'rustysignal:datachannel-open';

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

  constructor(private readonly config: PageConfig) {
    if (config.connect) this.#wanted.add(config.connect);
    this.#view = new ConversationView({
      online: (peer) => this.#client?.peers.includes(peer) ?? false,
      canNotify: () => this.#canNotify(),
      reconnect: (peer) => this.open(peer),
      notify: (peer) => void this.#request(peer, byId('conversation-status')),
      back: () => this.#select(null),
    });
    byId<HTMLFormElement>('join-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const name = byId<HTMLInputElement>('name-input').value.trim();
      if (name) this.join(name);
    });
    byId('change-name').addEventListener('click', () => this.#leave(null));
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
    byId('join-room').textContent = config.room || 'default';
  }

  /** Joins with the remembered name, or asks for one. */
  start(): void {
    const name = storedName.get();
    if (name) this.join(name);
    else this.#showJoin(null);
  }

  join(name: string): void {
    storedName.set(name);
    const { room, key } = this.config;
    const client = new SignalClient({ name, room, key, token: storedToken.get(room, name) });
    this.#client = client;
    const hub = new RtcHub(client);
    this.#hub = hub;
    this.#unwatch = watchServer(client, byId('server-status'));
    client.on('welcome', (w) => {
      if (w.user !== null) storedToken.set(room, w.user, w.token);
      byId('push-panel').hidden = !this.#canNotify() && !this.#canSubscribe();
      byId('push-toggle').hidden = !this.#canSubscribe();
      this.#renderPushToggle();
      void refreshPush(client);
      for (const p of this.#wanted) if (client.peers.includes(p)) this.#want(p);
    });
    client.on('error', (e) => {
      if (e.code === 'username-taken') this.#leave(`“${name}” is already used in this room. Choose another name.`);
      else if (e.code === 'invalid-username') this.#leave('Names are 1 to 64 characters, without control characters.');
    });
    client.on('peers', () => this.#renderPeers());
    client.on('peer-joined', (p) => this.#wanted.has(p) && this.#want(p));
    client.on('peer-left', (p) => {
      const c = this.#conversations.get(p);
      // A connection still negotiating cannot finish without the server; an open one lives on.
      if (c && c.state === 'connecting') c.close(`${p} left the room.`);
      this.#view.refresh();
    });
    hub.on('link', (link) => this.#adopt(link));
    byId('join').hidden = true;
    byId('lobby').hidden = false;
    void client.connect();
  }

  /** Opens (or reopens) the conversation with `peer` and shows it. */
  open(peer: string): void {
    const hub = this.#hub;
    if (!hub) return;
    const existing = this.#conversations.get(peer);
    if (!existing || existing.state === 'closed') this.#adopt(hub.connect(peer));
    this.#select(peer);
  }

  #want(peer: string): void {
    this.#wanted.delete(peer);
    forgetConnectParam();
    if (this.#client?.peers.includes(peer)) this.open(peer);
    else this.#wanted.add(peer);
  }

  #adopt(link: PeerLink): Conversation {
    const peer = link.peer;
    const conv = new Conversation(link);
    this.#conversations.set(peer, conv);
    this.#calls.set(conv, new CallController(conv));
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
    conv.on('transfer', (t) => t.direction === 'in' && t.state === 'offered' && attention());
    if (this.#selected === null || this.#selected === peer) this.#select(peer);
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

  #badge(peer: string): PeerBadge | null {
    const unread = this.#unread.get(peer) ?? 0;
    if (unread > 0) return { text: unread === 1 ? 'new' : `${unread} new`, attention: true };
    const c = this.#conversations.get(peer);
    if (!c) return null;
    const busy = c.transfers.some((t) => !finalStates.has(t.state));
    if (c.state === 'open') return { text: busy ? 'connected, transferring' : 'connected', attention: false };
    if (c.state === 'connecting')
      return c.problem ? { text: 'cannot connect', attention: true } : { text: 'connecting…', attention: false };
    if (c.state === 'interrupted') return { text: 'interrupted', attention: false };
    return null;
  }

  #renderPeers(): void {
    renderPeerList(byId<HTMLUListElement>('peer-list'), byId('no-peers'), {
      peers: this.#client?.peers ?? [],
      selected: this.#selected,
      badge: (p) => this.#badge(p),
      pick: (p) => this.open(p),
    });
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
    status.textContent = 'Not connected.';
    const err = byId('join-error');
    err.hidden = error === null;
    err.textContent = error ?? '';
    const input = byId<HTMLInputElement>('name-input');
    input.value = storedName.get() ?? '';
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
    byId('push-toggle').textContent = on ? 'Turn off notifications' : 'Notify me when someone wants to connect';
  }

  async #togglePush(): Promise<void> {
    const c = this.#client;
    if (!c || c.name === null) return;
    const status = byId('push-status');
    status.textContent = 'Working…';
    status.textContent = storedPushOptIn.get(c.room, c.name) ? await disablePush(c) : await enablePush(c);
    this.#renderPushToggle();
  }

  async #request(peer: string, status: HTMLElement): Promise<void> {
    const c = this.#client;
    if (!c) return;
    status.textContent = `Asking ${peer}…`;
    try {
      const r = await c.requestConnection(peer);
      status.textContent = r.ok
        ? `${peer} was notified. You will be connected when they open rustysignal.`
        : `${peer} could not be notified: ${r.message ?? 'they have not turned on notifications here'}.`;
      if (r.ok) this.#wanted.add(peer);
    } catch (err) {
      status.textContent = `${peer} could not be notified: ${(err as Error).message}`;
    }
  }
}
