// Settings: defaults from the server's option table, migrations, unusable files set aside, secrets sealed
// by the encryptor (or stored plainly with a notice), and the mapping onto server options.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { defaultOptions } from '../../main/server/options.js';
import { createSignalServer } from '../../main/server/signal-server.js';
import { migrate } from '../../main/settings/migrations.js';
import { SETTINGS_VERSION } from '../../main/settings/schema.js';
import { noEncryptor, type Encryptor } from '../../main/settings/secrets.js';
import { createSettings } from '../../main/settings/settings.js';
import { fileStore, memoryStore } from '../../main/settings/store.js';

// A reversible stand-in for safeStorage whose "ciphertext" is visibly not the secret.
const rot: Encryptor = {
  available: true,
  unavailableMessage: null,
  encrypt: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)).toString('base64'),
  decrypt: (c) => Buffer.from([...Buffer.from(c, 'base64')].map((b) => b ^ 0x5a)).toString(),
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rs-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  const table = {
    1: (d: Record<string, unknown>) => ({ ...d, renamed: d.old, old: undefined }),
    2: (d: Record<string, unknown>) => ({ ...d, added: true }),
  };
  it('lifts an old file one version at a time', () => {
    expect(migrate({ version: 1, old: 'x' }, table, 3)).toEqual({
      kind: 'migrated',
      from: 1,
      data: { version: 3, renamed: 'x', old: undefined, added: true },
    });
    expect(migrate({ version: 3, a: 1 }, table, 3)).toEqual({ kind: 'current', data: { version: 3, a: 1 } });
  });
  it('treats no file as current, leaves a newer file alone, and refuses nonsense', () => {
    expect(migrate(undefined, table, 3)).toEqual({ kind: 'current', data: { version: 3 } });
    expect(migrate({}, table, 3)).toEqual({ kind: 'current', data: { version: 3 } });
    expect(migrate({ version: 9 }, table, 3)).toEqual({ kind: 'too-new', version: 9 });
    expect(migrate([1], table, 3)).toEqual({ kind: 'invalid', message: 'the settings file does not hold an object' });
    expect(migrate({ version: '2' }, table, 3)).toEqual({
      kind: 'invalid',
      message: 'the settings file has no valid version (found "2")',
    });
    expect(migrate({ version: 1 }, { 2: table[2] }, 3)).toEqual({
      kind: 'invalid',
      message: 'no migration from settings version 1',
    });
  });
  it('runs through createSettings and writes the upgraded file back', () => {
    const store = memoryStore({ version: 1, server: { port: 4000 } });
    const s = createSettings({ store, encryptor: noEncryptor(), migrations: { 1: (d) => d }, version: 2 });
    expect(s.notice).toEqual({ code: 'settings-migrated', message: 'Settings were upgraded from layout 1.' });
    expect(s.values().port).toBe(4000);
    expect((store.data as { version: number }).version).toBe(2);
  });
});

describe('loading', () => {
  it('starts from the server defaults', () => {
    const s = createSettings({ store: memoryStore(), encryptor: noEncryptor() });
    expect(s.notice).toBeNull();
    const v = s.values();
    expect(v).toMatchObject({
      host: defaultOptions.host,
      port: defaultOptions.port,
      maxConnections: defaultOptions.maxConnections,
      rateLimit: defaultOptions.rateLimit,
      serveWebClient: true,
      startServerOnLaunch: true,
      startHidden: false,
    });
    expect(s.defaults()).toEqual(v);
  });

  it('sets an unreadable or invalid file aside and says where it went', () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, '{"version": 1, "server": {"port": "eighty"}}');
    const s = createSettings({ store: fileStore(file), encryptor: noEncryptor() });
    expect(s.notice?.code).toBe('settings-invalid');
    expect(s.notice?.message).toMatch(
      /^Settings at .*settings\.json are not valid \(server\.port: .*\); defaults are used, the old file was kept as .*settings\.json\.unusable-/,
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('settings.json.unusable-'))).toHaveLength(1);
    expect(s.values().port).toBe(3012);

    writeFileSync(file, '{ not json');
    const t = createSettings({ store: fileStore(file), encryptor: noEncryptor() });
    expect(t.notice?.message).toMatch(/could not be read \(.*JSON.*\); defaults are used/);
  });

  it('leaves a file from a newer version untouched and keeps changes in memory', () => {
    const file = path.join(dir, 'settings.json');
    const newer = `{"version": ${SETTINGS_VERSION + 1}, "future": true}`;
    writeFileSync(file, newer);
    const s = createSettings({ store: fileStore(file), encryptor: noEncryptor() });
    expect(s.notice?.code).toBe('settings-too-new');
    expect(s.writable).toBe(false);
    expect(s.update({ port: 5000 })).toMatchObject({ ok: true });
    expect(s.values().port).toBe(5000);
    expect(readFileSync(file, 'utf8')).toBe(newer);
  });
});

describe('secrets', () => {
  it('seals the access key, TLS key and VAPID key with the encryptor', () => {
    const file = path.join(dir, 'settings.json');
    const s = createSettings({ store: fileStore(file), encryptor: rot });
    s.update({ accessKey: 'door-code' });
    s.setTls({
      kind: 'pem',
      origin: 'imported',
      cert: '-----BEGIN CERTIFICATE-----\nx\n',
      key: '-----BEGIN PRIVATE KEY-----\nsecret-key\n',
    });
    s.setPush({ privateKeyPem: '-----BEGIN EC PRIVATE KEY-----\nvapid-secret\n', subject: 'mailto:a@b.c' });
    const text = readFileSync(file, 'utf8');
    for (const secret of ['door-code', 'secret-key', 'vapid-secret']) expect(text).not.toContain(secret);
    expect((JSON.parse(text) as { server: { accessKey: { scheme: string } } }).server.accessKey.scheme).toBe('safe');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const again = createSettings({ store: fileStore(file), encryptor: rot });
    expect(again.values().accessKey).toBe('door-code');
    expect(again.tlsMaterial()?.key).toContain('secret-key');
    expect(again.push()?.privateKeyPem).toContain('vapid-secret');
    expect(again.encryption).toEqual({ encrypted: true, message: null });
  });

  it('stores plainly with a notice when no keychain exists, and explains a secret it cannot open', () => {
    const store = memoryStore();
    const plain = createSettings({ store, encryptor: noEncryptor('no keychain here') });
    plain.update({ accessKey: 'k1' });
    expect(plain.encryption).toEqual({ encrypted: false, message: 'no keychain here' });
    expect((store.data as { server: { accessKey: unknown } }).server.accessKey).toEqual({
      scheme: 'plain',
      data: 'k1',
    });

    const sealed = memoryStore();
    createSettings({ store: sealed, encryptor: rot }).update({ accessKey: 'k2' });
    const locked = createSettings({ store: sealed, encryptor: noEncryptor() });
    expect(() => locked.values()).toThrow(
      'The access key is encrypted with the system keychain, which is not available now: unlock the keychain or set it again',
    );
    const other: Encryptor = {
      ...rot,
      decrypt: () => {
        throw new Error('bad');
      },
    };
    expect(() => createSettings({ store: sealed, encryptor: other }).values()).toThrow(
      'The access key could not be decrypted (was it saved by another user or machine?): set it again',
    );
  });
});

describe('server options', () => {
  it('maps settings onto resolved server options, host paths included', () => {
    const s = createSettings({ store: memoryStore(), encryptor: noEncryptor() });
    s.update({ port: 4444, accessKey: 'k', serveWebClient: false, mdns: { name: 'Room 101' } });
    const o = s.serverOptions({ dataDir: '/data', webClientDir: '/web' });
    expect(o).toEqual({
      ...defaultOptions,
      port: 4444,
      accessKey: 'k',
      dataDir: '/data',
      webClientDir: null,
      mdns: { enabled: true, name: 'Room 101', interface: null },
      turnSecret: expect.stringMatching(/^[\w-]{43}$/) as unknown,
    });
    s.update({ serveWebClient: true });
    expect(s.serverOptions({ dataDir: null, webClientDir: '/web' }).webClientDir).toBe('/web');
  });

  it('allowed origins set in the settings reach the server: a listed page connects, another gets 403', async () => {
    const s = createSettings({ store: memoryStore(), encryptor: noEncryptor() });
    expect(s.update({ allowedOrigins: ['https://school.example.org'] }).ok).toBe(true);
    expect(s.update({ allowedOrigins: ['not an origin'] })).toMatchObject({ ok: false });
    const options = s.serverOptions({ dataDir: null, webClientDir: null });
    const server = createSignalServer(
      { ...options, host: '127.0.0.1', port: 0, mdns: { enabled: false }, relay: { ...options.relay, port: 0 } },
      { stopGraceMs: 100 },
    );
    const { port } = await server.start();
    try {
      const open = (origin: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/?user=a`, { origin });
          ws.on('open', () => (ws.close(), resolve(101)));
          ws.on('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0)));
        });
      expect(await open('https://school.example.org')).toBe(101);
      expect(await open('https://elsewhere.example.com')).toBe(403);
    } finally {
      await server.stop();
    }
  });

  it('makes the TURN secret once and keeps it sealed; the relay port and range are settings', () => {
    const store = memoryStore();
    const s = createSettings({ store, encryptor: noEncryptor() });
    const first = s.serverOptions({ dataDir: null, webClientDir: null }).turnSecret;
    expect(s.serverOptions({ dataDir: null, webClientDir: null }).turnSecret).toBe(first);
    expect(s.snapshot().server.turnSecret).toEqual({ scheme: 'plain', data: first });
    expect(s.update({ relay: { port: 0, relayPortsMin: 50000, relayPortsMax: 50010 } }).ok).toBe(true);
    expect(s.serverOptions({ dataDir: null, webClientDir: null }).relay).toMatchObject({
      port: 0,
      relayPorts: { min: 50000, max: 50010 },
    });
    expect(s.update({ relay: { relayPortsMin: 50020 } })).toMatchObject({
      ok: false,
      errors: [{ field: 'relay.relayPortsMax', message: 'the first relay port must not be above the last' }],
    });
  });

  it('leaves push off until a subject is set, and reads linked certificate files at each call', () => {
    const s = createSettings({ store: memoryStore(), encryptor: noEncryptor() });
    s.setPush({ privateKeyPem: '-----BEGIN EC PRIVATE KEY-----\nk\n', subject: null });
    expect(s.serverOptions({ dataDir: null, webClientDir: null }).push).toBeNull();
    s.setPushSubject('mailto:a@b.c');
    expect(s.serverOptions({ dataDir: null, webClientDir: null }).push).toMatchObject({
      subject: 'mailto:a@b.c',
      encoding: 'aes128gcm',
    });

    s.setTls({ kind: 'files', certPath: path.join(dir, 'c.pem'), keyPath: path.join(dir, 'k.pem') });
    expect(() => s.tlsMaterial()).toThrow(
      /^The certificate file .*c\.pem could not be read \(ENOENT\): import the certificate again in Certificates$/,
    );
    writeFileSync(path.join(dir, 'c.pem'), '-----BEGIN CERTIFICATE-----\n1\n');
    writeFileSync(path.join(dir, 'k.pem'), '-----BEGIN PRIVATE KEY-----\n2\n');
    expect(s.tlsMaterial()).toEqual({
      cert: '-----BEGIN CERTIFICATE-----\n1\n',
      key: '-----BEGIN PRIVATE KEY-----\n2\n',
    });
  });
});
