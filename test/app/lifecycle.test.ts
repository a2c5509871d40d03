// The app controller over a real server host: start on launch, failures as notifications and the error
// tray state, menu actions, and a graceful (bounded) stop before quitting.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppController, type AppController } from '../../main/app/lifecycle.js';
import { serverFactory } from '../../main/app/server-factory.js';
import { createServerHost, type ServerHost } from '../../main/app/server-host.js';
import { trayState } from '../../main/app/tray-model.js';
import type { ServerOptions } from '../../main/server/options.js';
import type { SignalServer } from '../../main/server/surface.js';
import { createSettings, type Settings } from '../../main/settings/settings.js';
import { noEncryptor } from '../../main/settings/secrets.js';
import { memoryStore } from '../../main/settings/store.js';
import { connect, until } from '../support/clients.js';

let host: ServerHost;
let controller: AppController | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  controller?.dispose();
  await host?.stop();
  blocker?.close();
  controller = blocker = undefined;
});

function setup(
  settingsPatch: Record<string, unknown> = {},
  factory = serverFactory({ stopGraceMs: 300 }),
  stopTimeoutMs = 2000,
) {
  const settings: Settings = createSettings({ store: memoryStore(), encryptor: noEncryptor() });
  settings.update({ host: '127.0.0.1', port: 0, mdns: { enabled: false }, relay: { port: 0 }, ...settingsPatch });
  host = createServerHost({ factory, options: () => settings.serverOptions({ dataDir: null, webClientDir: null }) });
  const ui = {
    trayStates: [] as string[],
    notes: [] as Array<[string, string]>,
    shown: 0,
    opened: [] as string[],
    copied: [] as string[],
    quits: 0,
    logs: [] as string[],
    login: false,
  };
  controller = createAppController({
    host,
    settings,
    refreshTray: () => void ui.trayStates.push(trayState(host.status())),
    notify: (t, b) => void ui.notes.push([t, b]),
    showWindow: () => void ui.shown++,
    openExternal: (u) => void ui.opened.push(u),
    copyText: (t) => void ui.copied.push(t),
    loginItem: { get: () => Promise.resolve(ui.login), set: (v) => Promise.resolve(void (ui.login = v)) },
    quit: () => void ui.quits++,
    log: {
      info: (m) => ui.logs.push(`info ${m}`),
      warn: (m) => ui.logs.push(`warn ${m}`),
      error: (m) => ui.logs.push(`error ${m}`),
    },
    stopTimeoutMs,
    trayThrottleMs: 10,
  });
  return { settings, ui, c: controller };
}

describe('app controller', () => {
  it('starts the server on launch and shows it in the tray', async () => {
    const { ui, c } = setup();
    await c.launch();
    expect(host.state()).toBe('running');
    expect(ui.trayStates.at(-1)).toBe('running');
    expect(ui.logs.some((l) => l.startsWith('info listening: ws://127.0.0.1:'))).toBe(true);
    expect(ui.logs).toContain('warn Secrets are stored unencrypted: no system keychain is available to this process.');
  });

  it('does not start when configured not to', async () => {
    const { c } = setup({ startServerOnLaunch: false });
    await c.launch();
    expect(host.state()).toBe('stopped');
  });

  it('turns a failed start into the error icon and one notification, never a crash', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const { ui, c } = setup({ port });
    await c.launch();
    await c.handle({ kind: 'start' });
    expect(host.state()).toBe('error');
    expect(ui.trayStates.at(-1)).toBe('error');
    expect(ui.notes).toHaveLength(1);
    expect(ui.notes[0]![0]).toBe('rustysignal: server problem');
    expect(ui.notes[0]![1]).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it('carries out menu actions', async () => {
    const { ui, c, settings } = setup();
    await c.handle({ kind: 'start' });
    await c.handle({ kind: 'copy', text: 'ws://x/' });
    await c.handle({ kind: 'show-dashboard' });
    await c.handle({ kind: 'open-web-client', url: 'http://x/' });
    await c.handle({ kind: 'toggle-login', enabled: true });
    await c.handle({ kind: 'stop' });
    await c.handle({ kind: 'quit' });
    expect([ui.copied, ui.shown, ui.opened, ui.login, settings.values().startAtLogin, host.state(), ui.quits]).toEqual([
      ['ws://x/'],
      1,
      ['http://x/'],
      true,
      true,
      'stopped',
      1,
    ]);
  });

  it('refreshes the tray as peers come and go (throttled)', async () => {
    const { ui, c } = setup();
    await c.launch();
    const before = ui.trayStates.length;
    const a = await connect(`ws://127.0.0.1:${host.status().port}/?user=a`);
    await until(() => ui.trayStates.length > before);
    await a.close();
  });

  it('stops the server gracefully before quitting: clients get 1001', async () => {
    const { c, ui } = setup();
    await c.launch();
    const a = await connect(`ws://127.0.0.1:${host.status().port}/?user=a`);
    await c.shutdown();
    expect((await a.closed).code).toBe(1001);
    expect(host.state()).toBe('stopped');
    expect(ui.logs.at(-1)).toBe('info server stopped; quitting');
    await c.shutdown(); // twice is harmless
  });

  it('quits anyway when the server does not stop in time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stuck = (o: ServerOptions): SignalServer => {
      const real = serverFactory({ stopGraceMs: 100 })(o);
      return Object.assign(Object.create(real) as SignalServer, { stop: async () => (await gate, real.stop()) });
    };
    const { c, ui } = setup({}, stuck, 50);
    await c.launch();
    expect(host.state()).toBe('running');
    const t = Date.now();
    await c.shutdown();
    expect(Date.now() - t).toBeLessThan(1000);
    expect(ui.logs.at(-1)).toBe('warn the server did not stop within 50 ms; quitting anyway');
    release();
    await host.stop();
    expect(host.state()).toBe('stopped');
  });
});
