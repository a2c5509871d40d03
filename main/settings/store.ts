// Where the settings object lives: a JSON file (the app's is settings.json in its userData folder), or
// memory for tests. Each store only reads and writes the raw object; validation and migrations happen
// once, in settings.ts.
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../server/atomic-file.js';

export interface SettingsStore {
  /** The raw object as stored; undefined when nothing was stored yet. Throws on unreadable data. */
  read(): unknown;
  /** Replaces the stored object (atomically where the backend allows). */
  write(data: Record<string, unknown>): void;
  /** Keeps the current content aside (it could not be used) and returns where it went, if anywhere. */
  setAside(): string | null;
  /** Human-readable location, shown in messages. */
  readonly location: string;
}

/** A store in memory (tests, the dashboard's browser tests). */
export function memoryStore(initial?: unknown): SettingsStore & { data: unknown } {
  const s = {
    data: initial === undefined ? undefined : structuredClone(initial),
    location: 'memory',
    read: () => (s.data === undefined ? undefined : structuredClone(s.data)),
    write: (d: Record<string, unknown>) => {
      s.data = structuredClone(d);
    },
    setAside: () => {
      s.data = undefined;
      return null;
    },
  };
  return s;
}

/** A JSON file written atomically with mode 0600 (it may hold plain-text secrets). */
export function fileStore(file: string): SettingsStore {
  return {
    location: file,
    read() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
    },
    write(data) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomicSync(file, `${JSON.stringify(data, null, 2)}\n`);
    },
    setAside() {
      const aside = `${file}.unusable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(file, aside);
        return aside;
      } catch {
        return null;
      }
    },
  };
}
