// The tray icon: state icon, tooltip and menu from tray-model.ts. The menu is built fresh each time it
// opens where the platform lets us (macOS, Windows: popUpContextMenu on click), so "Start at login" shows
// the OS's current value; Linux app indicators only take a preset menu, rebuilt on every status change.
import path from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { StatusInfo } from '../ipc/contract.js';
import { tooltip, trayMenu, trayState, type MenuAction, type MenuItemModel, type TrayState } from './tray-model.js';

export interface TrayOptions {
  /** Folder of the tray PNGs (assets/tray). */
  iconDir: string;
  status: () => StatusInfo;
  /** Read fresh each time; null hides the item. */
  startAtLogin: () => Promise<boolean | null>;
  onAction: (action: MenuAction) => void;
  platform?: NodeJS.Platform;
}

export interface AppTray {
  /** Re-reads the status: icon, tooltip and (Linux) menu. */
  refresh(): Promise<void>;
  destroy(): void;
}

/** The image for a state: template images on macOS (the system tints them), colour elsewhere. */
export function trayIcon(dir: string, state: TrayState, platform: NodeJS.Platform): NativeImage {
  if (platform === 'darwin') {
    const img = nativeImage.createFromPath(path.join(dir, `${state}Template.png`));
    img.setTemplateImage(true);
    return img;
  }
  // Windows picks the @2x file itself on high-DPI screens; Linux panels (22-32 px) scale the 32 px one.
  return nativeImage.createFromPath(path.join(dir, platform === 'linux' ? `${state}@2x.png` : `${state}.png`));
}

/** Electron menu template for the model. */
export function toTemplate(items: MenuItemModel[], onAction: (a: MenuAction) => void): MenuItemConstructorOptions[] {
  return items.map((i): MenuItemConstructorOptions => {
    switch (i.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: i.label, submenu: toTemplate(i.items, onAction) };
      case 'checkbox':
        return { type: 'checkbox', label: i.label, checked: i.checked, click: () => onAction(i.action) };
      default: {
        const action = i.action;
        return { label: i.label, enabled: i.enabled, ...(action ? { click: () => onAction(action) } : {}) };
      }
    }
  });
}

/** Creates the tray. Keep the returned object referenced: a collected Tray disappears. */
export function createAppTray(o: TrayOptions): AppTray {
  const platform = o.platform ?? process.platform;
  let state: TrayState = trayState(o.status());
  const tray = new Tray(trayIcon(o.iconDir, state, platform));
  const build = async () =>
    Menu.buildFromTemplate(
      toTemplate(trayMenu({ status: o.status(), startAtLogin: await o.startAtLogin() }), o.onAction),
    );
  const popUp = () => void build().then((m) => tray.popUpContextMenu(m));

  if (platform === 'win32') {
    tray.on('click', () => o.onAction({ kind: 'show-dashboard' }));
    tray.on('right-click', popUp);
  } else if (platform === 'darwin') {
    tray.on('click', popUp);
    tray.on('right-click', popUp);
  }

  async function refresh() {
    const s = o.status();
    const next = trayState(s);
    if (next !== state) {
      state = next;
      tray.setImage(trayIcon(o.iconDir, state, platform));
    }
    tray.setToolTip(tooltip(s));
    if (platform === 'linux') tray.setContextMenu(await build());
  }
  void refresh();
  return { refresh, destroy: () => tray.destroy() };
}
