// The local CA: its Name Constraints (checked by OpenSSL), leaves for this machine, live re-issue under
// 200 wss clients, onboarding over plain HTTP on the TLS port, and the CLI's CA files at rest.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaExport, runCaShow } from '../../main/ca-command.js';
import { createLocalCa, describeCa, issueLeaf, leafNeedsRenewal, type CertAndKey } from '../../main/certs/ca.js';
import { caPaths, CaFileError, loadOrCreateCa, readCaCert } from '../../main/certs/ca-files.js';
import { LeafKeeper } from '../../main/certs/leaf-keeper.js';
import { cliPath } from '../support/cli.js';
import { connect, type TestClient } from '../support/clients.js';
import { startServer, type Running } from '../support/server.js';

let ca: CertAndKey;
let dir: string;
beforeAll(async () => {
  ca = await createLocalCa('classroom');
  dir = mkdtempSync(path.join(tmpdir(), 'rs-ca-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `openssl verify` of `leaf` against the CA alone: its last line. */
function opensslVerify(leaf: string): string {
  const caFile = path.join(dir, 'ca.pem');
  const leafFile = path.join(dir, `leaf-${Math.random()}.pem`);
  writeFileSync(caFile, ca.cert);
  writeFileSync(leafFile, leaf);
  try {
    return execFileSync('openssl', ['verify', '-CAfile', caFile, leafFile], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    return String((err as { stdout?: string }).stdout) + String((err as { stderr?: string }).stderr);
  }
}

describe('the CA and its leaves', () => {
  it('limits the CA to .local, localhost and private, link-local and loopback ranges (critical)', () => {
    const d = describeCa(ca.cert);
    expect(d.constraints).toEqual({
      dns: ['local', 'localhost'],
      ip: [
        '10.0.0.0/8',
        '172.16.0.0/12',
        '192.168.0.0/16',
        '169.254.0.0/16',
        '127.0.0.0/8',
        'fc00::/7',
        'fe80::/10',
        '::1/128',
      ],
    });
    expect(d.fingerprint256).toBe(new X509Certificate(ca.cert).fingerprint256);
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: ca.cert, encoding: 'utf8' });
    expect(text).toMatch(
      /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:local\s+DNS:localhost\s+IP:10\.0\.0\.0\/255\.0\.0\.0/,
    );
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(new X509Certificate(ca.cert).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // Ten years: devices trust it once.
    expect(new Date(d.validTo).getUTCFullYear() - new Date(d.validFrom).getUTCFullYear()).toBe(10);
  });

  it('issues leaves for NAME.local and private addresses, leaving out addresses it may not certify', async () => {
    const leaf = await issueLeaf(ca, {
      dns: ['classroom.local', 'localhost'],
      ip: ['127.0.0.1', '192.168.1.20', '10.1.2.3', '203.0.113.9', '::1', 'fd00::7', '2001:db8::1'],
    });
    expect(opensslVerify(leaf.cert)).toMatch(/: OK/);
    const x = new X509Certificate(leaf.cert);
    expect(x.subjectAltName).toBe(
      'DNS:classroom.local, DNS:localhost, IP Address:127.0.0.1, IP Address:192.168.1.20, IP Address:10.1.2.3, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:0:7',
    );
    expect(x.checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(leaf.key))).toBe(true);
  });

  it('a leaf for a public name, even signed by the CA, fails verification (the constraint works)', async () => {
    const bad = await issueLeaf(ca, { dns: ['example.com'], ip: [] });
    expect(opensslVerify(bad.cert)).toMatch(/permitted subtree violation/);
  });

  it('a leaf needs renewal when an address comes or goes, or fewer than 15 days are left', async () => {
    const names = { dns: ['classroom.local'], ip: ['127.0.0.1', '192.168.1.20'] };
    const now = new Date();
    const leaf = await issueLeaf(ca, names, { now });
    expect(leafNeedsRenewal(leaf.cert, names, now)).toBe(false);
    expect(leafNeedsRenewal(leaf.cert, { ...names, ip: ['127.0.0.1', '192.168.7.7'] }, now)).toBe(true);
    expect(leafNeedsRenewal(leaf.cert, { ...names, ip: ['127.0.0.1'] }, now)).toBe(true);
    // A public address cannot be in the leaf, so it does not make the leaf stale either.
    expect(leafNeedsRenewal(leaf.cert, { ...names, ip: [...names.ip, '203.0.113.9'] }, now)).toBe(false);
    expect(leafNeedsRenewal(leaf.cert, names, new Date(now.getTime() + 31 * 86_400_000))).toBe(true);
  });
});

function peerSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = tlsConnect({ host: '127.0.0.1', port, ca: ca.cert, servername: 'classroom.local' }, () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.end();
    });
    s.on('error', reject);
  });
}

describe('leaf re-issued live under 200 wss clients', () => {
  it('drops no connection, and new connections get the new leaf', { timeout: 60_000 }, async () => {
    let ip = ['127.0.0.1', '192.168.1.20'];
    // The test drives every check itself: a periodic one started before the address change (200
    // handshakes can take longer than its period on a busy machine) would answer for the old addresses.
    const keeper = new LeafKeeper({
      ca,
      names: () => ({ dns: ['classroom.local', 'localhost'], ip }),
      checkEveryMs: 3_600_000,
    });
    const s: Running = await startServer({ tls: await keeper.current(), trust: { caCert: ca.cert } });
    const renewed: string[] = [];
    keeper.start({
      onRenewed: async (leaf) => {
        await s.server.reconfigure({ tls: leaf });
        renewed.push(leaf.cert);
      },
    });
    try {
      const before = await peerSerial(s.port);
      const clients: TestClient[] = [];
      for (let i = 0; i < 200; i += 20)
        clients.push(
          ...(await Promise.all(
            Array.from({ length: 20 }, (_, j) => connect(s.url(`user=u${i + j}`), { ca: ca.cert })),
          )),
        );
      let closes = 0;
      for (const c of clients) void c.closed.then(() => closes++);

      // The laptop moved to another network: the address changed.
      ip = ['127.0.0.1', '10.20.30.40'];
      await expect(keeper.check()).resolves.toBe(true);
      expect(renewed).toHaveLength(1);
      expect(new X509Certificate(renewed[0]!).subjectAltName).toContain('IP Address:10.20.30.40');
      expect(await peerSerial(s.port)).not.toBe(before);
      await expect(keeper.check()).resolves.toBe(false); // nothing changed since

      // Every one of the 200 is still there and still relays: one broadcast reaches all 199 others.
      expect(s.server.status().connections).toBe(200);
      clients[0]!.send('{"protocol":"one-to-all","action":"after-rotation"}');
      const got = await Promise.all(clients.slice(1).map((c) => c.next(10_000)));
      expect(new Set(got)).toEqual(new Set(['{"protocol":"one-to-all","action":"after-rotation"}']));
      expect(closes).toBe(0);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      keeper.stop();
      await s.stop();
    }
  });
});

describe('the periodic check', () => {
  it('re-issues by itself when an address changes or expiry nears, and hands the leaf over', async () => {
    let ip = ['192.168.1.20'];
    let now = new Date();
    const keeper = new LeafKeeper({
      ca,
      names: () => ({ dns: ['classroom.local'], ip }),
      now: () => now,
      checkEveryMs: 50,
    });
    const first = await keeper.current();
    const renewed: CertAndKey[] = [];
    keeper.start({ onRenewed: (leaf) => void renewed.push(leaf) });
    try {
      ip = ['10.9.8.7'];
      await expect.poll(() => renewed.length).toBe(1);
      expect(new X509Certificate(renewed[0]!.cert).subjectAltName).toBe('DNS:classroom.local, IP Address:10.9.8.7');
      expect(await keeper.current()).toBe(renewed[0]);
      // 31 days on, 14 are left of 45: time for a new one.
      now = new Date(now.getTime() + 31 * 86_400_000);
      await expect.poll(() => renewed.length).toBe(2);
      expect(new Date(new X509Certificate(renewed[1]!.cert).validTo).getTime()).toBeGreaterThan(
        now.getTime() + 44 * 86_400_000,
      );
      expect(first.cert).not.toBe(renewed[0]!.cert);
    } finally {
      keeper.stop();
    }
  });
});

function plainGet(port: number, p: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: p, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** A minimal XML property list reader: dict, array, string, data, integer, true/false. Throws on anything else. */
function parsePlist(xml: string): unknown {
  const tokens = xml
    .replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>/g, '')
    .match(/<[^>]+>|[^<]+/g)!
    .map((t) => t.trim())
    .filter(Boolean);
  let i = 0;
  const expectTag = (t: string) => {
    if (tokens[i++] !== t) throw new Error(`expected ${t} at token ${i - 1}: ${tokens[i - 1]}`);
  };
  const value = (): unknown => {
    const t = tokens[i++]!;
    if (t === '<dict>') {
      const o: Record<string, unknown> = {};
      while (tokens[i] !== '</dict>') {
        expectTag('<key>');
        const k = tokens[i++]!;
        expectTag('</key>');
        o[k] = value();
      }
      i++;
      return o;
    }
    if (t === '<array>') {
      const a: unknown[] = [];
      while (tokens[i] !== '</array>') a.push(value());
      i++;
      return a;
    }
    if (t === '<true/>' || t === '<false/>') return t === '<true/>';
    const m = /^<(string|data|integer)>$/.exec(t);
    if (!m) throw new Error(`unexpected ${t}`);
    const text = tokens[i] === `</${m[1]}>` ? '' : tokens[i++]!;
    expectTag(`</${m[1]}>`);
    if (m[1] === 'integer') return Number(text);
    if (m[1] === 'data') return Buffer.from(text.replace(/\s+/g, ''), 'base64');
    return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  };
  expectTag('<plist version="1.0">');
  const v = value();
  expectTag('</plist>');
  return v;
}

describe('onboarding over plain HTTP on the TLS port', () => {
  let s: Running;
  beforeAll(async () => {
    const leaf = await issueLeaf(ca, { dns: ['classroom.local'], ip: ['127.0.0.1'] });
    s = await startServer({ tls: leaf, trust: { caCert: ca.cert } }, { hostname: () => 'Classroom' });
  });
  afterAll(() => s.stop());

  it('serves the trust page with the fingerprint and downloads, while wss works on the same port', async () => {
    const page = await plainGet(s.port, '/trust', { Host: `classroom.local:${s.port}` });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = page.body.toString();
    expect(html).toContain(`SHA-256 ${new X509Certificate(ca.cert).fingerprint256}`);
    expect(html).toContain(`href="https://classroom.local:${s.port}/"`);
    for (const platform of ['Android', 'iPhone and iPad', 'Mac', 'Windows', 'ChromeOS', 'Linux'])
      expect(html).toContain(`<summary>${platform}</summary>`);

    const pem = await plainGet(s.port, '/trust/ca.pem');
    expect(pem.headers['content-type']).toBe('application/x-pem-file');
    expect(new X509Certificate(pem.body).fingerprint256).toBe(new X509Certificate(ca.cert).fingerprint256);
    const der = await plainGet(s.port, '/trust/ca.crt');
    expect(der.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(der.body.equals(Buffer.from(new X509Certificate(ca.cert).raw))).toBe(true);

    const a = await connect(s.url('user=a'), { ca: ca.cert });
    a.send('{"protocol":"one-to-self"}');
    expect(await a.next()).toBe('{"protocol":"one-to-self"}');
    await a.close();
  });

  it('the configuration profile is a property list with the CA inside', async () => {
    const r = await plainGet(s.port, '/trust/rustysignal.mobileconfig');
    expect(r.headers['content-type']).toBe('application/x-apple-aspen-config');
    const profile = parsePlist(r.body.toString()) as Record<string, unknown>;
    expect(profile.PayloadType).toBe('Configuration');
    expect(profile.PayloadVersion).toBe(1);
    expect(profile.PayloadUUID).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-A[0-9A-F]{3}-[0-9A-F]{12}$/);
    const [payload] = profile.PayloadContent as Array<Record<string, unknown>>;
    expect(payload!.PayloadType).toBe('com.apple.security.root');
    expect(payload!.PayloadDisplayName).toBe('rustysignal local CA (classroom)');
    expect((payload!.PayloadContent as Buffer).equals(Buffer.from(new X509Certificate(ca.cert).raw))).toBe(true);
    // Same CA, same profile: installing it twice replaces instead of adding.
    expect((await plainGet(s.port, '/trust/rustysignal.mobileconfig')).body.equals(r.body)).toBe(true);
  });

  it('redirects everything else to https on the same host and port, and tells plain ws to use wss', async () => {
    const r = await plainGet(s.port, '/?room=lab', { Host: `192.168.1.20:${s.port}` });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(`https://192.168.1.20:${s.port}/?room=lab`);
    // A Host header that is not a host name is not echoed; this machine's .local name is used.
    const odd = await plainGet(s.port, '/healthz', { Host: 'evil"<x>' });
    expect(odd.headers.location).toBe(`https://classroom.local:${s.port}/healthz`);
    await expect(connect(`ws://127.0.0.1:${s.port}/?user=plain`)).rejects.toMatchObject({ status: 426 });
    expect(s.server.status().trust?.fingerprint256).toBe(new X509Certificate(ca.cert).fingerprint256);
  });
});

describe('the CLI keeps its CA in the data dir', () => {
  it('writes the key 0600 in a 0700 directory and opens the same CA again', async () => {
    const dataDir = path.join(dir, 'plain');
    const first = await loadOrCreateCa(dataDir, 'classroom');
    expect(first.created).toBe(true);
    const p = caPaths(dataDir);
    expect(statSync(p.key).mode & 0o777).toBe(0o600);
    expect(statSync(p.dir).mode & 0o777).toBe(0o700);
    const again = await loadOrCreateCa(dataDir, 'classroom');
    expect(again).toEqual({ ca: first.ca, created: false });
    expect(await readCaCert(dataDir)).toBe(first.ca.cert);
  });

  it('with a passphrase, the key on disk is encrypted: not readable in clear, and refused without it', async () => {
    const dataDir = path.join(dir, 'sealed');
    const { ca: made } = await loadOrCreateCa(dataDir, 'classroom', 'correct horse');
    const onDisk = readFileSync(caPaths(dataDir).key, 'utf8');
    expect(onDisk).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(onDisk).not.toContain(made.key.split('\n')[1]!);
    expect(() => createPrivateKey(onDisk)).toThrow();
    await expect(loadOrCreateCa(dataDir, 'classroom')).rejects.toThrow(/RUSTYSIGNAL_CA_PASSPHRASE/);
    await expect(loadOrCreateCa(dataDir, 'classroom', 'wrong')).rejects.toBeInstanceOf(CaFileError);
    expect((await loadOrCreateCa(dataDir, 'classroom', 'correct horse')).ca).toEqual(made);

    // The CLI says the same as a usage error (exit 2, one line, no stack) and serves nothing.
    const cli = spawnSync(process.execPath, [cliPath, '127.0.0.1:0', '--tls', 'auto', '--data-dir', dataDir], {
      encoding: 'utf8',
      env: { ...process.env, RUSTYSIGNAL_CA_PASSPHRASE: 'wrong' },
      timeout: 15_000,
    });
    expect(cli.status, cli.stderr).toBe(2);
    expect(cli.stderr.trim()).toMatch(/^rustysignal: the CA key .*ca-key\.pem .*RUSTYSIGNAL_CA_PASSPHRASE[^\n]*$/);
  });

  it('ca show prints fingerprint, constraints and expiry; ca export writes PEM or DER and will not overwrite', async () => {
    const dataDir = path.join(dir, 'plain');
    let out = '';
    await runCaShow(dataDir, false, (s) => (out += s));
    const pem = await readCaCert(dataDir);
    expect(out).toContain(`SHA-256:  ${new X509Certificate(pem).fingerprint256}`);
    expect(out).toContain('may certify names: *.local, localhost');
    expect(out).toContain('may certify addresses: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16');
    expect(out).toMatch(/valid: {4}\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d/);
    const derFile = path.join(dir, 'ca.crt');
    await runCaExport(dataDir, derFile, false);
    expect(readFileSync(derFile).equals(Buffer.from(new X509Certificate(pem).raw))).toBe(true);
    await expect(runCaExport(dataDir, derFile, false)).rejects.toThrow(/already exists: .*--force/);
    const pemFile = path.join(dir, 'ca-export.pem');
    await runCaExport(dataDir, pemFile, false);
    expect(readFileSync(pemFile, 'utf8')).toBe(pem);
    await expect(runCaShow(path.join(dir, 'none'), false, () => {})).rejects.toThrow(/no local CA .*--tls auto/);
  });
});
