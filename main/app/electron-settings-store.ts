// The settings store of the desktop app: electron-store (atomic writes into the app's userData folder).
// It only persists the object; the zod schema and the migrations in main/settings run over it.
import { renameSync } from 'node:fs';
import path from 'node:path';
import { app } from 'electron';
import Store from 'electron-store';
import type { SettingsStore } from '../settings/store.js';

const NAME = 'settings';

/** A SettingsStore over electron-store's `settings.json` in userData (mode 0600). Call after app ready. */
export function electronSettingsStore(): SettingsStore {
  const file = path.join(app.getPath('userData'), `${NAME}.json`);
  let store: Store<Record<string, unknown>> | null = null;
  // electron-store parses the file in its constructor; with clearInvalidConfig off it throws instead of
  // wiping a file the user may have edited, so the settings service can set it aside and say so.
  const open = () =>
    (store ??= new Store<Record<string, unknown>>({ name: NAME, clearInvalidConfig: false, configFileMode: 0o600 }));
  return {
    location: file,
    read: () => {
      const s = open();
      return s.size === 0 ? undefined : structuredClone(s.store);
    },
    write: (data) => {
      open().store = data;
    },
    setAside: () => {
      const aside = `${file}.unusable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(file, aside);
        store = null;
        return aside;
      } catch {
        return null;
      }
    },
  };
}
