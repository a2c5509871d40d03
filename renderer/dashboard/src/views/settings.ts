// Settings: validated here field by field, then sent as a patch of the changed fields through IPC;
// errors the main process finds come back per field and are shown next to it.
import { html, nothing } from 'lit';
import type { IpcError, SettingsPatch, SettingsValues } from '../../../../main/ipc/contract.js';
import { call, toIpcError } from '../api.js';
import { announce } from '../components/announce.js';
import { errorBanner } from '../components/banner.js';
import { checkField, focusFirstInvalid, textField, type TextFieldProps } from '../components/field.js';
import { placeErrors } from '../components/field-errors.js';
import { api, store } from '../context.js';
import { formatBytes } from '../format.js';
import { requestRender } from '../schedule.js';
import { draftOf, parseSettings, type FieldErrors, type SettingsDraft } from '../validate.js';

const ui = {
  draft: null as SettingsDraft | null,
  /** The stored values the draft started from: a draft equal to them is not dirty. */
  base: null as SettingsValues | null,
  errors: {} as FieldErrors,
  error: null as IpcError | null,
  saving: false,
};

/** Element id of a settings field (`rateLimit.burst` → `set-rateLimit-burst`). */
export function settingsFieldId(path: string): string {
  return `set-${path.replace(/\./g, '-')}`;
}

function dirty(): boolean {
  return !!ui.draft && !!ui.base && JSON.stringify(ui.draft) !== JSON.stringify(draftOf(ui.base));
}

/** The fields of `next` that differ from `prev`, as a contract patch. */
function diff(prev: SettingsValues, next: SettingsValues): SettingsPatch {
  const patch: SettingsPatch = {};
  const p = patch as Record<string, unknown>;
  for (const k of Object.keys(next) as Array<keyof SettingsValues>) {
    const a = prev[k];
    const b = next[k];
    if (typeof b === 'object' && b !== null && typeof a === 'object' && a !== null) {
      const sub: Record<string, unknown> = {};
      for (const [sk, sv] of Object.entries(b)) if ((a as Record<string, unknown>)[sk] !== sv) sub[sk] = sv;
      if (Object.keys(sub).length) p[k] = sub;
    } else if (a !== b) {
      p[k] = b;
    }
  }
  return patch;
}

async function save(e: Event): Promise<void> {
  e.preventDefault();
  const info = store().state.settings;
  if (!ui.draft || !info) return;
  ui.errors = {};
  ui.error = null;
  const parsed = parseSettings(ui.draft);
  if (parsed.errors) {
    ui.errors = parsed.errors;
    requestRender();
    focusFirstInvalid();
    return;
  }
  const patch = diff(info.values, parsed.values);
  if (Object.keys(patch).length === 0) {
    announce('Nothing to save: no setting changed');
    return;
  }
  ui.saving = true;
  requestRender();
  try {
    const r = await call(api().settings.set(patch));
    store().set('settings', r.settings);
    ui.base = r.settings.values;
    ui.draft = draftOf(r.settings.values);
    const how = {
      live: 'applied without dropping connections',
      restarted: 'the server restarted to apply them',
      stored: 'they apply at the next start',
    }[r.applied];
    announce(`Settings saved: ${how}`, 5000);
  } catch (err) {
    ui.error = placeErrors(toIpcError(err), ui.errors, (f) => (ui.draft && f in ui.draft ? f : null));
  } finally {
    ui.saving = false;
    requestRender();
  }
}

function text(
  key: Exclude<
    keyof SettingsDraft,
    `mdns.enabled` | 'serveWebClient' | 'startServerOnLaunch' | 'startAtLogin' | 'startHidden'
  >,
  label: string,
  extra: Partial<TextFieldProps> = {},
) {
  const d = ui.draft!;
  return textField({
    id: settingsFieldId(key),
    label,
    value: d[key],
    error: ui.errors[key],
    ...extra,
    onInput: (v) => {
      d[key] = v;
      delete ui.errors[key];
      requestRender();
    },
  });
}

function check(
  key: 'mdns.enabled' | 'serveWebClient' | 'startServerOnLaunch' | 'startAtLogin' | 'startHidden',
  label: string,
  hint?: string,
) {
  const d = ui.draft!;
  return checkField({
    id: settingsFieldId(key),
    label,
    hint,
    checked: d[key],
    error: ui.errors[key],
    onChange: (v) => {
      d[key] = v;
      delete ui.errors[key];
      requestRender();
    },
  });
}

function numberHint(key: keyof SettingsDraft, fn: (n: number) => string): string | undefined {
  const n = Number(ui.draft?.[key]);
  return Number.isFinite(n) && String(ui.draft?.[key]).trim() !== '' ? fn(n) : undefined;
}

/** The Settings view. */
export function settingsView() {
  const info = store().state.settings;
  if (!info)
    return html`<h1 tabindex="-1">Settings</h1>
      <p class="note">Loading…</p>`;
  // A fresh draft when there is none or nothing was edited; an edit in progress is never overwritten.
  if (!ui.draft || (!dirty() && ui.base !== info.values)) {
    ui.draft = draftOf(info.values);
    ui.base = info.values;
  }
  const d = info.defaults;
  const ifaces = [...new Set(store().state.status?.addresses.map((a) => a.interface) ?? [])];
  return html`
    <h1 tabindex="-1">Settings</h1>
    ${errorBanner(ui.error)}
    ${
      info.secrets.encrypted
        ? nothing
        : html`<div class="banner warning" role="status" data-testid="secrets-plain">
            <div>
              <p>
                ${info.secrets.message ?? 'Secrets are stored unencrypted.'} The access key and private keys are
                readable by anyone who can read your files.
              </p>
            </div>
          </div>`
    }
    <form @submit=${save} novalidate aria-describedby="settings-note">
      <fieldset>
        <legend>Connections</legend>
        <div class="form-grid">
          ${text('host', 'Bind address', { hint: `0.0.0.0 = every IPv4 interface, :: = every interface, 127.0.0.1 = this computer only. Default ${d.host}.` })}
          ${text('port', 'Port', { inputmode: 'numeric', hint: `0 to 65535; 0 picks a free port. Default ${d.port}.` })}
          ${text('accessKey', 'Access key (optional)', { hint: 'Clients must add ?key=… to the URL. Empty: anyone on the network may connect.' })}
          ${text('allowedOrigins', 'Also allow web pages from (optional)', { hint: "Origins such as https://app.example.org, separated by spaces; * allows any page. This server's own pages, localhost, *.local and LAN addresses are always allowed." })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Limits</legend>
        <div class="form-grid">
          ${text('maxConnections', 'Connection limit', { inputmode: 'numeric', hint: `0 = no limit. Default ${d.maxConnections}.` })}
          ${text('maxPayloadBytes', 'Largest message (bytes)', { inputmode: 'numeric', hint: numberHint('maxPayloadBytes', (n) => `${formatBytes(n)}; default ${formatBytes(d.maxPayloadBytes)}.`) })}
          ${text('rateLimit.perSecond', 'Messages per second, per connection', { inputmode: 'decimal', hint: `0 turns the rate limit off. Default ${d.rateLimit.perSecond}.` })}
          ${text('rateLimit.burst', 'Burst (messages)', { inputmode: 'numeric', hint: `Default ${d.rateLimit.burst}.` })}
          ${text('offlineTtlMs', 'Hold messages for offline peers (ms)', { inputmode: 'numeric', hint: `0 turns the offline queue off. Default ${d.offlineTtlMs}.` })}
          ${text('offlineQueueMax', 'Messages held per offline peer', { inputmode: 'numeric', hint: `1 to 10000. Default ${d.offlineQueueMax}.` })}
          ${text('offlineQueueBytes', 'Offline queue memory (bytes)', { inputmode: 'numeric', hint: numberHint('offlineQueueBytes', (n) => `${formatBytes(n)} in all; default ${formatBytes(d.offlineQueueBytes)}.`) })}
          ${text('offlineQueueSenderBytes', 'Offline queue memory per address (bytes)', { inputmode: 'numeric', hint: numberHint('offlineQueueSenderBytes', (n) => `${formatBytes(n)} for one device; default ${formatBytes(d.offlineQueueSenderBytes)}.`) })}
          ${text('pingIntervalMs', 'Ping interval (ms)', { inputmode: 'numeric', hint: `Dead connections are dropped after two intervals. Default ${d.pingIntervalMs}.` })}
        </div>
      </fieldset>
      <fieldset>
        <legend>LAN discovery (mDNS)</legend>
        <div class="form-grid">
          ${check('mdns.enabled', 'Advertise this server and look for others')}
          ${text('mdns.name', 'Name on the LAN (optional)', { hint: 'Empty: "rustysignal on" and this computer\'s name.' })}
          ${text('mdns.interface', 'Only on interface (optional)', { hint: ifaces.length ? `Empty: every LAN interface. Here: ${ifaces.join(', ')}.` : 'Empty: every LAN interface.' })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Connection relay (STUN/TURN)</legend>
        <div class="form-grid">
          ${text('relay.port', 'Relay port (UDP and TCP)', { inputmode: 'numeric', hint: `0 turns the relay off. Default ${d.relay.port}. Open it in the firewall for your LAN (docs/relay.md).` })}
          ${text('relay.relayPortsMin', 'First relayed port (UDP)', { inputmode: 'numeric', hint: `Default ${d.relay.relayPortsMin}.` })}
          ${text('relay.relayPortsMax', 'Last relayed port (UDP)', { inputmode: 'numeric', hint: `One per relayed connection. Default ${d.relay.relayPortsMax}.` })}
        </div>
      </fieldset>
      <fieldset>
        <legend>App</legend>
        <div class="form-grid">
          ${check('serveWebClient', 'Serve the web client on the same port')}
          ${check('startServerOnLaunch', 'Start the server when the app starts')}
          ${check('startAtLogin', 'Start rustysignal at login')} ${check('startHidden', 'Start hidden (tray only)')}
        </div>
      </fieldset>
      <p class="note" id="settings-note">
        Most changes apply without dropping connections; a new port or bind address restarts the server.
      </p>
      <div class="actions">
        <button type="submit" class="primary" ?disabled=${ui.saving}>${ui.saving ? 'Saving…' : 'Save settings'}</button>
        <button
          type="button"
          ?disabled=${!dirty()}
          @click=${() => {
            ui.draft = draftOf(info.values);
            ui.errors = {};
            requestRender();
          }}
        >
          Discard changes
        </button>
        <button
          type="button"
          @click=${() => {
            ui.draft = draftOf(info.defaults);
            ui.errors = {};
            requestRender();
          }}
        >
          Fill in defaults
        </button>
        ${dirty() ? html`<span class="note" data-testid="unsaved">Unsaved changes</span>` : nothing}
      </div>
    </form>
  `;
}
