// Peers: every connection registered under a name, live from peer-joined / peer-left events, with counters
// kept current by peer-stats. Sortable and filterable; only the rows in view are in the DOM, so 1,000 peers
// scroll as smoothly as 10.
import { html, nothing } from 'lit';
import { ref } from 'lit/directives/ref.js';
import { repeat } from 'lit/directives/repeat.js';
import type { IpcError, PeerInfo } from '../../../../main/ipc/contract.js';
import { call, toIpcError } from '../api.js';
import { announce } from '../components/announce.js';
import { textField } from '../components/field.js';
import { api, store } from '../context.js';
import { formatCount, formatDateTime, formatTime, plural } from '../format.js';
import { requestRender } from '../schedule.js';

/** Row height in px; must match `--row-h` in styles.css. */
const ROW_H = 36;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 8;

type SortKey = 'name' | 'room' | 'remoteAddress' | 'connectedAt' | 'messagesIn' | 'messagesOut' | 'pushSubscribed';
type Dir = 'ascending' | 'descending';

const columns: Array<{ key: SortKey; label: string; num?: boolean; cls: string }> = [
  { key: 'name', label: 'Name', cls: 'c-name' },
  { key: 'room', label: 'Room', cls: 'c-room' },
  { key: 'remoteAddress', label: 'Address', cls: 'c-addr' },
  { key: 'connectedAt', label: 'Connected since', cls: 'c-since' },
  { key: 'messagesIn', label: 'Msgs in', num: true, cls: 'c-num' },
  { key: 'messagesOut', label: 'Msgs out', num: true, cls: 'c-num' },
  { key: 'pushSubscribed', label: 'Push', cls: 'c-push' },
];

const DEFAULT_REASON = 'kicked by the operator';

const ui = {
  sort: 'connectedAt' as SortKey,
  dir: 'ascending' as Dir,
  filter: '',
  scrollTop: 0,
  viewport: 600,
  selected: null as number | null,
  kick: null as PeerInfo | null,
  kickReason: DEFAULT_REASON,
  kickError: null as IpcError | null,
  kickBusy: false,
};

let scroller: HTMLElement | undefined;
let dialog: HTMLDialogElement | undefined;

// The filtered, sorted list is recomputed only when peers, sort or filter change, or when counters change
// while the table is sorted by one (the filter never looks at counters).
let memo: { version: string; key: string; rows: PeerInfo[] } = { version: '', key: '', rows: [] };
const statsKeys: ReadonlySet<SortKey> = new Set(['messagesIn', 'messagesOut', 'pushSubscribed']);

function compare(a: PeerInfo, b: PeerInfo, key: SortKey): number {
  const x = a[key];
  const y = b[key];
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  if (x === null || y === null) return 0; // anonymous rows: placed by anonymousLast
  return String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: 'base' });
}

/** The peers shown: filtered by name, room or address, sorted by the chosen column (ties by id). */
export function visiblePeers(): PeerInfo[] {
  const { peers, peersVersion, statsVersion } = store().state;
  const key = `${ui.sort}|${ui.dir}|${ui.filter}`;
  const version = statsKeys.has(ui.sort) ? `${peersVersion}.${statsVersion}` : `${peersVersion}`;
  if (memo.version === version && memo.key === key) return memo.rows;
  const needle = ui.filter.trim().toLowerCase();
  const rows = [...peers.values()].filter(
    (p) =>
      !needle ||
      (p.name ?? '').toLowerCase().includes(needle) ||
      p.room.toLowerCase().includes(needle) ||
      p.remoteAddress.includes(needle),
  );
  const sign = ui.dir === 'ascending' ? 1 : -1;
  const anonymousLast = (a: PeerInfo, b: PeerInfo) =>
    ui.sort === 'name' ? Number(a.name === null) - Number(b.name === null) : 0;
  rows.sort((a, b) => anonymousLast(a, b) || sign * compare(a, b, ui.sort) || a.id - b.id);
  memo = { version, key, rows };
  return rows;
}

function setSort(key: SortKey): void {
  ui.dir = ui.sort === key && ui.dir === 'ascending' ? 'descending' : 'ascending';
  ui.sort = key;
  requestRender();
}

function openKick(p: PeerInfo): void {
  ui.kick = p;
  ui.kickReason = DEFAULT_REASON;
  ui.kickError = null;
  requestRender();
  if (dialog && !dialog.open) dialog.showModal();
}

function closeKick(): void {
  ui.kick = null;
  dialog?.close();
  requestRender();
}

async function confirmKick(e: Event): Promise<void> {
  e.preventDefault();
  const p = ui.kick;
  if (!p) return;
  const reason = ui.kickReason.trim();
  if (reason.length > 120) {
    ui.kickError = {
      code: 'invalid-argument',
      field: 'reason',
      message: 'Keep the reason under 120 characters: it travels in the close frame.',
    };
    requestRender();
    return;
  }
  ui.kickBusy = true;
  requestRender();
  try {
    await call(api().peers.kick({ id: p.id, reason: reason || DEFAULT_REASON }));
    announce(`Kicked ${p.name ?? `anonymous connection ${p.id}`}`);
    closeKick();
  } catch (err) {
    ui.kickError = toIpcError(err);
  } finally {
    ui.kickBusy = false;
    requestRender();
  }
}

/** Arrow keys move the selection, Home/End jump, Delete (or K) asks to kick the selected peer. */
function onKey(e: KeyboardEvent): void {
  const rows = visiblePeers();
  if (rows.length === 0) return;
  let i = rows.findIndex((p) => p.id === ui.selected);
  const page = Math.max(1, Math.floor(ui.viewport / ROW_H) - 1);
  switch (e.key) {
    case 'ArrowDown':
      i = Math.min(rows.length - 1, i + 1);
      break;
    case 'ArrowUp':
      i = Math.max(0, i < 0 ? 0 : i - 1);
      break;
    case 'PageDown':
      i = Math.min(rows.length - 1, Math.max(0, i) + page);
      break;
    case 'PageUp':
      i = Math.max(0, i - page);
      break;
    case 'Home':
      i = 0;
      break;
    case 'End':
      i = rows.length - 1;
      break;
    case 'Delete':
    case 'k':
    case 'K': {
      const p = rows[i];
      if (p) {
        e.preventDefault();
        openKick(p);
      }
      return;
    }
    default:
      return;
  }
  e.preventDefault();
  ui.selected = rows[i]!.id;
  scrollToIndex(i);
  requestRender();
}

function scrollToIndex(i: number): void {
  if (!scroller) return;
  const top = i * ROW_H;
  const header = ROW_H;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW_H + header > scroller.scrollTop + scroller.clientHeight)
    scroller.scrollTop = top + ROW_H + header - scroller.clientHeight;
  ui.scrollTop = scroller.scrollTop;
}

function onScroll(e: Event): void {
  const el = e.currentTarget as HTMLElement;
  ui.scrollTop = el.scrollTop;
  ui.viewport = el.clientHeight || ui.viewport;
  requestRender();
}

function setHeight(px: number) {
  // CSSOM, not a style attribute: allowed by the page's style-src 'self'.
  return ref((el) => {
    if (el instanceof HTMLElement) el.style.height = `${px}px`;
  });
}

function row(p: PeerInfo, index: number) {
  const name = p.name ?? '';
  const selected = p.id === ui.selected;
  return html`<tr
    id="peer-${p.id}"
    data-peer-id=${p.id}
    aria-rowindex=${index + 2}
    aria-selected=${selected ? 'true' : 'false'}
    class=${selected ? 'selected' : ''}
    @click=${() => {
      ui.selected = p.id;
      requestRender();
    }}
  >
    <td class="c-name" title=${name}>${p.name === null ? html`<em class="note">anonymous</em>` : name}</td>
    <td class="c-room" title=${p.room}>${p.room === '' ? html`<span class="note">default</span>` : p.room}</td>
    <td class="c-addr mono" title=${p.remoteAddress}>${p.remoteAddress}</td>
    <td class="c-since" title=${formatDateTime(p.connectedAt)}>${formatTime(p.connectedAt)}</td>
    <td class="num c-in">${formatCount(p.messagesIn)}</td>
    <td class="num c-out">${formatCount(p.messagesOut)}</td>
    <td class="c-push">${p.pushSubscribed ? 'yes' : 'no'}</td>
    <td>
      <button type="button" class="small danger" tabindex="-1" @click=${() => openKick(p)}>
        Kick<span class="visually-hidden"> ${p.name ?? `anonymous connection ${p.id}`}</span>
      </button>
    </td>
  </tr>`;
}

function kickDialog() {
  const p = ui.kick;
  const who = p ? (p.name ?? `anonymous connection ${p.id}`) : '';
  return html`<dialog
    aria-labelledby="kick-title"
    ${ref((el) => {
      dialog = el as HTMLDialogElement | undefined;
    })}
    @close=${() => {
      ui.kick = null;
      requestRender();
    }}
  >
    <form @submit=${confirmKick}>
      <h2 id="kick-title">Kick ${who}?</h2>
      <p class="note">
        Its connection is closed with code 4000 and this
        reason.${p?.name ? ' It may reconnect under the same name.' : ''}
      </p>
      ${textField({
        id: 'kick-reason',
        label: 'Reason',
        value: ui.kickReason,
        error: ui.kickError?.message,
        onInput: (v) => {
          ui.kickReason = v;
          ui.kickError = null;
        },
      })}
      <div class="actions">
        <button type="submit" class="danger" ?disabled=${ui.kickBusy}>Kick</button>
        <button type="button" @click=${closeKick}>Cancel</button>
      </div>
    </form>
  </dialog>`;
}

/** The Peers view. */
export function peersView() {
  const s = store().state;
  const rows = visiblePeers();
  const total = s.peers.size;
  const first = Math.max(0, Math.floor(ui.scrollTop / ROW_H) - OVERSCAN);
  const count = Math.ceil(ui.viewport / ROW_H) + 2 * OVERSCAN;
  const last = Math.min(rows.length, first + count);
  const slice = rows.slice(first, last);
  const running = s.status?.state === 'running';
  // Connections without a name can send broadcasts but cannot be addressed: listed, counted apart.
  let anonymous = 0;
  for (const p of s.peers.values()) if (p.name === null) anonymous++;
  const selected = rows.find((p) => p.id === ui.selected);
  return html`
    <h1 tabindex="-1">Peers</h1>
    <div class="toolbar">
      ${textField({
        id: 'peer-filter',
        label: 'Filter by name, room or address',
        type: 'search',
        value: ui.filter,
        onInput: (v) => {
          ui.filter = v;
          ui.scrollTop = 0;
          if (scroller) scroller.scrollTop = 0;
          requestRender();
        },
      })}
      <p class="note" role="status">
        <span data-testid="peer-count"
          >${ui.filter ? `Showing ${formatCount(rows.length)} of ${plural(total, 'connection')}` : plural(total - anonymous, 'peer')}</span
        >
        ${anonymous > 0 && !ui.filter ? html`<span data-testid="anonymous-count"> · ${plural(anonymous, 'anonymous connection')}</span>` : nothing}
      </p>
      <span class="spacer"></span>
      <button type="button" ?disabled=${!selected} @click=${() => selected && openKick(selected)}>
        Kick selected…
      </button>
    </div>
    ${
      total === 0
        ? html`<p class="empty card" data-testid="peers-empty">
            ${running ? 'Nobody is connected. Devices appear here as soon as they connect (with ?user=NAME to be addressable).' : 'The server is stopped: start it on the Status page.'}
          </p>`
        : html`<div class="table-scroll" ${ref((el) => (scroller = el as HTMLElement | undefined))} @scroll=${onScroll}>
            <table
              class="data peers"
              role="grid"
              tabindex="0"
              aria-label="Connected peers. Arrow keys select a peer, Delete kicks it."
              aria-rowcount=${rows.length + 1}
              aria-activedescendant=${selected ? `peer-${selected.id}` : nothing}
              @keydown=${onKey}
            >
              <colgroup>
                ${columns.map((c) => html`<col class=${c.cls} />`)}
                <col class="c-act" />
              </colgroup>
              <thead>
                <tr aria-rowindex="1">
                  ${columns.map(
                    (c) =>
                      html`<th scope="col" class=${c.num ? 'num' : ''} aria-sort=${ui.sort === c.key ? ui.dir : 'none'}>
                        <button type="button" class="sort" @click=${() => setSort(c.key)}>
                          ${c.label}<span aria-hidden="true"
                            >${ui.sort === c.key ? (ui.dir === 'ascending' ? '▲' : '▼') : ''}</span
                          >
                        </button>
                      </th>`,
                  )}
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                <tr class="spacer" aria-hidden="true">
                  <td colspan="8" ${setHeight(first * ROW_H)}></td>
                </tr>
                ${repeat(
                  slice,
                  (p) => p.id,
                  (p, i) => row(p, first + i),
                )}
                <tr class="spacer" aria-hidden="true">
                  <td colspan="8" ${setHeight((rows.length - last) * ROW_H)}></td>
                </tr>
              </tbody>
            </table>
          </div>`
    }
    <p class="note">Message counts and push state update once a second while they change.</p>
    ${kickDialog()}
  `;
}
