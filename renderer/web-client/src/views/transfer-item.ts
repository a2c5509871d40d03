// One file transfer in the list: name, size, progress, state in words, and what the user can do.
import { h } from '../dom.js';
import { formatBytes, type Transfer } from '../transfer/types.js';

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
  return ` in ${took} (${formatBytes(Math.round((t.size / ms) * 1000))}/s)`;
}

/** The state in words, for the given peer. */
export function transferText(t: Transfer, peer: string): string {
  const out = t.direction === 'out';
  switch (t.state) {
    case 'queued':
      return 'Waiting for the files before it.';
    case 'waiting':
      return `Waiting for ${peer} to accept…`;
    case 'offered':
      return `${peer} wants to send you this file.`;
    case 'sending':
    case 'receiving':
      return `${out ? 'Sending' : 'Receiving'}… ${percent(t)}% (${formatBytes(t.bytes)} of ${formatBytes(t.size)})`;
    case 'verifying':
      return out ? `Sent; ${peer} is checking the checksum…` : 'Checking the checksum…';
    case 'done':
      return `${out ? 'Delivered' : 'Received'}, checksum verified${speed(t)}.`;
    case 'failed':
      return `Failed: ${t.reason ?? 'unknown reason'}`;
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
  const title = `${t.direction === 'out' ? 'To' : 'From'} ${peer}: ${t.name}`;
  const buttons: HTMLElement[] = [];
  const button = (label: string, aria: string, run: () => void, cls = '') => {
    const b = h('button', { type: 'button', class: cls || null, 'aria-label': aria }, label);
    b.addEventListener('click', run);
    buttons.push(b);
  };
  if (t.state === 'offered') {
    button('Accept', `Accept ${t.name}`, () => actions.accept(t));
    button('Decline', `Decline ${t.name}`, () => actions.decline(t), 'secondary');
  } else if (['queued', 'waiting', 'sending', 'receiving'].includes(t.state)) {
    button('Cancel', `Cancel ${t.name}`, () => actions.cancel(t), 'secondary');
  }
  if (t.state === 'done' && t.blob) {
    const a = h('a', { class: 'button', href: URL.createObjectURL(t.blob), download: t.name }, `Save ${t.name}`);
    buttons.push(a);
  }
  const active = ['sending', 'receiving', 'verifying'].includes(t.state);
  const parts: Array<HTMLElement | null> = [
    h('div', { class: 'transfer-title' }, h('strong', {}, title), ` (${formatBytes(t.size)})`),
    active ? h('progress', { max: Math.max(1, t.size), value: t.bytes, 'aria-label': `Progress of ${t.name}` }) : null,
    h('div', { class: 'transfer-status' }, transferText(t, peer)),
    t.state === 'done' && t.checksum
      ? h('div', { class: 'checksum', title: 'SHA-256 over the SHA-256 of each 1 MiB block' }, `checksum ${t.checksum}`)
      : null,
    buttons.length ? h('div', { class: 'transfer-actions' }, ...buttons) : null,
  ];
  li.replaceChildren(...parts.filter((p) => p !== null));
}
