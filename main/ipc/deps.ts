// What the IPC handlers work on. Everything arrives as an argument so the same handler table runs in the
// Electron app, in plain-Node tests and behind Playwright's exposeBinding in the dashboard's browser tests.
import type { InterfaceAddress } from '../server/report-types.js';
import type { Settings } from '../settings/settings.js';
import type { LogLine } from './contract.js';
import type { ServerHost } from './host.js';

export interface LogSource {
  /** The folder holding the log files. */
  readonly folder: string;
  /** The newest `limit` lines, oldest first. */
  recent(limit: number): Promise<LogLine[]>;
  /** Calls `fn` for each new line; returns the unsubscribe function. */
  onLine?(fn: (line: LogLine) => void): () => void;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** Native file dialogs (main process only). Each resolves to null when the user cancels. */
export interface Dialogs {
  openFile(opts: { title: string; filters: FileFilter[] }): Promise<string | null>;
  saveFile(opts: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | null>;
}

export interface LoginItem {
  /** Read fresh from the OS each time. */
  get(): Promise<boolean>;
  set(enabled: boolean): Promise<void>;
}

export interface IpcDeps {
  host: ServerHost;
  settings: Settings;
  logs: LogSource;
  app: { name: string; version: string; platform: string; dataFolder: string };
  /** This machine's host name (for `HOST.local`); default os.hostname. */
  hostname?: () => string;
  /** Interface addresses a LAN certificate must cover; default lanAddresses(). */
  interfaces?: () => InterfaceAddress[];
  dialogs?: Dialogs;
  /** Opens a folder in the file manager; resolves to '' or an error message (Electron's shell.openPath). */
  openPath?: (path: string) => Promise<string>;
  /** Opens a URL in the default browser. */
  openExternal?: (url: string) => Promise<void>;
  copyText?: (text: string) => void | Promise<void>;
  loginItem?: LoginItem;
  /** Current time for certificate checks; default new Date(). */
  now?: () => Date;
  /** Per-URL timeout of the network self-check, ms; default 3000. */
  selfCheckTimeoutMs?: number;
}
