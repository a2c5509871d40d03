// The Electron tray adapter, with the electron double: icons per platform and state, tooltip, and a menu
// built fresh (login state read again) each time it opens.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusInfo } from '../../main/ipc/contract.js';
import type { MenuAction } from '../../main/app/tray-model.js';
import { resetElectronDouble, trays, type FakeMenu } from '../support/electron-double.js';

vi.mock('electron', async () => (await import('../support/electron-double.js')).electronModule());
const { createAppTray } = await import('../../main/app/tray.js');

const stopped: StatusInfo = {
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
  ...stopped,
  state: 'running',
  port: 4000,
  peers: 2,
  addresses: [
    {
      interface: 'eth0',
      address: '10.0.0.2',
      family: 'IPv4',
      internal: false,
      url: 'ws://10.0.0.2:4000/',
      webClientUrl: null,
      trustUrl: null,
    },
  ],
};

let status: StatusInfo;
let login: boolean;
let loginReads: number;
let actions: MenuAction[];
const make = (platform: NodeJS.Platform) =>
  createAppTray({
    iconDir: '/icons',
    status: () => status,
    startAtLogin: () => Promise.resolve((loginReads++, login)),
    onAction: (a) => actions.push(a),
    platform,
  });
const labels = (m: FakeMenu | null | undefined) => (m?.template ?? []).map((i) => i.label ?? '---');
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  resetElectronDouble();
  status = stopped;
  login = false;
  loginReads = 0;
  actions = [];
});

describe('tray', () => {
  it('Linux: colour icons per state, a preset menu rebuilt on refresh, tooltip with URL and peers', async () => {
    const t = make('linux');
    await flush();
    const tray = trays[0]!;
    expect(tray.image.path).toBe('/icons/stopped@2x.png');
    expect(tray.tooltip).toBe('rustysignal: Stopped');
    expect(labels(tray.contextMenu)[0]).toBe('Stopped');
    status = running;
    login = true;
    await t.refresh();
    expect(tray.image.path).toBe('/icons/running@2x.png');
    expect(tray.tooltip).toBe('rustysignal: ws://10.0.0.2:4000/ · 2 peers');
    expect(labels(tray.contextMenu)).toContain('Copy address');
    expect(tray.contextMenu!.template.find((i) => i.label === 'Start at login')).toMatchObject({
      type: 'checkbox',
      checked: true,
    });
    (tray.contextMenu!.template.find((i) => i.label === 'Stop server')!.click as () => void)();
    expect(actions).toEqual([{ kind: 'stop' }]);
  });

  it('macOS: template images, and the menu is built at click time with the login state read then', async () => {
    make('darwin');
    await flush();
    const tray = trays[0]!;
    expect(tray.image).toMatchObject({ path: '/icons/stoppedTemplate.png', template: true });
    expect(tray.contextMenu).toBeNull();
    const reads = loginReads;
    login = true;
    tray.emit('click');
    await flush();
    expect(loginReads).toBe(reads + 1);
    expect(tray.poppedUp).toHaveLength(1);
    expect(tray.poppedUp[0]!.template.find((i) => i.label === 'Start at login')).toMatchObject({ checked: true });
  });

  it('Windows: click shows the dashboard, right-click opens the fresh menu', async () => {
    make('win32');
    await flush();
    const tray = trays[0]!;
    expect(tray.image.path).toBe('/icons/stopped.png');
    tray.emit('click');
    expect(actions).toEqual([{ kind: 'show-dashboard' }]);
    tray.emit('right-click');
    await flush();
    expect(labels(tray.poppedUp[0])).toEqual([
      'Stopped',
      '---',
      'Start server',
      '---',
      'Show dashboard',
      'Start at login',
      '---',
      'Quit rustysignal',
    ]);
  });

  it('switches to the error icon on a failed start and destroys the tray', async () => {
    const t = make('linux');
    status = {
      ...stopped,
      state: 'error',
      problems: [{ severity: 'error', code: 'tls-invalid', message: 'bad cert', at: 1 }],
    };
    await t.refresh();
    expect(trays[0]!.image.path).toBe('/icons/error@2x.png');
    expect(trays[0]!.tooltip).toBe('rustysignal: Not running: bad cert');
    t.destroy();
    expect(trays[0]!.destroyed).toBe(true);
  });
});
