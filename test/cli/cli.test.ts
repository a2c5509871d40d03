// The headless CLI: the original's command lines, flags, bad arguments, port in use, signals.
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../support/clients.js';
import { makeCa, type TestCa } from '../support/certs.js';
import { runCli, startCli, type RunningCli } from '../support/cli.js';

let ca: TestCa;
let dir: string;
const running: RunningCli[] = [];
beforeAll(async () => {
  ca = await makeCa();
  dir = mkdtempSync(path.join(tmpdir(), 'rs-cli-'));
});
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.child.kill('SIGKILL');
    await r.exited;
  }
});
async function start(args: string[]): Promise<RunningCli> {
  const r = await startCli([...args, '--no-mdns']);
  running.push(r);
  return r;
}
async function pemFiles(name: string): Promise<[string, string]> {
  const leaf = await ca.issue();
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  writeFileSync(cert, leaf.cert);
  writeFileSync(key, leaf.key);
  return [cert, key];
}

describe('rustysignal ADDR', () => {
  it('serves v1 and v2 clients and prints one URL per interface address', async () => {
    const r = await start(['127.0.0.1:0']);
    expect(r.stdout()).toContain(`  ws://127.0.0.1:${r.port}/  (lo, this computer only)`);
    const a = await connect(`ws://127.0.0.1:${r.port}/?user=a`);
    const b = await connect(`ws://127.0.0.1:${r.port}/?user=b&v=2`);
    expect((await b.nextJson()).action).toBe('welcome');
    a.send('{"protocol":"one-to-one","endpoint":"b"}');
    expect(await b.next()).toBe('{"protocol":"one-to-one","endpoint":"b","from":"a"}');
    const health: unknown = await (await fetch(`http://127.0.0.1:${r.port}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', connections: 2, peers: 2 });
    r.child.kill('SIGTERM');
    expect(await a.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await r.exited).toBe(0);
  });

  it('with --log-level debug, says who connected and why they left', async () => {
    const r = await start(['127.0.0.1:0', '--log-level', 'debug']);
    const a = await connect(`ws://127.0.0.1:${r.port}/?user=ada&v=2&room=lab`);
    await r.waitFor(/debug: connected id=\d+ name=ada room=lab address=127\.0\.0\.1 dialect=2\n/);
    const anon = await connect(`ws://127.0.0.1:${r.port}/`);
    await r.waitFor(/debug: connected id=\d+ name=null room= address=127\.0\.0\.1 dialect=1\n/);
    await anon.close();
    await r.waitFor(/debug: disconnected id=\d+ name=null room= reason=closed\n/);
    r.child.kill('SIGTERM');
    await a.closed;
    await r.waitFor(/debug: disconnected id=\d+ name=ada room=lab reason=stopped\n/);
    expect(await r.exited).toBe(0);
  });

  it('at the default log level, prints nothing per connection', async () => {
    const r = await start(['127.0.0.1:0']);
    const a = await connect(`ws://127.0.0.1:${r.port}/?user=ada`);
    await a.close();
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr()).not.toMatch(/connected/);
  });
});

describe('relay flags', () => {
  it('--turn-port starts the relay, keeps a generated TURN secret in the data dir (0600) and reuses it', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
    const turnPort = probe.address().port;
    probe.close();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rs-turn-'));
    const args = [
      '127.0.0.1:0',
      '--turn-port',
      String(turnPort),
      '--turn-relay-ports',
      '50100-50110',
      '--data-dir',
      dataDir,
    ];
    const r = await start(args);
    expect(r.stdout()).toContain(
      `relay (STUN/TURN): UDP and TCP port ${turnPort}, relayed addresses on UDP 50100-50110`,
    );
    const file = path.join(dataDir, 'turn-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8');
    expect(secret).toMatch(/^[\w-]{43}\n$/);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    const again = await start(args);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(secret);
    // --turn-secret wins: nothing is written.
    const other = mkdtempSync(path.join(tmpdir(), 'rs-turn-'));
    const given = await start([
      '127.0.0.1:0',
      '--turn-port',
      String(turnPort),
      '--turn-secret',
      'given-secret',
      '--data-dir',
      other,
    ]);
    expect(existsSync(path.join(other, 'turn-secret'))).toBe(false);
    given.child.kill('SIGTERM');
    expect(await given.exited).toBe(0);
  });

  it.each([
    [
      ['--turn-relay-ports', '5-1'],
      `option '--turn-relay-ports <range>' argument '5-1' is invalid. "5-1" is not a port range: use MIN-MAX, e.g. 49160-49300`,
    ],
    [['--turn-allow-peers', '10.0.0.0/33'], 'option relay.allowPeers.0: must be CIDRs such as 10.0.0.0/8 or fc00::/7'],
    [['--turn-port', '70000'], '--turn-port 70000 is not a port (0-65535)'],
  ])('%j exits 2 with one line', (args, message) => {
    const r = runCli([...args, '--no-mdns']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rustysignal: ${message}\n`);
  });
});

describe('flags and JSON logs', () => {
  it('applies --access-key, --max-connections, --max-payload and prints structured lines with the URLs', async () => {
    const { spawn } = await import('node:child_process');
    const { cliPath } = await import('../support/cli.js');
    const child = spawn(process.execPath, [
      cliPath,
      '127.0.0.1:0',
      '--json-logs',
      '--no-mdns',
      '--access-key',
      'k',
      '--max-connections',
      '1',
      '--max-payload',
      '1KiB',
      '--offline-ttl',
      '0',
    ]);
    const line = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const l = out.split('\n').find((x) => x.includes('"listening"'));
        if (l) resolve(l);
      });
    });
    const rec = JSON.parse(line) as { urls: string[] };
    expect(rec).toMatchObject({
      level: 30,
      msg: 'listening',
      urls: [expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/$/)],
    });
    const port = Number(/:(\d+)\//.exec(rec.urls[0]!)![1]);
    await expect(connect(`ws://127.0.0.1:${port}/?user=a`)).rejects.toMatchObject({ status: 401 });
    const a = await connect(`ws://127.0.0.1:${port}/?user=a&key=k`);
    await expect(connect(`ws://127.0.0.1:${port}/?user=b&key=k`)).rejects.toMatchObject({ status: 503 });
    a.send(JSON.stringify({ protocol: 'one-to-self', pad: 'x'.repeat(1100) }));
    expect((await a.closed).code).toBe(1009);
    child.kill('SIGINT');
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
  });
});

describe('rustysignal ADDR CERT KEY', () => {
  it('serves wss like the original ssl build, and SIGHUP swaps the certificate without dropping clients', async () => {
    const [cert, key] = await pemFiles('one');
    const r = await start(['127.0.0.1:0', cert, key]);
    expect(r.stdout()).toContain(`wss://127.0.0.1:${r.port}/`);
    const a = await connect(`wss://127.0.0.1:${r.port}/?user=a`, { ca: ca.cert });
    const other = await makeCa('renewed CA');
    const renewed = await other.issue();
    writeFileSync(cert, renewed.cert);
    writeFileSync(key, renewed.key);
    r.child.kill('SIGHUP');
    await r.waitFor(/TLS certificate reloaded/);
    const b = await connect(`wss://127.0.0.1:${r.port}/?user=b`, { ca: other.cert });
    b.send('{"protocol":"one-to-one","endpoint":"a"}');
    expect(await a.next()).toBe('{"protocol":"one-to-one","endpoint":"a"}');
    writeFileSync(key, 'not a key');
    r.child.kill('SIGHUP');
    await r.waitFor(/TLS certificate not reloaded, keeping the current one: .*is not a PEM private key/);
    const c = await connect(`wss://127.0.0.1:${r.port}/?user=c`, { ca: other.cert });
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe('push command lines', () => {
  it('generates a key file, refuses to overwrite it, and serves its public key in the push and ssl push forms', async () => {
    const pem = path.join(dir, 'vapid.pem');
    const gen = runCli(['vapid', 'generate', '--out', pem]);
    expect(gen.status).toBe(0);
    const publicKey = /public key: ([A-Za-z0-9_-]{87})\n/.exec(gen.stdout)![1];
    expect(runCli(['vapid', 'generate', '--out', pem])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('already exists') as string,
    });
    const push = await start(['127.0.0.1:0', pem, '--vapid-subject', 'mailto:ops@example.org', '--data-dir', dir]);
    expect(await (await fetch(`http://127.0.0.1:${push.port}/push/public-key`)).text()).toBe(publicKey);
    const [cert, key] = await pemFiles('sslpush');
    const both = await start([
      '127.0.0.1:0',
      cert,
      key,
      pem,
      '--vapid-subject',
      'mailto:ops@example.org',
      '--data-dir',
      dir,
    ]);
    const c = await connect(`wss://127.0.0.1:${both.port}/?user=a&v=2`, { ca: ca.cert });
    expect((await c.nextJson()).data.push).toEqual({ publicKey });
    await c.close();
  });
});

describe('bad command lines', () => {
  it.each([
    [['nonsense'], '"nonsense" is not an address: use HOST:PORT, e.g. 0.0.0.0:3012 or [::1]:3012'],
    [['127.0.0.1:70000'], '"127.0.0.1:70000" is not an address: use HOST:PORT, e.g. 0.0.0.0:3012 or [::1]:3012'],
    [['127.0.0.1:1', 'a', 'b', 'c', 'd'], 'too many arguments: expected ADDR [CERT KEY] [VAPIDKEY], got 5'],
    [['127.0.0.1:1', '--port', '2'], 'give the address either as ADDR or with --host/--port, not both'],
    [['--cert', 'x.pem'], '--cert needs --key too'],
    [['--bogus'], "unknown option '--bogus'"],
    [
      ['--max-payload', 'lots'],
      "option '--max-payload <size>' argument 'lots' is invalid. \"lots\" is not a size (examples: 65536, 64KiB, 1MiB)",
    ],
    [
      ['--push-encoding', 'gzip'],
      "option '--push-encoding <encoding>' argument 'gzip' is invalid. Allowed choices are aes128gcm, aesgcm.",
    ],
    [
      ['127.0.0.1:1', '/no/such.pem'],
      'a VAPID key needs a contact subject: add --vapid-subject mailto:you@example.org',
    ],
    [['127.0.0.1:1', '/no/cert.pem', '/no/key.pem'], 'certificate file not found: /no/cert.pem'],
    [['--host', 'example.org'], 'option host: host must be an IP address or localhost'],
  ])('%j exits 2 with one line', (args, message) => {
    const r = runCli([...args, '--no-mdns']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rustysignal: ${message}\n`);
  });

  it('exits 1 with a clear line when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const r = runCli([`127.0.0.1:${port}`, '--no-mdns']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `rustysignal: port ${port} on 127.0.0.1 is already in use (another rustysignal or another program): stop it or choose another port\n`,
    );
    blocker.close();
  });

  it('prints help listing every option, and the version', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    for (const flag of [
      '--cert',
      '--key',
      '--access-key',
      '--data-dir',
      '--max-payload',
      '--max-buffered',
      '--ping-interval',
      '--offline-ttl',
      '--rate-limit',
      '--max-connections',
      '--log-level',
      '--json-logs',
      '--no-mdns',
      '--vapid-key',
      '--vapid-subject',
      '--push-encoding',
      '--no-web-client',
      '--mdns-name',
      '--mdns-interface',
      '--turn-port',
      '--turn-relay-ports',
      '--turn-allow-peers',
      '--turn-secret',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(runCli(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
