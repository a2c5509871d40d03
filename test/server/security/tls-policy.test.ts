// Finding 13: with an RSA key, the built CLI negotiates TLS 1.2+ with forward-secret AEAD suites only.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../../support/cli.js';

let dir: string;
let cli: RunningCli;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rs-tls-policy-'));
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '2'].concat([
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ]),
    { encoding: 'utf8' },
  );
  expect(made.status, made.stderr).toBe(0);
  cli = await startCli([
    '127.0.0.1:0',
    path.join(dir, 'cert.pem'),
    path.join(dir, 'key.pem'),
    '--no-mdns',
    '--data-dir',
    dir,
  ]);
});
afterAll(async () => {
  cli?.child.kill('SIGTERM');
  await cli?.exited;
  await rm(dir, { recursive: true, force: true });
});

/** Runs a TLS handshake with openssl s_client; returns whether it completed and what was agreed. */
function handshake(...args: string[]): { ok: boolean; cipher: string | null } {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${cli.port}`, ...args], {
    input: '',
    encoding: 'utf8',
    timeout: 10_000,
  });
  const cipher = /Cipher is (\S+)/.exec(r.stdout)?.[1] ?? null;
  return { ok: r.status === 0 && cipher !== null && cipher !== '(NONE)', cipher };
}

describe('TLS policy of the built CLI', () => {
  it('refuses suites without forward secrecy, CBC suites and TLS below 1.2', () => {
    expect(handshake('-tls1_2', '-cipher', 'AES128-SHA').ok).toBe(false);
    expect(handshake('-tls1_2', '-cipher', 'AES256-GCM-SHA384').ok).toBe(false); // RSA key exchange
    expect(handshake('-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA').ok).toBe(false); // CBC
    expect(handshake('-tls1_1', '-cipher', 'ALL:@SECLEVEL=0').ok).toBe(false);
  });

  it('agrees on ECDHE AEAD suites with TLS 1.2 and on TLS 1.3', () => {
    expect(handshake('-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256')).toEqual({
      ok: true,
      cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
    });
    expect(handshake('-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305').ok).toBe(true);
    expect(handshake('-tls1_3').ok).toBe(true);
  });
});
