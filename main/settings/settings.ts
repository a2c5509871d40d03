// The settings service: loads (migrating and validating once), hands out the editable values, keeps the
// TLS and push material with secrets sealed, and turns it all into the server's options.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolveOptions, type ServerOptions } from '../server/options.js';
import { applyPatch } from './editable.js';
import { migrate, migrations as appMigrations, type Migration } from './migrations.js';
import { defaultStoredSettings, storedSettingsSchema, type StoredPush, type StoredSettings } from './schema.js';
import { openSecret, sealSecret, type Encryptor } from './secrets.js';
import type { SettingsStore } from './store.js';
import type { FieldError, SettingsValues } from './values.js';

/** Why the stored settings could not be used as they were; shown to the user once. */
export interface LoadNotice {
  code: 'settings-invalid' | 'settings-too-new' | 'settings-migrated';
  message: string;
}

/** TLS material ready for the server. */
export interface TlsMaterial {
  cert: string;
  key: string;
  passphrase?: string;
}

export type TlsInput =
  | { kind: 'pem'; origin: 'generated' | 'imported'; cert: string; key: string; passphrase?: string }
  | { kind: 'files'; certPath: string; keyPath: string };

/** Paths the host decides (not the user): where push subscriptions live, the web client's files. */
export interface HostPaths {
  dataDir: string | null;
  webClientDir: string | null;
}

export interface Settings {
  readonly location: string;
  /** Set when loading had to migrate, discard or leave the stored settings alone. */
  readonly notice: LoadNotice | null;
  /** False when a newer app's file is kept untouched: changes live in memory only. */
  readonly writable: boolean;
  readonly encryption: { encrypted: boolean; message: string | null };
  values(): SettingsValues;
  defaults(): SettingsValues;
  /** Validates and stores a change (any input; a valid one is a SettingsPatch); returns every field error otherwise. */
  update(patch: unknown): { ok: true; values: SettingsValues } | { ok: false; errors: FieldError[] };
  tlsSource(): StoredSettings['tls'];
  /** The certificate and key to serve; null when TLS is off. Throws with a user-facing message. */
  tlsMaterial(): TlsMaterial | null;
  setTls(tls: TlsInput | null): void;
  /** The local CA (key opened); null when none was created. */
  ca(): { cert: string; key: string } | null;
  setCa(ca: { cert: string; key: string } | null): void;
  /** The CA when TLS runs in `auto` mode: a CA exists and no imported or linked certificate wins over it. */
  autoTlsCa(): { cert: string; key: string } | null;
  push(): { privateKeyPem: string; subject: string | null; encoding: StoredPush['encoding'] } | null;
  setPush(push: { privateKeyPem: string; subject: string | null } | null): void;
  setPushSubject(subject: string): void;
  /** Complete, validated server options. Throws OptionsError or a TLS/secret error with a message. */
  serverOptions(paths: HostPaths): ServerOptions;
  /** The whole stored object, to roll a change back with restore(). */
  snapshot(): StoredSettings;
  restore(snapshot: StoredSettings): void;
  /** Calls `fn` after every stored change. */
  onChange(fn: () => void): () => void;
}

export interface SettingsDeps {
  store: SettingsStore;
  encryptor: Encryptor;
  /** Override for tests of the migration chain. */
  migrations?: Readonly<Record<number, Migration>>;
  version?: number;
}

type Loaded = { data: StoredSettings; notice: LoadNotice | null; writable: boolean };

/** Stored settings that cannot be used: set them aside, start from the defaults and say so. */
function unusable(store: SettingsStore, what: string): Loaded {
  const aside = store.setAside();
  return {
    data: defaultStoredSettings(),
    writable: true,
    notice: {
      code: 'settings-invalid',
      message: `Settings at ${store.location} ${what}; defaults are used${aside ? `, the old file was kept as ${aside}` : ''}.`,
    },
  };
}

function load(deps: SettingsDeps): Loaded {
  let raw: unknown;
  try {
    raw = deps.store.read();
  } catch (err) {
    return unusable(deps.store, `could not be read (${(err as Error).message})`);
  }
  const m = migrate(raw, deps.migrations ?? appMigrations, deps.version);
  if (m.kind === 'too-new') {
    return {
      data: defaultStoredSettings(),
      writable: false,
      notice: {
        code: 'settings-too-new',
        message: `Settings at ${deps.store.location} were written by a newer version (layout ${m.version}); they are left untouched and defaults are used until you update the app.`,
      },
    };
  }
  const parsed = m.kind === 'invalid' ? null : storedSettingsSchema.safeParse(m.data);
  if (!parsed?.success) {
    const why =
      m.kind === 'invalid'
        ? m.message
        : parsed!.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    return unusable(deps.store, `are not valid (${why})`);
  }
  if (m.kind === 'migrated') {
    deps.store.write(parsed.data);
    return {
      data: parsed.data,
      writable: true,
      notice: { code: 'settings-migrated', message: `Settings were upgraded from layout ${m.from}.` },
    };
  }
  return { data: parsed.data, writable: true, notice: null };
}

/** A linked certificate or key file that cannot be read. */
export class TlsFileError extends Error {
  override name = 'TlsFileError';
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TlsFileError(
      `${what} ${file} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): import the certificate again in Certificates`,
    );
  }
}

/** The stored server fields that are not form values as they are (secret, relay layout). */
function omitStored(server: StoredSettings['server']) {
  const { turnSecret: _secret, relay: _relay, ...rest } = server;
  return rest;
}

/** Loads the settings from `deps.store` (migrating them) and returns the service. */
export function createSettings(deps: SettingsDeps): Settings {
  const { store, encryptor: enc } = deps;
  const loaded = load(deps);
  let data = loaded.data;
  const listeners = new Set<() => void>();

  const commit = (next: StoredSettings) => {
    data = storedSettingsSchema.parse(next);
    if (loaded.writable) store.write(data);
    for (const fn of listeners) fn();
  };

  const toValues = (d: StoredSettings): SettingsValues => ({
    ...omitStored(d.server),
    accessKey: d.server.accessKey ? openSecret(d.server.accessKey, enc, 'The access key') : null,
    rateLimit: { ...d.server.rateLimit },
    allowedOrigins: [...d.server.allowedOrigins],
    mdns: { ...d.server.mdns },
    relay: {
      port: d.server.relay.port,
      relayPortsMin: d.server.relay.relayPorts.min,
      relayPortsMax: d.server.relay.relayPorts.max,
    },
    serveWebClient: d.serveWebClient,
    ...d.app,
  });

  /** The TURN secret: made on first use, then kept (sealed) with the settings so credentials survive restarts. */
  const turnSecret = (): string => {
    if (data.server.turnSecret) return openSecret(data.server.turnSecret, enc, 'The relay (TURN) secret');
    const secret = randomBytes(32).toString('base64url');
    commit({ ...data, server: { ...data.server, turnSecret: sealSecret(secret, enc) } });
    return secret;
  };

  const svc: Settings = {
    location: store.location,
    notice: loaded.notice,
    writable: loaded.writable,
    encryption: { encrypted: enc.available, message: enc.available ? null : enc.unavailableMessage },
    values: () => toValues(data),
    defaults: () => toValues(defaultStoredSettings()),
    update(patch) {
      const r = applyPatch(toValues(data), patch);
      if (!r.ok) return r;
      const { serveWebClient, startServerOnLaunch, startAtLogin, startHidden, accessKey, relay, ...server } = r.values;
      commit({
        ...data,
        server: {
          ...server,
          accessKey: accessKey === null ? null : sealSecret(accessKey, enc),
          relay: {
            ...data.server.relay,
            port: relay.port,
            relayPorts: { min: relay.relayPortsMin, max: relay.relayPortsMax },
          },
          turnSecret: data.server.turnSecret,
        },
        serveWebClient,
        app: { startServerOnLaunch, startAtLogin, startHidden },
      });
      return { ok: true, values: toValues(data) };
    },
    tlsSource: () => structuredClone(data.tls),
    tlsMaterial() {
      const t = data.tls;
      if (!t) return null;
      if (t.kind === 'files')
        return { cert: readPem(t.certPath, 'The certificate file'), key: readPem(t.keyPath, 'The key file') };
      const key = openSecret(t.key, enc, 'The TLS private key');
      return t.passphrase
        ? { cert: t.cert, key, passphrase: openSecret(t.passphrase, enc, 'The key passphrase') }
        : { cert: t.cert, key };
    },
    setTls(tls) {
      if (!tls) return commit({ ...data, tls: null });
      if (tls.kind === 'files')
        return commit({ ...data, tls: { kind: 'files', certPath: tls.certPath, keyPath: tls.keyPath } });
      commit({
        ...data,
        tls: {
          kind: 'pem',
          origin: tls.origin,
          cert: tls.cert,
          key: sealSecret(tls.key, enc),
          passphrase: tls.passphrase ? sealSecret(tls.passphrase, enc) : null,
        },
      });
    },
    ca: () => (data.ca ? { cert: data.ca.cert, key: openSecret(data.ca.key, enc, 'The local CA key') } : null),
    setCa(ca) {
      commit({ ...data, ca: ca ? { cert: ca.cert, key: sealSecret(ca.key, enc) } : null });
    },
    autoTlsCa() {
      const t = data.tls;
      const imported = t !== null && (t.kind === 'files' || t.origin === 'imported');
      return imported ? null : svc.ca();
    },
    push() {
      const p = data.push;
      return p
        ? {
            privateKeyPem: openSecret(p.privateKey, enc, 'The push (VAPID) private key'),
            subject: p.subject,
            encoding: p.encoding,
          }
        : null;
    },
    setPush(push) {
      commit({
        ...data,
        push: push
          ? {
              privateKey: sealSecret(push.privateKeyPem, enc),
              subject: push.subject,
              encoding: data.push?.encoding ?? 'aes128gcm',
            }
          : null,
      });
    },
    setPushSubject(subject) {
      if (!data.push) throw new Error('no push key is configured: generate or import one first');
      commit({ ...data, push: { ...data.push, subject } });
    },
    serverOptions(paths) {
      const v = toValues(data);
      // In auto mode the host supplies a leaf from the CA (main/app/auto-tls.ts); not the stored certificate.
      const tls = data.ca && svc.autoTlsCa() ? null : svc.tlsMaterial();
      const push = svc.push();
      return resolveOptions({
        host: v.host,
        port: v.port,
        accessKey: v.accessKey,
        maxConnections: v.maxConnections,
        maxPayloadBytes: v.maxPayloadBytes,
        rateLimit: v.rateLimit,
        offlineTtlMs: v.offlineTtlMs,
        offlineQueueMax: v.offlineQueueMax,
        offlineQueueBytes: v.offlineQueueBytes,
        offlineQueueSenderBytes: v.offlineQueueSenderBytes,
        allowedOrigins: v.allowedOrigins,
        pingIntervalMs: v.pingIntervalMs,
        mdns: v.mdns,
        relay: data.server.relay,
        turnSecret: turnSecret(),
        tls,
        push: push?.subject
          ? { vapidPrivateKeyPem: push.privateKeyPem, subject: push.subject, encoding: push.encoding }
          : null,
        dataDir: paths.dataDir,
        webClientDir: v.serveWebClient ? paths.webClientDir : null,
      });
    },
    snapshot: () => structuredClone(data),
    restore: (snap) => commit(structuredClone(snap)),
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  return svc;
}
