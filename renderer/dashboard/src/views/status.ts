// Status: is the server running, how busy is it, and which URLs reach it (with copy and QR).
import { html, nothing } from 'lit';
import type { AddressInfo, IpcError, StatusInfo } from '../../../../main/ipc/contract.js';
import { call, toIpcError } from '../api.js';
import { errorBanner, problemBanners } from '../components/banner.js';
import { copyButton } from '../components/copy.js';
import { qrCode } from '../components/qr.js';
import { api, store } from '../context.js';
import { formatCount, formatDuration } from '../format.js';
import { requestRender } from '../schedule.js';

const ui: { busy: 'start' | 'stop' | null; error: IpcError | null } = { busy: null, error: null };

async function run(action: 'start' | 'stop'): Promise<void> {
  ui.busy = action;
  ui.error = null;
  requestRender();
  try {
    const a = api();
    const status = await call(action === 'start' ? a.server.start() : a.server.stop());
    store().set('status', status);
  } catch (err) {
    ui.error = toIpcError(err);
  } finally {
    ui.busy = null;
    requestRender();
  }
}

async function openWebClient(url: string): Promise<void> {
  try {
    await call(api().app.openExternal({ url }));
  } catch (err) {
    ui.error = toIpcError(err);
    requestRender();
  }
}

const stateText: Record<StatusInfo['state'], string> = {
  running: 'Running',
  starting: 'Starting…',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  error: 'Stopped after an error',
};

/** The coloured state pill used here and in the header. */
export function statePill(status: StatusInfo | null) {
  const state = status?.state ?? 'stopped';
  const cls = state === 'running' ? 'running' : state === 'starting' || state === 'stopping' ? 'busy' : 'stopped';
  return html`<span class="pill ${cls}" data-testid="state">${stateText[state]}</span>`;
}

function addressRow(a: AddressInfo) {
  const scanUrl = a.webClientUrl ?? a.url;
  const label = `${a.interface} (${a.family}${a.internal ? ', this machine only' : ''})`;
  return html`<li class="address" data-interface=${a.interface} data-address=${a.address}>
    <div>
      <h3>${a.interface} <span class="note">${a.address}${a.internal ? ' · this machine only' : ''}</span></h3>
      <p class="url-line">
        <span class="note">Signaling</span>
        <code class="mono" data-testid="ws-url">${a.url}</code>
        ${copyButton(a.url, `signaling URL for ${label}`)}
      </p>
      ${
        a.trustUrl
          ? html`<p class="url-line">
              <span class="note">Onboarding</span>
              <code class="mono" data-testid="trust-url">${a.trustUrl}</code>
              ${copyButton(a.trustUrl, `onboarding URL for ${label}`)}
            </p>`
          : nothing
      }
      ${
        a.webClientUrl
          ? html`<p class="url-line">
              <span class="note">Web client</span>
              <code class="mono" data-testid="web-url">${a.webClientUrl}</code>
              ${copyButton(a.webClientUrl, `web client URL for ${label}`)}
              <button type="button" class="small" @click=${() => openWebClient(a.webClientUrl!)}>
                Open<span class="visually-hidden"> the web client for ${label}</span>
              </button>
            </p>`
          : nothing
      }
    </div>
    ${
      a.internal
        ? nothing
        : a.trustUrl
          ? // Onboarding first (a device trusts the CA once, over plain http), then the page to join.
            html`<div class="qr-pair">
              <figure>
                ${qrCode(a.trustUrl, `Onboarding QR code for ${a.trustUrl}`)}
                <figcaption>1. Trust this server</figcaption>
              </figure>
              <figure>
                ${qrCode(scanUrl, `QR code for ${scanUrl}`)}
                <figcaption>2. Join</figcaption>
              </figure>
            </div>`
          : qrCode(scanUrl, `QR code for ${scanUrl}`)
    }
  </li>`;
}

function addresses(status: StatusInfo) {
  if (status.state !== 'running') {
    return html`<p class="note">Start the server to see the addresses devices can use.</p>`;
  }
  const lan = status.addresses.filter((a) => !a.internal);
  const local = status.addresses.filter((a) => a.internal);
  return html`
    <p class="note">
      Devices on the same network connect with one of these URLs${lan.length ? ' (scan the QR code with a phone)' : ''}.
      ${status.advertisedName ? html`Other apps can also find this server as <strong>${status.advertisedName}</strong>.` : nothing}
    </p>
    ${
      status.trust
        ? html`<p class="note" data-testid="trust-fingerprint">
            A device scans the onboarding code once and trusts the local CA; it shows this fingerprint to compare:
            <code class="mono">SHA-256 ${status.trust.fingerprint256}</code>
          </p>`
        : nothing
    }
    ${
      lan.length === 0
        ? html`<div class="banner warning" role="status">
            <div>
              <strong>No network address</strong>
              <p>
                This computer has no LAN address right now, so other devices cannot reach it. Connect to the Wi-Fi or
                network the devices use.
              </p>
            </div>
          </div>`
        : nothing
    }
    <ul class="addresses" aria-label="Addresses">
      ${lan.map(addressRow)}${local.map(addressRow)}
    </ul>
  `;
}

// Rooms with at least one connection, from the live peer list (the connections event carries no room count).
let roomsMemo = { version: -1, count: 0 };
function liveRooms(): number {
  const { peers, peersVersion } = store().state;
  if (roomsMemo.version !== peersVersion)
    roomsMemo = { version: peersVersion, count: new Set([...peers.values()].map((p) => p.room)).size };
  return roomsMemo.count;
}

/** The Status view. */
export function statusView() {
  const s = store().state.status;
  if (!s)
    return html`<h1 tabindex="-1">Status</h1>
      <p class="note">Loading…</p>`;
  const running = s.state === 'running';
  const busy = ui.busy !== null || s.state === 'starting' || s.state === 'stopping';
  const uptime = running && s.startedAt !== null ? formatDuration(Date.now() - s.startedAt) : '—';
  // An action error that the status already reports as a problem would be said twice.
  const actionError = ui.error && !s.problems.some((p) => p.code === ui.error!.code) ? ui.error : null;
  return html`
    <h1 tabindex="-1">Status</h1>
    ${problemBanners(s.problems)} ${errorBanner(actionError)}
    <section class="card" aria-labelledby="server-heading">
      <h2 id="server-heading" class="visually-hidden">Server</h2>
      <p>
        ${statePill(s)}
        ${running ? html` on port <strong data-testid="port">${s.port}</strong> (${s.tls ? 'wss, TLS on' : 'ws, no TLS'})` : nothing}
      </p>
      <div class="actions">
        <button type="button" class="primary" ?disabled=${running || busy} @click=${() => run('start')}>
          Start server
        </button>
        <button type="button" class="danger" ?disabled=${!running || busy} @click=${() => run('stop')}>
          Stop server
        </button>
      </div>
    </section>
    <dl class="stats">
      <div>
        <dt>Uptime</dt>
        <dd data-testid="uptime">${uptime}</dd>
      </div>
      <div>
        <dt>Connections</dt>
        <dd data-testid="connections">${formatCount(s.connections)}</dd>
      </div>
      <div>
        <dt>Peers</dt>
        <dd data-testid="peers">${formatCount(s.peers)}</dd>
      </div>
      <div>
        <dt>Rooms</dt>
        <dd data-testid="rooms">${formatCount(running ? liveRooms() : 0)}</dd>
      </div>
      <div>
        <dt>Connection relay</dt>
        <dd data-testid="relay">${relayText(s.relay)}</dd>
      </div>
      <div>
        <dt>Push subscriptions</dt>
        <dd data-testid="push-subscriptions">${s.push.enabled ? formatCount(s.push.subscriptions) : 'off'}</dd>
      </div>
    </dl>
    <section aria-labelledby="addr-heading">
      <h2 id="addr-heading">Addresses</h2>
      ${addresses(s)}
    </section>
  `;
}

/** "port 3478 · 2 relayed · 1.2 MB/s", "off", or "off: port in use". */
function relayText(r: StatusInfo['relay']): string {
  if (!r.enabled) return r.problem ? 'off (port in use or blocked: see the banner)' : 'off';
  const rate =
    r.bytesPerSecond >= 1e6
      ? `${(r.bytesPerSecond / 1e6).toFixed(1)} MB/s`
      : `${Math.round(r.bytesPerSecond / 1e3)} kB/s`;
  return `port ${r.port} · ${formatCount(r.allocations)} relayed · ${rate}`;
}
