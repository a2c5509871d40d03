// What the desktop app does around the server, without touching Electron: start on launch, turn problems
// into notifications and tray states, carry out tray menu actions, and stop the server gracefully before
// quitting (bounded, so a stuck client never blocks quitting). main.ts wires it to Electron.
import type { LoginItem } from '../ipc/deps.js';
import type { Settings } from '../settings/settings.js';
import type { ServerHost } from './server-host.js';
import type { MenuAction } from './tray-model.js';

export interface ControllerDeps {
  host: ServerHost;
  settings: Settings;
  /** Refreshes the tray from host.status(). */
  refreshTray: () => void | Promise<void>;
  notify: (title: string, body: string) => void;
  showWindow: () => void;
  openExternal: (url: string) => void | Promise<void>;
  copyText: (text: string) => void | Promise<void>;
  loginItem: LoginItem | null;
  /** Asks the app to quit (it calls shutdown() first, via before-quit). */
  quit: () => void;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** Longest wait for a graceful stop when quitting, ms; default 5000. */
  stopTimeoutMs?: number;
  /** Minimum ms between tray refreshes for connection counts; default 1000. */
  trayThrottleMs?: number;
}

export interface AppController {
  /** Reports settings notices and starts the server when configured to. */
  launch(): Promise<void>;
  handle(action: MenuAction): Promise<void>;
  /** Stops the server gracefully (at most stopTimeoutMs); safe to call twice. */
  shutdown(): Promise<void>;
  dispose(): void;
}

/** Wires the host's events to the tray and notifications; nothing runs until launch(). */
export function createAppController(d: ControllerDeps): AppController {
  const notified = new Set<string>();
  let trayTimer: ReturnType<typeof setTimeout> | null = null;
  let shuttingDown: Promise<void> | null = null;

  const refresh = () => {
    void Promise.resolve(d.refreshTray()).catch((err: Error) => d.log.warn(`tray refresh failed: ${err.message}`));
  };
  const offs = [
    d.host.events.on('status', refresh),
    d.host.events.on('connections', () => {
      trayTimer ??= setTimeout(() => {
        trayTimer = null;
        refresh();
      }, d.trayThrottleMs ?? 1000);
    }),
    d.host.events.on('problem', (p) => {
      if (p.severity === 'error') d.log.error(`${p.code}: ${p.message}`);
      else d.log.warn(`${p.code}: ${p.message}`);
      // One notification per distinct problem; the dashboard keeps showing it.
      const key = `${p.code}|${p.message}`;
      if (p.severity === 'error' && !notified.has(key)) {
        notified.add(key);
        d.notify('rustysignal: server problem', p.message);
      }
    }),
    d.host.events.on('status', (s) => {
      if (s.state === 'running') notified.clear();
    }),
  ];

  return {
    async launch() {
      const n = d.settings.notice;
      if (n) {
        d.log.warn(n.message);
        if (n.code !== 'settings-migrated')
          d.host.report({ severity: 'warning', code: 'settings-invalid', message: n.message });
      }
      if (!d.settings.encryption.encrypted && d.settings.encryption.message) d.log.warn(d.settings.encryption.message);
      if (d.settings.values().startServerOnLaunch) {
        const r = await d.host.start();
        if (r.ok) d.log.info(`listening: ${r.status.addresses.map((a) => a.url).join(' ')}`);
      }
      refresh();
    },
    async handle(a) {
      switch (a.kind) {
        case 'start':
          await d.host.start();
          return;
        case 'stop':
          await d.host.stop();
          return;
        case 'copy':
          await d.copyText(a.text);
          return;
        case 'show-dashboard':
          d.showWindow();
          return;
        case 'open-web-client':
          await d.openExternal(a.url);
          return;
        case 'toggle-login':
          if (d.loginItem) {
            await d.loginItem.set(a.enabled);
            d.settings.update({ startAtLogin: a.enabled });
          }
          refresh();
          return;
        case 'quit':
          d.quit();
          return;
      }
    },
    shutdown() {
      shuttingDown ??= (async () => {
        const timeout = d.stopTimeoutMs ?? 5000;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const gaveUp = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeout);
        });
        const r = await Promise.race([d.host.stop().then(() => 'stopped' as const), gaveUp]);
        clearTimeout(timer);
        if (r === 'timeout') d.log.warn(`the server did not stop within ${timeout} ms; quitting anyway`);
        else d.log.info('server stopped; quitting');
      })();
      return shuttingDown;
    },
    dispose() {
      for (const off of offs) off();
      if (trayTimer) clearTimeout(trayTimer);
    },
  };
}
