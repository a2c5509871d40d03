// "Start at login": Electron's login-item API on macOS and Windows, an XDG autostart entry on Linux.
// Either way the app starts hidden in the tray (--hidden).
import { app } from 'electron';
import type { LoginItem } from '../ipc/deps.js';
import { linuxAutostart } from './autostart-linux.js';

export const HIDDEN_FLAG = '--hidden';

/** The LoginItem for this platform. In a development run (not packaged) it starts Electron with the app folder. */
export function loginItem(platform: NodeJS.Platform = process.platform): LoginItem {
  if (platform === 'linux') {
    // In an AppImage the executable lives in a temporary mount; $APPIMAGE is the file to start.
    const exec = process.env.APPIMAGE ?? process.execPath;
    const args = app.isPackaged ? [HIDDEN_FLAG] : [app.getAppPath(), HIDDEN_FLAG];
    return linuxAutostart({ name: 'rustysignal', displayName: app.getName(), exec, args });
  }
  const args = [HIDDEN_FLAG];
  return {
    // Electron's calls are synchronous; the interface is asynchronous for the Linux file-based variant.
    // The promise constructor still turns a throw into a rejection.
    get: () => new Promise((resolve) => resolve(app.getLoginItemSettings({ args }).openAtLogin)),
    set: (enabled) => new Promise((resolve) => resolve(app.setLoginItemSettings({ openAtLogin: enabled, args }))),
  };
}
