// Discovery as part of a running server: createSignalServer with mDNS on advertises on start, updates
// the TXT on reconfigure, lists other servers, and withdraws on stop; the CLI does the same end to end.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createSignalServer } from '../../../main/server/signal-server.js';
import type { DiscoveredServer } from '../../../main/server/surface.js';
import { cliPath } from '../../support/cli.js';
import { createLoopbackHost, netnsAvailable } from '../../support/netns.js';
import { repoRoot, runFixture, startAgent, type JsonChild } from './fixtures/child.js';

const run = netnsAvailable('discovery in a running server');

describe.skipIf(!run)('discovery in a running server', () => {
  const children: JsonChild[] = [];
  afterAll(async () => {
    await Promise.all(children.map((c) => c.close()));
  });

  // This file's own process is the server, so it runs in `npm test`'s namespace; unique names keep it
  // apart from any other suite advertising there.
  it('advertises on start, updates on reconfigure, lists other servers, and withdraws on stop', async () => {
    const name = `server ${randomBytes(3).toString('hex')}`;
    const browser = runFixture('bonjour-browse.ts');
    children.push(browser);
    await browser.waitFor('browser ready', (m) => m.event === 'ready');

    const server = createSignalServer({ host: '127.0.0.1', port: 0, mdns: { enabled: true, name, interface: null } });
    const problems: unknown[] = [];
    server.events.on('error', (p) => problems.push(p));
    const advertised = new Promise((resolve) => server.events.once('advertised', resolve));
    const status = await server.start();
    expect(await advertised).toEqual({ name });
    expect(server.status().mdns).toEqual({ enabled: true, name });

    const up = await browser.waitFor('up', (m) => m.event === 'up' && m.name === name);
    expect({ port: up.port, txt: up.txt }).toEqual({
      port: status.port,
      txt: { v: '1,2', tls: '0', path: '/', push: '0', key: '0' },
    });

    await server.reconfigure({ accessKey: 'secret' });
    const updated = await browser.waitFor('txt-update', (m) => m.event === 'txt-update' && m.name === name);
    expect(updated.txt).toEqual({ v: '1,2', tls: '0', path: '/', push: '0', key: '1' });

    const peerName = `${name} peer`;
    const lists = new Promise<DiscoveredServer[]>((resolve, reject) => {
      // Counted from before the other server's process starts, so it covers that start too.
      const timer = setTimeout(() => {
        off();
        reject(new Error(`the server did not list ${peerName} within 15 s`));
      }, 15_000);
      const off = server.events.on('discovery', (list) => {
        if (!list.some((s) => s.name === peerName)) return;
        off();
        clearTimeout(timer);
        resolve(list);
      });
    });
    const peer = await startAgent({ name: peerName, port: 7001, hostname: 'beta' });
    children.push(peer);
    const list = await lists;
    expect(list.find((s) => s.name === peerName)).toMatchObject({ host: 'beta.local', port: 7001 });
    expect(list.some((s) => s.name === name)).toBe(false);
    expect(server.discovered().map((s) => s.name)).toContain(peerName);

    await server.stop();
    const down = await browser.waitFor('down', (m) => m.event === 'down' && m.name === name);
    expect(down.port).toBe(status.port);
    expect(server.discovered()).toEqual([]);
    expect(problems).toEqual([]);
    // Six steps that each wait on multicast and two tsx children: each step has its own limit and
    // message, so the test as a whole may take longer than the suite's default when the machine is busy.
  }, 45_000);

  it('`rustysignal --mdns-name` advertises what `rustysignal discover` then lists', async () => {
    expect(existsSync(cliPath), `${cliPath} is missing: run npm run build (npm test does)`).toBe(true);
    const net = createLoopbackHost();
    const host = net.hosts[0]!;
    const cli = host.spawn(process.execPath, [cliPath, '127.0.0.1:0', '--mdns-name', 'cli server', '--no-web-client'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines: string[] = [];
      const port = await new Promise<number>((resolve, reject) => {
        let found: number | null = null;
        const timer = setTimeout(
          () => reject(new Error(`the CLI did not advertise within 8 s:\n${lines.join('\n')}`)),
          8000,
        );
        const onLine = (line: string) => {
          lines.push(line);
          found ??= Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? '') || null;
          if (found !== null && /advertised/.test(line) && line.includes('cli server')) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        createInterface({ input: cli.stdout! }).on('line', onLine);
        createInterface({ input: cli.stderr! }).on('line', onLine);
      });

      const discover = host.spawn(process.execPath, [cliPath, 'discover', '--timeout', '1000'], { cwd: repoRoot });
      let out = '';
      discover.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const [code] = (await once(discover, 'exit')) as [number];
      const srvHost = `${hostname().split('.')[0]}.local`; // the CLI names its SRV target after this machine
      expect({ code, out }).toEqual({
        code: 0,
        out: `cli server  ws://127.0.0.1:${port}/  host ${srvHost}  addresses 127.0.0.1, ::1  port ${port}  no access key  push off\n`,
      });
    } finally {
      cli.kill('SIGTERM');
      await once(cli, 'exit');
      net.destroy();
    }
  });
});
