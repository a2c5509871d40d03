// The people in the room, as buttons; picking one opens the conversation with them.
import { h } from '../dom.js';
import { t } from '../i18n/index.js';

export interface PeerBadge {
  text: string;
  /** Something waits for the user (a message, a file offer, a call). */
  attention: boolean;
}

export interface PeerListModel {
  peers: string[];
  selected: string | null;
  /** False while the server cannot be reached: the list then holds only open conversations. */
  known: boolean;
  badge(peer: string): PeerBadge | null;
  pick(peer: string): void;
}

/** Sorts names as people expect: by the browser's language, upper and lower case together. */
export function sortNames(names: Iterable<string>, locale?: string): string[] {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  return [...names].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Re-renders the list, keeping keyboard focus on the same person. */
export function renderPeerList(list: HTMLUListElement, empty: HTMLElement, m: PeerListModel): void {
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.peer ?? null;
  list.replaceChildren(
    ...sortNames(m.peers).map((peer) => {
      const badge = m.badge(peer);
      // The accessible name is the visible text ("ben, connected"): the comma is there, only hidden.
      const button = h(
        'button',
        { type: 'button', class: 'peer', 'data-peer': peer, 'aria-current': peer === m.selected ? 'true' : null },
        // One inline run, so the accessible name is the visible text with a comma: "ben, connected". (Flex
        // items and absolutely placed text are blocks, around which Chromium adds spaces to the name.)
        h(
          'span',
          { class: 'peer-label' },
          h('span', { class: 'peer-name' }, peer),
          badge ? h('span', { class: 'sep' }, ', ') : null,
          badge ? h('span', { class: badge.attention ? 'badge attention' : 'badge' }, badge.text) : null,
        ),
        h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›'),
      );
      button.addEventListener('click', () => m.pick(peer));
      return h('li', {}, button);
    }),
  );
  empty.hidden = m.known && m.peers.length > 0;
  empty.textContent = m.known ? t.nobody : t.outage;
  empty.dataset.state = m.known ? 'empty' : 'outage';
  if (focused !== null) list.querySelector<HTMLButtonElement>(`button[data-peer="${CSS.escape(focused)}"]`)?.focus();
}
