// Rooms: who is in which room, and the teacher's controls per room: lock it (no new names), give it an
// access code, and a join QR code that carries the room and its code.
import { html, nothing } from 'lit';
import type { IpcError, RoomInfo, StatusInfo } from '../../../../main/ipc/contract.js';
import { call, toIpcError } from '../api.js';
import { announce } from '../components/announce.js';
import { errorBanner } from '../components/banner.js';
import { copyButton } from '../components/copy.js';
import { textField } from '../components/field.js';
import { qrCode } from '../components/qr.js';
import { api, store } from '../context.js';
import { formatCount } from '../format.js';
import { requestRender } from '../schedule.js';

const ui = {
  rooms: [] as RoomInfo[],
  /** The peers version the list was fetched for (peer-joined/left change who is in which room). */
  fetchedFor: -1,
  error: null as IpcError | null,
  busy: null as string | null,
  newRoom: '',
  newRoomError: undefined as string | undefined,
  /** Typed codes, per room, until applied. */
  codes: new Map<string, string>(),
  codeErrors: new Map<string, string>(),
};

async function refresh(): Promise<void> {
  try {
    ui.rooms = await call(api().rooms.list());
    ui.error = null;
  } catch (err) {
    ui.error = toIpcError(err);
  }
  requestRender();
}

async function change(room: string, patch: { locked?: boolean; code?: string | null }, done: string): Promise<void> {
  ui.busy = room;
  ui.codeErrors.delete(room);
  requestRender();
  try {
    const r = await call(api().rooms.set({ room, ...patch }));
    ui.rooms = [...ui.rooms.filter((x) => x.room !== room), r].sort((a, b) => (a.room < b.room ? -1 : 1));
    ui.codes.delete(room);
    announce(done);
  } catch (err) {
    const e = toIpcError(err);
    if (e.field === 'code') ui.codeErrors.set(room, e.message);
    else ui.error = e;
  } finally {
    ui.busy = null;
    requestRender();
  }
}

const roomLabel = (room: string) => (room === '' ? 'Main room (no room in the address)' : room);

/** The web client address for `room` (path form when it can be one), with the access key and the room code. */
export function joinUrl(webClientUrl: string, room: string, code: string | null): string {
  const base = new URL(webClientUrl);
  const asPath = room !== '' && /^[^/.]+$/.test(room);
  const u = new URL(`./${asPath ? encodeURIComponent(room) : ''}`, base);
  u.search = base.search;
  if (room !== '' && !asPath) u.searchParams.set('room', room);
  if (code !== null) u.searchParams.set('code', code);
  return u.toString();
}

function scanBase(status: StatusInfo | null): string | null {
  const a =
    status?.addresses.find((x) => !x.internal && x.webClientUrl) ?? status?.addresses.find((x) => x.webClientUrl);
  return a?.webClientUrl ?? null;
}

function roomCard(r: RoomInfo, base: string | null) {
  const id = `room-${encodeURIComponent(r.room || 'main').replace(/%/g, '_')}`;
  const typed = ui.codes.get(r.room) ?? r.code ?? '';
  const busy = ui.busy === r.room;
  const url = base ? joinUrl(base, r.room, r.code) : null;
  return html`<li class="card room" data-room=${r.room} data-locked=${String(r.locked)}>
    <div>
      <h2 id="${id}-title">${roomLabel(r.room)}</h2>
      <p class="note">
        ${formatCount(r.peers)} named, ${formatCount(r.connections)}
        connected${r.locked ? html` · <strong>locked</strong>` : nothing}${
          r.code ? html` · access code <code class="mono">${r.code}</code>` : nothing
        }
      </p>
      <div class="actions">
        <button
          type="button"
          class=${r.locked ? 'primary' : ''}
          aria-pressed=${String(r.locked)}
          ?disabled=${busy}
          @click=${() =>
            change(r.room, { locked: !r.locked }, `${roomLabel(r.room)} ${r.locked ? 'unlocked' : 'locked'}`)}
        >
          ${r.locked ? 'Unlock room' : 'Lock room'}<span class="visually-hidden"> ${roomLabel(r.room)}</span>
        </button>
        <a href="#/peers" class="button">People in it (kick)…</a>
      </div>
      <form
        class="code-form"
        @submit=${(e: Event) => {
          e.preventDefault();
          void change(r.room, { code: typed.trim() || null }, `Access code of ${roomLabel(r.room)} set`);
        }}
      >
        ${textField({
          id: `${id}-code`,
          label: `Access code for ${roomLabel(r.room)}`,
          hint: 'Students need it to join (it is in the QR code). Empty: no code.',
          value: typed,
          error: ui.codeErrors.get(r.room),
          onInput: (v) => {
            ui.codes.set(r.room, v);
            requestRender();
          },
        })}
        <button type="submit" ?disabled=${busy}>Set code</button>
        ${
          r.code
            ? html`<button
                type="button"
                ?disabled=${busy}
                @click=${() => change(r.room, { code: null }, `Access code of ${roomLabel(r.room)} removed`)}
              >
                Remove code
              </button>`
            : nothing
        }
      </form>
      ${
        url
          ? html`<p class="url-line">
              <span class="note">Join</span> <code class="mono" data-testid="room-url">${url}</code>
              ${copyButton(url, `join address of ${roomLabel(r.room)}`)}
            </p>`
          : nothing
      }
    </div>
    ${url ? qrCode(url, `QR code to join ${roomLabel(r.room)}: ${url}`) : nothing}
  </li>`;
}

/** The Rooms view. */
export function roomsView() {
  const s = store().state;
  const running = s.status?.state === 'running';
  if (running && ui.fetchedFor !== s.peersVersion) {
    ui.fetchedFor = s.peersVersion;
    void refresh();
  }
  const base = scanBase(s.status);
  return html`
    <h1 tabindex="-1">Rooms</h1>
    ${errorBanner(ui.error)}
    <p class="note">
      Each class can have its own room. Lock a room once everyone is in (new names are refused; people already in it can
      reload), or give it an access code that only the QR code and address below carry.
    </p>
    ${
      !running
        ? html`<p class="empty card">The server is stopped: start it on the Status page.</p>`
        : html`<form
              class="card actions"
              @submit=${(e: Event) => {
                e.preventDefault();
                const room = ui.newRoom.trim();
                if (room === '' || [...room].length > 64) {
                  ui.newRoomError = 'A room name is 1 to 64 characters.';
                  return requestRender();
                }
                ui.newRoomError = undefined;
                ui.newRoom = '';
                if (!ui.rooms.some((r) => r.room === room))
                  ui.rooms = [...ui.rooms, { room, connections: 0, peers: 0, locked: false, code: null }];
                requestRender();
              }}
            >
              ${textField({
                id: 'new-room',
                label: 'Prepare a room',
                hint: 'e.g. class-3b; then set its code or lock it below.',
                value: ui.newRoom,
                error: ui.newRoomError,
                onInput: (v) => {
                  ui.newRoom = v;
                  requestRender();
                },
              })}
              <button type="submit">Add room</button>
            </form>
            ${
              ui.rooms.length === 0
                ? html`<p class="empty card" data-testid="rooms-empty">
                    Nobody is in any room yet. Rooms appear as soon as someone joins one.
                  </p>`
                : html`<ul class="rooms" aria-label="Rooms">
                    ${ui.rooms.map((r) => roomCard(r, base))}
                  </ul>`
            }`
    }
  `;
}
