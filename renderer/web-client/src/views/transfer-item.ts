// One file transfer in the list: name, size, progress, state in words, and what the user can do.
import { h } from '../dom.js';
import { formatBytes, type Transfer } from '../transfer/types.js';
import { t as msg } from '../i18n/index.js';

export interface TransferActions {
  accept(t: Transfer): void;
  decline(t: Transfer): void;
  cancel(t: Transfer): void;
}

function percent(t: Transfer): number {
  return t.size === 0 ? 100 : Math.floor((t.bytes / t.size) * 100);
}

function speed(t: Transfer): string {
  if (t.startedAt === null || t.finishedAt === null) return '';
  const ms = Math.max(1, t.finishedAt - t.startedAt);
  const took = ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
  return msg.tSpeed(took, formatBytes(Math.round((t.size / ms) * 1000)));
}

/** The state in words, for the given peer. */
export function transferText(t: Transfer, peer: string): string {
  const out = t.direction === 'out';
  const done = formatBytes(t.bytes);
  const size = formatBytes(t.size);
  switch (t.state) {
    case 'queued':
      return msg.tQueued;
    case 'waiting':
      return msg.tWaiting(peer);
    case 'offered':
      return msg.tOffered(peer);
    case 'sending':
      return msg.tSending(percent(t), done, size);
    case 'receiving':
      return msg.tReceiving(percent(t), done, size);
    case 'verifying':
      return out ? msg.tVerifyingOut(peer) : msg.tVerifyingIn;
    case 'done':
      return out ? msg.tDelivered(speed(t)) : msg.tReceived(speed(t));
    case 'failed':
      return msg.tFailed(t.reason ?? msg.tUnknown);
    case 'declined':
    case 'cancelled':
      return t.reason ?? t.state;
  }
}

/** Builds the list item for `t`. */
export function createTransferItem(t: Transfer, peer: string, actions: TransferActions): HTMLLIElement {
  const li = h('li', { 'data-transfer-id': t.id });
  updateTransferItem(li, t, peer, actions);
  return li;
}

/** Brings an item up to date; progress-only changes touch only the bar and the text, so focus stays put. */
export function updateTransferItem(li: HTMLLIElement, t: Transfer, peer: string, actions: TransferActions): void {
  const sameShape = li.dataset.state === t.state && li.firstChild !== null;
  li.dataset.state = t.state;
  li.dataset.direction = t.direction;
  if (t.checksum) li.dataset.checksum = t.checksum;
  if (sameShape) {
    const bar = li.querySelector('progress');
    if (bar) bar.value = t.bytes;
    const text = li.querySelector('.transfer-status');
    if (text) text.textContent = transferText(t, peer);
    return;
  }
  const title = t.direction === 'out' ? msg.to(peer, t.name) : msg.from(peer, t.name);
  const buttons: HTMLElement[] = [];
  const button = (label: string, aria: string, run: () => void, cls = '') => {
    const b = h('button', { type: 'button', class: cls || null, 'aria-label': aria }, label);
    b.addEventListener('click', run);
    buttons.push(b);
  };
  if (t.state === 'offered') {
    button(msg.accept, msg.acceptLabel(t.name), () => actions.accept(t));
    button(msg.decline, msg.declineLabel(t.name), () => actions.decline(t), 'secondary');
  } else if (['queued', 'waiting', 'sending', 'receiving'].includes(t.state)) {
    button(msg.cancel, msg.cancelLabel(t.name), () => actions.cancel(t), 'secondary');
  }
  if (t.state === 'done' && t.blob) {
    const a = h('a', { class: 'button', href: URL.createObjectURL(t.blob), download: t.name }, msg.save(t.name));
    buttons.push(a);
  }
  const active = ['sending', 'receiving', 'verifying'].includes(t.state);
  const parts: Array<HTMLElement | null> = [
    h('div', { class: 'transfer-title' }, h('strong', {}, title), ` (${formatBytes(t.size)})`),
    active ? h('progress', { max: Math.max(1, t.size), value: t.bytes, 'aria-label': msg.progressOf(t.name) }) : null,
    h('div', { class: 'transfer-status' }, transferText(t, peer)),
    t.state === 'done' && t.checksum
      ? h('div', { class: 'checksum', title: msg.checksumTitle }, msg.checksum(t.checksum))
      : null,
    buttons.length ? h('div', { class: 'transfer-actions' }, ...buttons) : null,
  ];
  li.replaceChildren(...parts.filter((p) => p !== null));
}
