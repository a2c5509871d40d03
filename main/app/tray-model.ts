// What the tray shows, as pure functions of the server's status: icon state, tooltip and menu model.
// tray.ts turns the model into an Electron Menu; tests check the model directly.
import type { StatusInfo } from '../ipc/contract.js';

export type TrayState = 'stopped' | 'running' | 'error';

/** Actions a menu item triggers; tray.ts maps them to handlers. */
export type MenuAction =
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'copy'; text: string }
  | { kind: 'show-dashboard' }
  | { kind: 'open-web-client'; url: string }
  | { kind: 'toggle-login'; enabled: boolean }
  | { kind: 'quit' };

export type MenuItemModel =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action: MenuAction | null }
  | { type: 'checkbox'; label: string; checked: boolean; action: MenuAction }
  | { type: 'submenu'; label: string; items: MenuItemModel[] };

/** The tray icon for a status: `error` when the last start failed or a running server reports an error. */
export function trayState(s: StatusInfo): TrayState {
  if (s.state === 'error' || s.problems.some((p) => p.severity === 'error')) return 'error';
  return s.state === 'running' ? 'running' : 'stopped';
}

function mainAddress(s: StatusInfo) {
  return s.addresses.find((a) => !a.internal) ?? s.addresses[0];
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One line saying what the server is doing. */
export function statusLine(s: StatusInfo): string {
  switch (s.state) {
    case 'running':
      return `Running on port ${s.port} · ${plural(s.peers, 'peer')}`;
    case 'starting':
      return 'Starting…';
    case 'stopping':
      return 'Stopping…';
    case 'error': {
      const p = s.problems.findLast((q) => q.severity === 'error');
      return `Not running: ${p?.message ?? 'the server failed'}`;
    }
    default:
      return 'Stopped';
  }
}

/** Tray tooltip: the main URL and the peer count (Windows truncates tooltips at 127 characters). */
export function tooltip(s: StatusInfo, productName = 'rustysignal'): string {
  const a = mainAddress(s);
  const text =
    s.state === 'running' && a
      ? `${productName}: ${a.url} · ${plural(s.peers, 'peer')}`
      : `${productName}: ${statusLine(s)}`;
  return text.length > 127 ? `${text.slice(0, 126)}…` : text;
}

/** The connection relay in one line while the server runs: its port and live relayed connections, or why it is off. */
export function relayLine(s: StatusInfo): string {
  const r = s.relay;
  if (r.problem) return `Relay off: ${r.problem}`;
  if (!r.enabled || r.port === null) return 'Relay off';
  return `Relay on port ${r.port} · ${plural(r.allocations, 'relayed connection')}`;
}

export interface MenuInput {
  status: StatusInfo;
  /** Read fresh from the OS each time the menu is built; null when unknown (hides the item). */
  startAtLogin: boolean | null;
}

/** The tray menu, top to bottom. */
export function trayMenu({ status: s, startAtLogin }: MenuInput): MenuItemModel[] {
  const running = s.state === 'running';
  const busy = s.state === 'starting' || s.state === 'stopping';
  const line = statusLine(s);
  const relay = running ? relayLine(s) : null;
  const items: MenuItemModel[] = [
    { type: 'normal', label: line.length > 80 ? `${line.slice(0, 79)}…` : line, enabled: false, action: null },
    ...(relay ? [{ type: 'normal' as const, label: relay, enabled: false, action: null }] : []),
    { type: 'separator' },
    running || s.state === 'stopping'
      ? { type: 'normal', label: 'Stop server', enabled: !busy, action: { kind: 'stop' } }
      : { type: 'normal', label: 'Start server', enabled: !busy, action: { kind: 'start' } },
  ];
  if (running && s.addresses.length > 0) {
    items.push({
      type: 'submenu',
      label: 'Copy address',
      items: s.addresses.map((a) => ({
        type: 'normal' as const,
        label: `${a.url}${a.interface ? `  (${a.interface})` : ''}`,
        enabled: true,
        action: { kind: 'copy' as const, text: a.url },
      })),
    });
  }
  items.push(
    { type: 'separator' },
    { type: 'normal', label: 'Show dashboard', enabled: true, action: { kind: 'show-dashboard' } },
  );
  const web = running ? mainAddress(s)?.webClientUrl : null;
  if (web)
    items.push({
      type: 'normal',
      label: 'Open web client in browser',
      enabled: true,
      action: { kind: 'open-web-client', url: web },
    });
  if (startAtLogin !== null) {
    items.push({
      type: 'checkbox',
      label: 'Start at login',
      checked: startAtLogin,
      action: { kind: 'toggle-login', enabled: !startAtLogin },
    });
  }
  items.push(
    { type: 'separator' },
    { type: 'normal', label: 'Quit rustysignal', enabled: true, action: { kind: 'quit' } },
  );
  return items;
}
