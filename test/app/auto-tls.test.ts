// The app's TLS `auto` mode: creating the local CA switches a running server to a leaf from it (with the
// onboarding offer), the CA key is sealed in the settings file, and an imported certificate still wins.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Encryptor } from '../../main/settings/secrets.js';
import { createIpcHandlers, type IpcHandlers } from '../../main/ipc/handlers.js';
import { createNodeIpcDeps } from '../support/node-ipc-deps.js';
import { connect } from '../support/clients.js';
import { makeCa } from '../support/certs.js';

// A reversible stand-in for safeStorage whose ciphertext is visibly not the secret.
const sealed: Encryptor = {
  available: true,
  unavailableMessage: null,
  encrypt: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)).toString('base64'),
  decrypt: (c) => Buffer.from([...Buffer.from(c, 'base64')].map((b) => b ^ 0x5a)).toString(),
};

let dir: string;
let deps: ReturnType<typeof createNodeIpcDeps>;
let h: IpcHandlers;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rs-autotls-'));
  deps = createNodeIpcDeps({
    dir,
    encryptor: sealed,
    settings: { host: '127.0.0.1', port: 0, mdns: { enabled: false } },
    overrides: { hostname: () => 'Büro-PC' },
  });
  h = createIpcHandlers(deps);
});
afterEach(async () => {
  await deps.host.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ok = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe('TLS auto in the app', () => {
  it('creating the CA restarts the server on a leaf from it, offers /trust, and seals the CA key', async () => {
    await deps.host.start();
    expect(deps.host.status().tls).toBe(false);
    expect(ok(await h['certs:ca'](undefined))).toBeNull();

    const info = ok(await h['certs:createCa'](undefined));
    expect(info.subject).toBe('CN=rustysignal local CA (buro-pc), O=rustysignal');
    expect(info.active).toBe(true);
    expect(info.constraints.dns).toEqual(['local', 'localhost']);
    // Asking again returns the same CA: devices that trusted it keep working.
    expect(ok(await h['certs:createCa'](undefined)).fingerprint256).toBe(info.fingerprint256);

    const st = deps.host.status();
    expect(st.state).toBe('running');
    expect(st.tls).toBe(true);
    expect(st.trust?.fingerprint256).toBe(info.fingerprint256);
    expect(st.addresses[0]!.trustUrl).toBe(`http://127.0.0.1:${st.port}/trust`);
    const a = await connect(st.addresses[0]!.url, { ca: info.pem });
    expect(
      new X509Certificate(
        (a.ws as unknown as { _socket: import('node:tls').TLSSocket })._socket.getPeerX509Certificate()!.raw,
      ).checkIssued(new X509Certificate(info.pem)),
    ).toBe(true);
    await a.close();

    // At rest: the CA key is not in the settings file in clear, and it opens again after a restart.
    const file = readFileSync(path.join(dir, 'settings.json'), 'utf8');
    expect(file).not.toMatch(/PRIVATE KEY/);
    expect((JSON.parse(file) as { ca: { key: { scheme: string } } }).ca.key.scheme).toBe('safe');
    expect(deps.settings.ca()!.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('an imported certificate wins over the CA; removing it goes back to auto', async () => {
    ok(await h['certs:createCa'](undefined));
    const other = await makeCa('imported CA');
    const leaf = await other.issue();
    ok(await h['certs:import']({ source: 'pem', cert: leaf.cert, key: leaf.key }));
    await deps.host.start();
    expect(ok(await h['certs:ca'](undefined))!.active).toBe(false);
    expect(deps.host.status().trust).toBeNull();
    const a = await connect(deps.host.status().addresses[0]!.url, { ca: other.cert });
    await a.close();

    ok(await h['certs:remove'](undefined));
    expect(ok(await h['certs:ca'](undefined))!.active).toBe(true);
    expect(deps.host.status().trust).not.toBeNull();
  });
});
