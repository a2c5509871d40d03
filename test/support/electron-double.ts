// A minimal hand-written stand-in for the 'electron' module (the real one needs its binary). It records
// what the code under test asked for and lets tests play the OS's part; no logic of the app lives here.
// Use: vi.mock('electron', async () => (await import('../support/electron-double.js')).electronModule());
import { EventEmitter } from 'node:events';

export interface FakeImage {
  path: string;
  template: boolean;
  setTemplateImage(on: boolean): void;
}

export interface FakeMenu {
  template: Array<Record<string, unknown>>;
}

class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  image: FakeImage;
  tooltip = '';
  contextMenu: FakeMenu | null = null;
  poppedUp: FakeMenu[] = [];
  destroyed = false;
  constructor(image: FakeImage) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: FakeImage) {
    this.image = image;
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setContextMenu(m: FakeMenu) {
    this.contextMenu = m;
  }
  popUpContextMenu(m: FakeMenu) {
    this.poppedUp.push(m);
  }
  destroy() {
    this.destroyed = true;
  }
}

/** Everything the double recorded; reset with `resetElectronDouble()`. */
export const recorded = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  exposed: new Map<string, unknown>(),
  invoked: [] as Array<{ channel: string; args: unknown[] }>,
  rendererListeners: new EventEmitter(),
  loginItem: { openAtLogin: false, args: [] as string[] },
  clipboard: '',
  notifications: [] as Array<{ title: string; body: string }>,
  storageBackend: 'gnome_libsecret' as string,
  encryptionAvailable: true,
  openedExternal: [] as string[],
  session: {} as {
    permissionRequest?: (...a: unknown[]) => void;
    permissionCheck?: (...a: unknown[]) => boolean;
    devicePermission?: (...a: unknown[]) => boolean;
  },
  windows: [] as FakeWindow[],
};

/** A webContents: an EventEmitter that remembers its window-open handler. */
export class FakeContents extends EventEmitter {
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  url = '';
  setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = fn;
  }
  getURL() {
    return this.url;
  }
}

/** A BrowserWindow recording its options, load and visibility. */
export class FakeWindow extends EventEmitter {
  webContents = new FakeContents();
  visible = false;
  loaded: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    recorded.windows.push(this);
  }
  loadURL(url: string) {
    this.loaded = url;
    this.webContents.url = url;
    return Promise.resolve();
  }
  hide() {
    this.visible = false;
  }
  show() {
    this.visible = true;
  }
}

/** Clears the recordings between tests. */
export function resetElectronDouble(): void {
  recorded.handlers.clear();
  recorded.exposed.clear();
  recorded.invoked.length = 0;
  recorded.rendererListeners.removeAllListeners();
  recorded.loginItem = { openAtLogin: false, args: [] };
  recorded.clipboard = '';
  recorded.notifications.length = 0;
  recorded.storageBackend = 'gnome_libsecret';
  recorded.encryptionAvailable = true;
  recorded.openedExternal = [];
  recorded.session = {};
  recorded.windows = [];
  FakeTray.instances.length = 0;
}

export const trays = FakeTray.instances;

const image = (path: string): FakeImage => ({
  path,
  template: false,
  setTemplateImage(on) {
    this.template = on;
  },
});

/** The module object `vi.mock('electron', ...)` should return. */
export function electronModule() {
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    getName: () => 'rustysignal',
    getVersion: () => '0.0.0-test',
    getAppPath: () => '/app',
    getPath: (name: string) => `/tmp/electron-double/${name}`,
    getLoginItemSettings: (_o?: { args?: string[] }) => ({ openAtLogin: recorded.loginItem.openAtLogin }),
    setLoginItemSettings: (s: { openAtLogin: boolean; args?: string[] }) => {
      recorded.loginItem = { openAtLogin: s.openAtLogin, args: s.args ?? [] };
    },
  });
  const mod = {
    app,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: Array<Record<string, unknown>>): FakeMenu => ({ template }) },
    nativeImage: { createFromPath: image },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
        if (recorded.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        recorded.handlers.set(channel, fn);
      },
      removeHandler: (channel: string) => recorded.handlers.delete(channel),
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => {
        recorded.invoked.push({ channel, args });
        return Promise.resolve({ ok: true, value: channel });
      },
      on: (channel: string, fn: (...a: unknown[]) => void) => recorded.rendererListeners.on(channel, fn),
      removeListener: (channel: string, fn: (...a: unknown[]) => void) =>
        recorded.rendererListeners.removeListener(channel, fn),
    },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => recorded.exposed.set(key, api) },
    safeStorage: {
      isEncryptionAvailable: () => recorded.encryptionAvailable,
      getSelectedStorageBackend: () => recorded.storageBackend,
      // Reversible and visibly not plain text; the real one uses the OS keychain.
      encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
      decryptString: (b: Buffer) => {
        const t = b.toString();
        if (!t.startsWith('enc:'))
          throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
        return Buffer.from(t.slice(4), 'hex').toString();
      },
    },
    clipboard: { writeText: (t: string) => void (recorded.clipboard = t) },
    shell: { openExternal: (url: string) => Promise.resolve(void recorded.openedExternal.push(url)) },
    BrowserWindow: FakeWindow,
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: (...a: unknown[]) => void) => void (recorded.session.permissionRequest = fn),
        setPermissionCheckHandler: (fn: (...a: unknown[]) => boolean) => void (recorded.session.permissionCheck = fn),
        setDevicePermissionHandler: (fn: (...a: unknown[]) => boolean) => void (recorded.session.devicePermission = fn),
      },
    },
    Notification: class {
      static isSupported = () => true;
      constructor(private readonly o: { title: string; body: string }) {}
      show() {
        recorded.notifications.push(this.o);
      }
    },
  };
  return { ...mod, default: mod };
}
