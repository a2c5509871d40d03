// The dashboard window and the hardening every web contents gets (Electron's security checklist):
// sandboxed, context-isolated, no Node, our own scheme only, no navigation, no new windows, no
// permissions, no webviews. Closing the window hides it: the app lives on in the tray.
import { BrowserWindow, app, session, shell, type WebContents } from 'electron';
import { DASHBOARD_URL, isOpenableExternal } from './security.js';

export interface WindowOptions {
  preload: string;
  icon?: string;
  /** Origins of the server's own web pages, which may open in the browser. */
  externalOrigins: () => string[];
  /** True once the app is quitting: closing then really closes. */
  quitting: () => boolean;
}

/** Denies every permission request and check, for the default session (the only one we use). */
export function hardenSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.setDevicePermissionHandler(() => false);
}

/** Applied to every web contents the app ever creates. */
export function hardenContents(contents: WebContents, externalOrigins: () => string[]): void {
  // The dashboard is one page: any navigation (a dropped file, a stray link) is refused.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to the server's own web client open in the browser; nothing ever opens in the app.
    if (isOpenableExternal(url, externalOrigins())) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** Creates the (hidden) dashboard window; call show() on it. */
export function createDashboardWindow(o: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: app.getName(),
    ...(o.icon ? { icon: o.icon } : {}),
    autoHideMenuBar: true,
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click would try to open links in a new window (denied anyway by setWindowOpenHandler).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.on('close', (event) => {
    if (!o.quitting()) {
      event.preventDefault();
      win.hide();
    }
  });
  void win.loadURL(DASHBOARD_URL);
  return win;
}
