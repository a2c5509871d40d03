// Discovery across a two-host LAN (two namespaces joined by a veth pair): the advertisement carries the
// host's LAN address, each side lists the other and not itself, and sending on the named interface works
// even without a multicast route.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { isIPv4 } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../../support/cli.js';
import { createTwoHostLan, netnsAvailable, type Host, type TestNet } from '../../support/netns.js';
import { repoRoot, runFixture, serverNames, startAgent, type JsonChild, type Msg } from './fixtures/child.js';

const run = netnsAvailable('discovery across a two-host LAN');

/** The real CLI inside `host`; resolves once it logged the advertisement of `name`, with what it printed. */
async function cliIn(host: Host, args: string[], name: string): Promise<{ proc: ChildProcess; lines: string[] }> {
  const proc = host.spawn(
    process.execPath,
    [cliPath, ...args, '--mdns-name', name, '--no-web-client', '--turn-port', '0'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the CLI did not advertise within 8 s:\n${lines.join('\n')}`)),
      8000,
    );
    const onLine = (line: string) => {
      lines.push(line);
      if (/advertised/.test(line) && line.includes(name)) {
        clearTimeout(timer);
        resolve();
      }
    };
    createInterface({ input: proc.stdout! }).on('line', onLine);
    createInterface({ input: proc.stderr! }).on('line', onLine);
  });
  return { proc, lines };
}

/** Addresses split into the IPv4 ones (exact) and whether all others are IPv6 link-local (present or not, by DAD timing). */
function addressShape(addresses: string[]) {
  return {
    ipv4: addresses.filter((a) => isIPv4(a)),
    othersLinkLocal: addresses.filter((a) => !isIPv4(a)).every((a) => a.startsWith('fe80:')),
  };
}

describe.skipIf(!run)('discovery across a two-host LAN', () => {
  let net: TestNet;
  let a: Host;
  let b: Host;
  const children: JsonChild[] = [];
  const track = <T extends JsonChild>(c: T) => (children.push(c), c);
  const stop = async (agent: JsonChild) => {
    agent.send({ cmd: 'stop' });
    await agent.waitFor('stopped', (m) => m.event === 'stopped');
  };

  beforeAll(() => {
    net = createTwoHostLan();
    [a, b] = net.hosts as [Host, Host];
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.close()));
    net?.destroy();
  });

  it('is seen from the other host with its LAN address, and withdrawn on stop', async () => {
    const browser = track(runFixture('bonjour-browse.ts', b));
    await browser.waitFor('browser ready', (m) => m.event === 'ready');
    const agent = track(await startAgent({ port: 5001, push: true, hostname: 'alpha' }, a));

    const up = await browser.waitFor('up', (m) => m.event === 'up');
    expect({ ...up, addresses: addressShape(up.addresses as string[]) }).toEqual({
      event: 'up',
      name: 'rustysignal on alpha',
      host: 'alpha.local',
      port: 5001,
      txt: { v: '1,2', tls: '0', path: '/', push: '1', key: '0' },
      addresses: { ipv4: ['169.254.77.1'], othersLinkLocal: true },
    });
    await stop(agent);
    const down = await browser.waitFor('down', (m) => m.event === 'down');
    expect(down.name).toBe('rustysignal on alpha');
    await browser.close();
  });

  it('each host lists the other, not itself', async () => {
    const one = track(await startAgent({ name: 'on a', port: 5101, hostname: 'alpha' }, a));
    const two = track(await startAgent({ name: 'on b', port: 5102, hostname: 'beta' }, b));
    const lists = (agent: JsonChild, other: string) =>
      agent.waitFor(`list with ${other}`, (m) => m.event === 'servers' && serverNames(m).includes(other));
    const [seenByOne, seenByTwo] = await Promise.all([lists(one, 'on b'), lists(two, 'on a')]);

    const shape = (m: Msg) =>
      (m.list as { name: string; host: string; port: number; addresses: string[] }[]).map((s) => ({
        name: s.name,
        host: s.host,
        port: s.port,
        addresses: addressShape(s.addresses),
      }));
    expect(shape(seenByOne)).toEqual([
      { name: 'on b', host: 'beta.local', port: 5102, addresses: { ipv4: ['169.254.77.2'], othersLinkLocal: true } },
    ]);
    expect(shape(seenByTwo)).toEqual([
      { name: 'on a', host: 'alpha.local', port: 5101, addresses: { ipv4: ['169.254.77.1'], othersLinkLocal: true } },
    ]);
    await Promise.all([stop(one), stop(two)]);
  });

  it('works on a named interface without a multicast route', async () => {
    a.run('ip', ['route', 'del', '224.0.0.0/4', 'dev', a.iface!]);
    b.run('ip', ['route', 'del', '224.0.0.0/4', 'dev', b.iface!]);
    try {
      const one = track(await startAgent({ name: 'named', interface: a.iface!, port: 5201, hostname: 'alpha' }, a));
      const two = track(await startAgent({ name: 'all', port: 5202, hostname: 'beta' }, b));
      const seen = await two.waitFor(
        'two lists named',
        (m) => m.event === 'servers' && serverNames(m).includes('named'),
      );
      expect(serverNames(seen)).toEqual(['named']);
      await one.waitFor('one lists all', (m) => m.event === 'servers' && serverNames(m).includes('all'));
      expect([...one.messages, ...two.messages].filter((m) => m.event === 'problem')).toEqual([]);
      await Promise.all([stop(one), stop(two)]);
    } finally {
      a.run('ip', ['route', 'add', '224.0.0.0/4', 'dev', a.iface!]);
      b.run('ip', ['route', 'add', '224.0.0.0/4', 'dev', b.iface!]);
    }
  });

  /**
   * Starts a wildcard-bound server on a (ports `port`, `port + 1` for the watcher on b) and checks that b
   * lists it alone. It is announced after the loopback-bound ones: once b lists it, b would have seen them.
   */
  async function expectOnlyTheLanServerSeen(port: number): Promise<void> {
    const lan = track(await startAgent({ name: 'on the lan', port, hostname: 'alpha' }, a));
    const watcher = track(await startAgent({ name: 'watcher', port: port + 1, hostname: 'beta' }, b));
    const seen = await watcher.waitFor(
      'lists the lan server',
      (m) => m.event === 'servers' && serverNames(m).includes('on the lan'),
    );
    expect(serverNames(seen)).toEqual(['on the lan']);
    watcher.send({ cmd: 'servers' });
    expect(serverNames(await watcher.waitFor('servers now', (m) => m.event === 'servers-now'))).toEqual(['on the lan']);
    await Promise.all([stop(lan), stop(watcher)]);
  }

  it('does not offer a server bound to 127.0.0.1 to the LAN', async () => {
    const local = track(
      await startAgent({ name: 'loopback only', bindHost: '127.0.0.1', port: 5301, hostname: 'alpha' }, a),
    );
    await local.waitFor('advertised', (m) => m.event === 'advertised');
    await expectOnlyTheLanServerSeen(5302);
    await stop(local);
  });

  it('offers no loopback-bound server to the LAN: ::1 and localhost through the CLI, 127.0.0.2 through the app settings', async () => {
    // ::1 with the LAN interface asked for explicitly: the bind wins, and the CLI says why.
    const v6 = await cliIn(a, ['[::1]:5311', '--mdns-interface', a.iface!], 'cli on ::1');
    const named = await cliIn(a, ['localhost:5312'], 'cli on localhost');
    const app = track(
      runFixture('app-host.ts', a, [
        JSON.stringify({
          host: '127.0.0.2',
          port: 5313,
          mdns: { enabled: true, name: 'app on loopback' },
          relay: { port: 0 },
        }),
      ]),
    );
    try {
      await app.waitFor('app advertised', (m) => m.event === 'advertised' && m.name === 'app on loopback');
      expect(v6.lines.join('\n')).toContain(`mDNS advertises on lo only, not on ${a.iface}`);
      await expectOnlyTheLanServerSeen(5314);
    } finally {
      for (const { proc } of [v6, named]) {
        proc.kill('SIGTERM');
        if (proc.exitCode === null && proc.signalCode === null) await once(proc, 'exit');
      }
      await app.close();
    }
  });
});
