import { createPrivateKey, generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushService } from '../../../main/server/push/push-service.js';
import {
  generateVapidKey,
  parseVapidPrivateKey,
  validateVapidSubject,
  VapidError,
} from '../../../main/server/push/vapid.js';
import { generateVapidKeyFile, loadVapidKeyFile } from '../../../main/server/push/vapid-file.js';

const ecPem = (curve: string, type: 'sec1' | 'pkcs8') =>
  generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ format: 'pem', type }).toString();

// The public key must be the private key's own point: sign with the PEM, verify with the derived key.
function assertPairMatches(pem: string, publicKey: string, privateKey: string): void {
  const point = Buffer.from(publicKey, 'base64url');
  expect(point.length).toBe(65);
  expect(point[0]).toBe(4);
  expect(Buffer.from(privateKey, 'base64url').length).toBe(32);
  const jwkPub = {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33).toString('base64url'),
  };
  const sig = sign('sha256', Buffer.from('vapid'), createPrivateKey(pem));
  expect(verify('sha256', Buffer.from('vapid'), createPublicKey({ key: jwkPub, format: 'jwk' }), sig)).toBe(true);
  // and d is the scalar of that same key
  expect(createPrivateKey(pem).export({ format: 'jwk' }).d).toBe(privateKey);
}

describe('parseVapidPrivateKey', () => {
  it('reads SEC1 "EC PRIVATE KEY" PEM (as openssl ecparam writes) and derives the public point', () => {
    const pem = ecPem('prime256v1', 'sec1');
    expect(pem.startsWith('-----BEGIN EC PRIVATE KEY-----')).toBe(true);
    const k = parseVapidPrivateKey(pem);
    assertPairMatches(pem, k.publicKey, k.privateKey);
    expect(k.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(k.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('reads PKCS#8 "PRIVATE KEY" PEM', () => {
    const pem = ecPem('prime256v1', 'pkcs8');
    expect(pem.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    const k = parseVapidPrivateKey(pem);
    assertPairMatches(pem, k.publicKey, k.privateKey);
  });

  it('rejects a key on another curve, naming the curve', () => {
    expect(() => parseVapidPrivateKey(ecPem('secp384r1', 'sec1'))).toThrow(
      new VapidError('VAPID key is on curve secp384r1; a P-256 (prime256v1) key is required'),
    );
  });

  it('rejects an RSA key and an Ed25519 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => parseVapidPrivateKey(rsa)).toThrow(
      'VAPID key is an RSA key; an EC P-256 (prime256v1) key is required',
    );
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parseVapidPrivateKey(ed)).toThrow(
      'VAPID key is an ED25519 key; an EC P-256 (prime256v1) key is required',
    );
  });

  it('rejects text that is not PEM, a public key, an encrypted key and a damaged PEM', () => {
    expect(() => parseVapidPrivateKey('not a key at all')).toThrow(
      'VAPID key is not PEM text: expected a "-----BEGIN EC PRIVATE KEY-----" or "-----BEGIN PRIVATE KEY-----" block',
    );
    const pub = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();
    expect(() => parseVapidPrivateKey(pub)).toThrow(
      'VAPID key file holds a public key, not a private key: give the EC P-256 private key',
    );
    const enc = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString();
    expect(() => parseVapidPrivateKey(enc)).toThrow(
      'VAPID key is encrypted with a passphrase: give an unencrypted EC P-256 private key',
    );
    expect(() => parseVapidPrivateKey('-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n')).toThrow(
      /^VAPID key could not be read as a private key \(.+\): give a PEM EC P-256 private key$/,
    );
  });
});

describe('generateVapidKey', () => {
  it('makes a SEC1 P-256 key whose derived keys match', () => {
    const g = generateVapidKey();
    expect(g.pem.startsWith('-----BEGIN EC PRIVATE KEY-----\n')).toBe(true);
    expect(createPrivateKey(g.pem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    assertPairMatches(g.pem, g.publicKey, g.privateKey);
    expect(parseVapidPrivateKey(g.pem)).toEqual({ publicKey: g.publicKey, privateKey: g.privateKey });
    expect(generateVapidKey().publicKey).not.toBe(g.publicKey);
  });
});

describe('validateVapidSubject', () => {
  it('accepts mailto: and https: contacts', () => {
    expect(validateVapidSubject('mailto:admin@example.org')).toBe('mailto:admin@example.org');
    expect(validateVapidSubject(' https://example.org/contact ')).toBe('https://example.org/contact');
  });

  it('rejects a missing subject and other kinds with a message saying what to give', () => {
    const missing =
      'a VAPID subject is required: give a contact as mailto:you@example.org or an https: URL (--vapid-subject)';
    expect(() => validateVapidSubject(undefined)).toThrow(missing);
    expect(() => validateVapidSubject('')).toThrow(missing);
    expect(() => validateVapidSubject('  ')).toThrow(missing);
    for (const bad of ['http://example.org', 'mailto:', 'mailto:nobody', 'admin@example.org', 'ftp://example.org']) {
      expect(() => validateVapidSubject(bad)).toThrow(
        `VAPID subject "${bad}" must be a mailto: address or an https: URL, e.g. mailto:admin@example.org`,
      );
    }
  });

  it('is enforced by createPushService, as is the key', () => {
    const base = {
      vapidPrivateKeyPem: generateVapidKey().pem,
      encoding: 'aes128gcm' as const,
      timeoutMs: 1000,
      dataDir: null,
    };
    expect(() => createPushService({ ...base, subject: 'http://example.org' })).toThrow(
      'VAPID subject "http://example.org" must be a mailto: address or an https: URL, e.g. mailto:admin@example.org',
    );
    expect(() => createPushService({ ...base, subject: '' })).toThrow(/^a VAPID subject is required/);
    expect(() =>
      createPushService({ ...base, subject: 'mailto:a@b.org', vapidPrivateKeyPem: ecPem('secp384r1', 'pkcs8') }),
    ).toThrow('VAPID key is on curve secp384r1; a P-256 (prime256v1) key is required');
  });
});

describe('VAPID key files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-vapid-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generateVapidKeyFile writes a 0600 SEC1 PEM and returns its public key; loadVapidKeyFile reads it back', async () => {
    const file = path.join(dir, 'vapid.pem');
    const pub = await generateVapidKeyFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const pem = await readFile(file, 'utf8');
    expect(pem.startsWith('-----BEGIN EC PRIVATE KEY-----')).toBe(true);
    const loaded = await loadVapidKeyFile(file);
    expect(loaded.publicKey).toBe(pub);
    expect(loaded.pem).toBe(pem);
  });

  it('refuses to overwrite an existing file unless asked', async () => {
    const file = path.join(dir, 'keep.pem');
    const first = await generateVapidKeyFile(file);
    await expect(generateVapidKeyFile(file)).rejects.toThrow(
      `${file} already exists: it may be the key your users subscribed with; choose another file or pass --force to replace it`,
    );
    expect((await loadVapidKeyFile(file)).publicKey).toBe(first);
    const second = await generateVapidKeyFile(file, { overwrite: true });
    expect(second).not.toBe(first);
    expect((await loadVapidKeyFile(file)).publicKey).toBe(second);
  });

  it('loadVapidKeyFile names the file and the problem', async () => {
    const missing = path.join(dir, 'nope.pem');
    await expect(loadVapidKeyFile(missing)).rejects.toThrow(
      `VAPID key file ${missing} does not exist: create one with "rustysignal vapid generate --out ${missing}"`,
    );
    const garbage = path.join(dir, 'garbage.pem');
    await writeFile(garbage, 'hello');
    await expect(loadVapidKeyFile(garbage)).rejects.toThrow(`${garbage}: VAPID key is not PEM text`);
    const p384 = path.join(dir, 'p384.pem');
    await writeFile(p384, ecPem('secp384r1', 'sec1'));
    await expect(loadVapidKeyFile(p384)).rejects.toThrow(
      `${p384}: VAPID key is on curve secp384r1; a P-256 (prime256v1) key is required`,
    );
    await expect(loadVapidKeyFile(dir)).rejects.toThrow(`could not read VAPID key file ${dir} (EISDIR)`);
  });
});
