// The tray's icon state, tooltip and menu as pure functions of the status.
import { describe, expect, it } from 'vitest';
import { relayLine, statusLine, tooltip, trayMenu, trayState } from '../../main/app/tray-model.js';
import type { StatusInfo } from '../../main/ipc/contract.js';

const base: StatusInfo = {
  state: 'stopped',
  port: null,
  tls: false,
  trust: null,
  connections: 0,
  peers: 0,
  rooms: 0,
  startedAt: null,
  addresses: [],
  advertisedName: null,
  problems: [],
  push: { enabled: false, publicKey: null, subscriptions: 0 },
  relay: { enabled: false, port: null, allocations: 0, bytesPerSecond: 0, problem: null },
};
const running: StatusInfo = {
  ...base,
  state: 'running',
  port: 3012,
  peers: 1,
  connections: 2,
  addresses: [
    {
      interface: 'wlan0',
      address: '192.168.1.20',
      family: 'IPv4',
      internal: false,
      url: 'ws://192.168.1.20:3012/',
      webClientUrl: 'http://192.168.1.20:3012/',
      trustUrl: null,
    },
    {
      interface: 'lo',
      address: '127.0.0.1',
      family: 'IPv4',
      internal: true,
      url: 'ws://127.0.0.1:3012/',
      webClientUrl: 'http://127.0.0.1:3012/',
      trustUrl: null,
    },
  ],
};
const failed: StatusInfo = {
  ...base,
  state: 'error',
  problems: [{ severity: 'error', code: 'port-in-use', message: 'port 3012 is already in use', at: 1 }],
};

const labels = (s: StatusInfo, login: boolean | null = false) =>
  trayMenu({ status: s, startAtLogin: login }).map((i) =>
    i.type === 'separator'
      ? '---'
      : i.type === 'submenu'
        ? `${i.label} > ${i.items.map((x) => (x.type === 'normal' ? x.label : '?')).join(' | ')}`
        : i.type === 'checkbox'
          ? `[${i.checked ? 'x' : ' '}] ${i.label}`
          : `${i.label}${i.enabled ? '' : ' (disabled)'}`,
  );

describe('tray model', () => {
  it('maps status to icon state', () => {
    expect([base, running, failed].map(trayState)).toEqual(['stopped', 'running', 'error']);
    expect(trayState({ ...running, problems: [{ severity: 'error', code: 'mdns-failed', message: 'x', at: 1 }] })).toBe(
      'error',
    );
    expect(
      trayState({ ...running, problems: [{ severity: 'warning', code: 'tls-expiring', message: 'x', at: 1 }] }),
    ).toBe('running');
  });

  it('shows the LAN URL and peer count in the tooltip', () => {
    expect(tooltip(running)).toBe('rustysignal: ws://192.168.1.20:3012/ · 1 peer');
    expect(tooltip({ ...running, peers: 3 })).toBe('rustysignal: ws://192.168.1.20:3012/ · 3 peers');
    expect(tooltip(base)).toBe('rustysignal: Stopped');
    expect(tooltip(failed)).toBe('rustysignal: Not running: port 3012 is already in use');
    expect(tooltip({ ...failed, problems: [{ ...failed.problems[0]!, message: 'x'.repeat(300) }] })).toHaveLength(127);
    expect(statusLine({ ...base, state: 'starting' })).toBe('Starting…');
  });

  it('builds the running menu: status, stop, one copy item per interface, dashboard, web client, login, quit', () => {
    expect(labels(running, true)).toEqual([
      'Running on port 3012 · 1 peer (disabled)',
      'Relay off (disabled)',
      '---',
      'Stop server',
      'Copy address > ws://192.168.1.20:3012/  (wlan0) | ws://127.0.0.1:3012/  (lo)',
      '---',
      'Show dashboard',
      'Open web client in browser',
      '[x] Start at login',
      '---',
      'Quit rustysignal',
    ]);
    const m = trayMenu({ status: running, startAtLogin: true });
    const copy = m.find((i) => i.type === 'submenu');
    expect(copy?.type === 'submenu' && copy.items[0]).toMatchObject({
      action: { kind: 'copy', text: 'ws://192.168.1.20:3012/' },
    });
    expect(m.find((i) => i.type === 'checkbox')).toMatchObject({ action: { kind: 'toggle-login', enabled: false } });
    expect(m.find((i) => i.type === 'normal' && i.label.startsWith('Open web'))).toMatchObject({
      action: { kind: 'open-web-client', url: 'http://192.168.1.20:3012/' },
    });
  });

  it('says under the status line whether the connection relay runs, with its relayed connections, or why not', () => {
    const relay = (r: Partial<StatusInfo['relay']>) => relayLine({ ...running, relay: { ...running.relay, ...r } });
    expect(relay({ enabled: true, port: 3478, allocations: 2 })).toBe('Relay on port 3478 · 2 relayed connections');
    expect(relay({ enabled: true, port: 3478, allocations: 1 })).toBe('Relay on port 3478 · 1 relayed connection');
    expect(relay({ enabled: false, problem: 'UDP port 3478 is in use' })).toBe('Relay off: UDP port 3478 is in use');
    expect(relay({})).toBe('Relay off');
  });

  it('builds the stopped and error menus without addresses, and hides login when unknown', () => {
    expect(labels(base, null)).toEqual([
      'Stopped (disabled)',
      '---',
      'Start server',
      '---',
      'Show dashboard',
      '---',
      'Quit rustysignal',
    ]);
    expect(labels(failed)[0]).toBe('Not running: port 3012 is already in use (disabled)');
    expect(labels(failed)[2]).toBe('Start server');
    expect(labels({ ...running, state: 'stopping' })[2]).toBe('Stop server (disabled)');
    expect(
      labels({ ...running, addresses: running.addresses.map((a) => ({ ...a, webClientUrl: null, trustUrl: null })) }),
    ).not.toContain('Open web client in browser');
  });
});
