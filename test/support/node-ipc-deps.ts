// IPC dependencies for plain Node: the real server host and settings, without Electron (no dialogs, no
// keychain). Used by the handler tests and the dashboard's browser tests; the app builds its own in
// main/app/main.ts. Test-only, so it lives here and does not ship in dist.
import path from 'node:path';
import { memoryLogSource } from '../../main/app/log-reader.js';
import { createAutoTls } from '../../main/app/auto-tls.js';
import { serverFactory, type ServerFactory } from '../../main/app/server-factory.js';
import { createServerHost } from '../../main/app/server-host.js';
import { createSettings } from '../../main/settings/settings.js';
import { noEncryptor, type Encryptor } from '../../main/settings/secrets.js';
import { fileStore, memoryStore, type SettingsStore } from '../../main/settings/store.js';
import type { IpcDeps } from '../../main/ipc/deps.js';

export interface NodeDepsOptions {
  /** Directory for settings.json, push subscriptions and logs; null keeps everything in memory. */
  dir: string | null;
  /** Initial settings change (e.g. `{ port: 0, mdns: { enabled: false } }` for tests). */
  settings?: Record<string, unknown>;
  /** Directory of the built web client to serve; default none. */
  webClientDir?: string | null;
  factory?: ServerFactory;
  /** Seals secrets at rest; default none (plain text, as plain Node has no keychain). */
  encryptor?: Encryptor;
  /** Extra deps (dialogs, openExternal, interfaces, hostname, now…). */
  overrides?: Partial<IpcDeps>;
}

/** Builds IpcDeps over a real server host; throws when `settings` is invalid. */
export function createNodeIpcDeps(opts: NodeDepsOptions): IpcDeps & { logs: ReturnType<typeof memoryLogSource> } {
  const store: SettingsStore = opts.dir ? fileStore(path.join(opts.dir, 'settings.json')) : memoryStore();
  const settings = createSettings({ store, encryptor: opts.encryptor ?? noEncryptor() });
  if (opts.settings) {
    const r = settings.update(opts.settings);
    if (!r.ok) throw new Error(`invalid settings: ${r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  }
  const logs = memoryLogSource(opts.dir ?? '(memory)');
  const paths = { dataDir: opts.dir, webClientDir: opts.webClientDir ?? null };
  // As in the app: TLS `auto` once the local CA exists, re-issued leaves applied live.
  const autoTls = createAutoTls(settings, paths, () => void host.apply());
  const host = createServerHost({
    factory: opts.factory ?? serverFactory({ logger: logs.logger, stopGraceMs: 500 }),
    options: () => autoTls.options(),
  });
  return {
    host,
    settings,
    app: { name: 'rustysignal', version: '0.0.0-test', platform: process.platform, dataFolder: opts.dir ?? '(memory)' },
    ...opts.overrides,
    logs,
  };
}
