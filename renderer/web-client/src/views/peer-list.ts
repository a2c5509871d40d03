// The people in the room, as buttons; picking one opens the conversation with them.
import { h } from '../dom.js';

export interface PeerBadge {
  text: string;
  /** Something waits for the user (a message, a file offer). */
  attention: boolean;
}

export interface PeerListModel {
  peers: string[];
  selected: string | null;
  badge(peer: string): PeerBadge | null;
  pick(peer: string): void;
}

/** Re-renders the list, keeping keyboard focus on the same person. */
export function renderPeerList(list: HTMLUListElement, empty: HTMLElement, m: PeerListModel): void {
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.peer ?? null;
  list.replaceChildren(
    ...m.peers.map((peer) => {
      const badge = m.badge(peer);
      const button = h(
        'button',
        {
          type: 'button',
          'data-peer': peer,
          'aria-current': peer === m.selected ? 'true' : null,
          'aria-label': badge ? `${peer}, ${badge.text}` : peer,
        },
        h('span', { class: 'peer-name' }, peer),
        badge
          ? h('span', { class: badge.attention ? 'badge attention' : 'badge', 'aria-hidden': 'true' }, badge.text)
          : null,
      );
      button.addEventListener('click', () => m.pick(peer));
      return h('li', {}, button);
    }),
  );
  empty.hidden = m.peers.length > 0;
  if (focused !== null) list.querySelector<HTMLButtonElement>(`button[data-peer="${CSS.escape(focused)}"]`)?.focus();
}
