// The Electron entry point: one instance, a tray, the dashboard window, the server host, IPC. Everything
// with logic lives in modules that do not import electron; this file only wires them together.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Notification, app, clipboard, dialog, protocol, shell } from 'electron';
import { createIpcHandlers } from '../ipc/handlers.js';
import type { IpcDeps } from '../ipc/deps.js';
import { forwardEvents } from '../ipc/events.js';
import { createSettings } from '../settings/settings.js';
import { fileStore } from '../settings/store.js';
import { serveAppRequest } from './app-protocol.js';
import { createAutoTls } from './auto-tls.js';
import { registerIpc, sendEvent, type TrustedContents } from './ipc-main.js';
import { createAppController } from './lifecycle.js';
import { setupLog } from './log.js';
import { HIDDEN_FLAG, loginItem } from './login-item.js';
import { safeStorageEncryptor } from './safe-storage.js';
import { APP_SCHEME, isOpenableExternal } from './security.js';
import { serverFactory } from './server-factory.js';
import { createServerHost } from './server-host.js';
import { createAppTray, type AppTray } from './tray.js';
import { createDashboardWindow, hardenContents, hardenSession } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/main/app
const root = path.resolve(here, '..', '..', '..');
const dashboardDir = path.join(root, 'dist', 'renderer', 'dashboard');
const webClientDir = path.join(root, 'dist', 'renderer', 'web-client');
const iconDir = path.join(root, 'assets', 'tray');

// Single-instance lock first: a second launch only shows the first one's window.
if (!app.requestSingleInstanceLock()) {
  app.exit(0);
} else {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  app.setAppUserModelId('org.rustysignal.app');
  void app.whenReady().then(main, (err: unknown) => {
    console.error(`rustysignal could not start: ${(err as Error).message}`);
    app.exit(1);
  });
}

async function main(): Promise<void> {
  const log = setupLog();
  if (process.platform === 'darwin') app.dock?.hide();
  hardenSession();
  protocol.handle(APP_SCHEME, (req) => serveAppRequest(req, dashboardDir));

  // Where electron-store kept it, in the same JSON: settings written by earlier versions load as they are.
  const store = fileStore(path.join(app.getPath('userData'), 'settings.json'));
  const settings = createSettings({ store, encryptor: safeStorageEncryptor(store.location) });
  // The web client is served only when its bundle was built into the app.
  const paths = {
    dataDir: app.getPath('userData'),
    webClientDir: existsSync(path.join(webClientDir, 'index.html')) ? webClientDir : null,
  };
  // TLS `auto` once the local CA exists: a re-issued leaf is applied live through apply().
  const autoTls = createAutoTls(settings, paths, () => void host.apply());
  const host = createServerHost({
    factory: serverFactory({ logger: log.logger }),
    options: () => autoTls.options(),
  });
  const login = loginItem();
  const externalOrigins = () =>
    host.status().addresses.flatMap((a) => (a.webClientUrl ? [new URL(a.webClientUrl).origin] : []));

  let quitting = false;
  let win: BrowserWindow | null = null;
  const trusted: TrustedContents = {
    ids: () => new Set(win && !win.isDestroyed() ? [win.webContents.id] : []),
    all: () => (win && !win.isDestroyed() ? [win.webContents] : []),
  };
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, externalOrigins));

  const showWindow = () => {
    win ??= createDashboardWindow({
      preload: path.join(here, 'preload.cjs'),
      externalOrigins,
      quitting: () => quitting,
    });
    if (win.isMinimized()) win.restore();
    if (win.webContents.isLoading()) win.once('ready-to-show', () => win?.show());
    else win.show();
    win.focus();
  };

  const deps: IpcDeps = {
    host,
    settings,
    logs: log.source,
    app: {
      name: app.getName(),
      version: app.getVersion(),
      platform: process.platform,
      dataFolder: app.getPath('userData'),
    },
    dialogs: {
      openFile: async ({ title, filters }) => {
        const r = await dialog.showOpenDialog({ title, filters, properties: ['openFile'] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      saveFile: async ({ title, defaultName, filters }) => {
        const r = await dialog.showSaveDialog({ title, defaultPath: defaultName, filters });
        return r.canceled ? null : (r.filePath ?? null);
      },
    },
    openPath: (p) => shell.openPath(p),
    openExternal: async (url) => {
      if (isOpenableExternal(url, externalOrigins())) await shell.openExternal(url);
    },
    copyText: (text) => clipboard.writeText(text),
    loginItem: login,
  };
  registerIpc(createIpcHandlers(deps), trusted);
  forwardEvents(deps, (event, payload) => sendEvent(trusted, event, payload));

  let tray: AppTray | null = null;
  const controller = createAppController({
    host,
    settings,
    refreshTray: () => tray?.refresh(),
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    showWindow,
    openExternal: (url) => deps.openExternal!(url),
    copyText: (text) => clipboard.writeText(text),
    loginItem: login,
    quit: () => app.quit(),
    log,
  });
  tray = createAppTray({
    iconDir,
    status: () => host.status(),
    startAtLogin: () => login.get().catch(() => null),
    onAction: (a) => void controller.handle(a),
  });

  app.on('second-instance', showWindow);
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void controller.shutdown().finally(() => {
      tray?.destroy();
      app.quit();
    });
  });

  const hidden = process.argv.includes(HIDDEN_FLAG) || settings.values().startHidden;
  if (!hidden) showWindow();
  await controller.launch();
}
