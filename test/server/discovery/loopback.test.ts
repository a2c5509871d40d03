// Discovery between processes on one host (a fresh loopback-only namespace): advertisement, TXT, update,
// goodbye, the browse list, name conflicts, problems. Every agent and browser is its own process.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../../support/cli.js';
import { createLoopbackHost, netnsAvailable, type Host, type TestNet } from '../../support/netns.js';
import { repoRoot, runFixture, serverNames, startAgent, type JsonChild } from './fixtures/child.js';

const run = netnsAvailable('discovery on one host');

describe.skipIf(!run)('discovery on one host', () => {
  let net: TestNet;
  let host: Host;
  const children: JsonChild[] = [];
  const track = <T extends JsonChild>(c: T) => (children.push(c), c);

  beforeAll(() => {
    net = createLoopbackHost();
    host = net.hosts[0]!;
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.close()));
    net?.destroy();
  });

  it('is seen by another implementation in another process, updates its TXT, and says goodbye on stop', async () => {
    const browser = track(runFixture('bonjour-browse.ts', host));
    await browser.waitFor('browser ready', (m) => m.event === 'ready');
    const agent = track(await startAgent({ name: 'txt check', port: 4001, key: true, hostname: 'alpha' }, host));

    const up = await browser.waitFor('up', (m) => m.event === 'up' && m.name === 'txt check');
    expect(up).toEqual({
      event: 'up',
      name: 'txt check',
      host: 'alpha.local',
      port: 4001,
      txt: { v: '1,2', tls: '0', path: '/', push: '0', key: '1' },
      addresses: ['127.0.0.1', '::1'],
    });
    await agent.waitFor('advertised', (m) => m.event === 'advertised');
    expect(agent.messages.filter((m) => m.event === 'advertised')).toEqual([
      { event: 'advertised', name: 'txt check' },
    ]);

    agent.send({ cmd: 'update', ad: { port: 4001, tls: true, path: '/signal', push: true, key: false } });
    const updated = await browser.waitFor('txt-update', (m) => m.event === 'txt-update');
    expect(updated.txt).toEqual({ v: '1,2', tls: '1', path: '/signal', push: '1', key: '0' });

    agent.send({ cmd: 'update', ad: { port: 4002, tls: true, path: '/signal', push: true, key: false } });
    const moved = await browser.waitFor('srv-update', (m) => m.event === 'srv-update');
    expect(moved.port).toBe(4002);

    agent.send({ cmd: 'stop' });
    const down = await browser.waitFor('down', (m) => m.event === 'down');
    expect(down.name).toBe('txt check');
    await agent.waitFor('stopped', (m) => m.event === 'stopped');
    await browser.close();
  });

  it('lists a second server, leaves itself out, and drops the other on its goodbye', async () => {
    const one = track(await startAgent({ name: 'one', port: 4101, hostname: 'alpha' }, host));
    const two = track(await startAgent({ name: 'two', port: 4102, push: true, hostname: 'beta' }, host));

    const seenByOne = await one.waitFor(
      'one lists two',
      (m) => m.event === 'servers' && serverNames(m).includes('two'),
    );
    expect(seenByOne.list).toEqual([
      {
        name: 'two',
        host: 'beta.local',
        addresses: ['127.0.0.1', '::1'],
        port: 4102,
        txt: { v: '1,2', tls: '0', path: '/', push: '1', key: '0' },
        firstSeen: expect.any(Number) as number,
        lastSeen: expect.any(Number) as number,
      },
    ]);
    const seenByTwo = await two.waitFor(
      'two lists one',
      (m) => m.event === 'servers' && serverNames(m).includes('one'),
    );
    expect(serverNames(seenByTwo)).toEqual(['one']);
    // Both sessions see their own answers on the wire; neither ever lists itself.
    for (const [agent, self] of [
      [one, 'one'],
      [two, 'two'],
    ] as const) {
      expect(agent.messages.filter((m) => m.event === 'servers').flatMap(serverNames)).not.toContain(self);
    }

    two.send({ cmd: 'stop' });
    await two.waitFor('two stopped', (m) => m.event === 'stopped');
    await one.waitFor('one lists nothing', (m) => m.event === 'servers' && (m.list as unknown[]).length === 0);
    one.send({ cmd: 'stop' });
    await one.waitFor('one stopped', (m) => m.event === 'stopped');
  });

  it('resolves a name conflict the DNS-SD way and reports the name in use', async () => {
    const first = track(await startAgent({ name: 'same name', port: 4201, hostname: 'alpha' }, host));
    await first.waitFor('first advertised', (m) => m.event === 'advertised');
    const second = track(await startAgent({ name: 'same name', port: 4202, hostname: 'beta' }, host));
    const named = await second.waitFor('second advertised', (m) => m.event === 'advertised');
    expect(named).toEqual({ event: 'advertised', name: 'same name (2)' });

    const seen = await first.waitFor(
      'first lists the renamed',
      (m) => m.event === 'servers' && serverNames(m).length > 0,
    );
    expect(serverNames(seen)).toEqual(['same name (2)']);
    expect((seen.list as { port: number }[])[0]!.port).toBe(4202);
    await Promise.all(
      [first, second].map(async (a) => (a.send({ cmd: 'stop' }), a.waitFor('stopped', (m) => m.event === 'stopped'))),
    );
  });

  it('settles on two names when two servers claim one name at the same moment', async () => {
    // Started together: either one probes first and the other sees it while probing, or both probe before
    // either answers and announce, and then the one with the lower SRV data yields. Either way, two names.
    const [low, high] = await Promise.all([
      startAgent({ name: 'twin', port: 4251, hostname: 'alpha' }, host),
      startAgent({ name: 'twin', port: 4252, hostname: 'alpha' }, host),
    ]).then((agents) => agents.map(track));
    const latest = (agent: JsonChild) => agent.messages.filter((m) => m.event === 'advertised').at(-1)?.name;
    const lists = (agent: JsonChild, name: unknown) => {
      const last = agent.messages.filter((m) => m.event === 'servers').at(-1);
      return last !== undefined && serverNames(last).includes(name as string);
    };
    const settled = () =>
      latest(low!) !== undefined &&
      latest(high!) !== undefined &&
      latest(low!) !== latest(high!) &&
      lists(low!, latest(high!)) &&
      lists(high!, latest(low!));
    await Promise.race([low!.waitFor('settled', settled), high!.waitFor('settled', settled)]);
    expect([latest(low!), latest(high!)].sort()).toEqual(['twin', 'twin (2)']);
    await Promise.all(
      [low!, high!].map(async (a) => (a.send({ cmd: 'stop' }), a.waitFor('stopped', (m) => m.event === 'stopped'))),
    );
  });

  it('drops a server that vanishes without a goodbye', async () => {
    const watcher = track(await startAgent({ name: 'watcher', port: 4301, hostname: 'alpha', refreshMs: 300 }, host));
    const doomed = track(await startAgent({ name: 'doomed', port: 4302, hostname: 'beta' }, host));
    await watcher.waitFor('watcher lists doomed', (m) => m.event === 'servers' && serverNames(m).includes('doomed'));
    doomed.proc.kill('SIGKILL');
    const gone = await watcher.waitFor(
      'watcher drops doomed',
      (m) => m.event === 'servers' && (m.list as unknown[]).length === 0,
      5000,
    );
    expect(gone.list).toEqual([]);
    watcher.send({ cmd: 'stop' });
    await watcher.waitFor('stopped', (m) => m.event === 'stopped');
  });

  it('reports a port 5353 held by another program, keeps running, and advertises once the port is free', async () => {
    // A namespace of its own: the port must be free for the holder to take it exclusively.
    const own = createLoopbackHost();
    const agent = track(runFixture('agent.ts', own.hosts[0]));
    await agent.waitFor('ready', (m) => m.event === 'ready');
    agent.send({ cmd: 'hold5353' });
    await agent.waitFor('holding', (m) => m.event === 'holding');
    agent.send({
      cmd: 'start',
      options: { enabled: true, name: 'blocked', interface: null },
      ad: { port: 4401, tls: false, path: '/', push: false, key: false },
      env: { hostname: 'alpha', refreshMs: 300 },
    });
    const problem = await agent.waitFor('problem', (m) => m.event === 'problem');
    expect(problem.problem).toEqual({
      code: 'mdns-failed',
      message:
        'mDNS is off on lo (127.0.0.1): UDP port 5353 is held by another program that does not share it. Quit that program (or let it share the port), or start with --no-mdns. The signaling server keeps running; devices must then type its address.',
    });
    agent.send({ cmd: 'servers' });
    expect((await agent.waitFor('servers-now', (m) => m.event === 'servers-now')).list).toEqual([]);

    agent.send({ cmd: 'release5353' });
    await agent.waitFor('released', (m) => m.event === 'released');
    await agent.waitFor('advertised after the port was freed', (m) => m.event === 'advertised');
    const order = agent.messages
      .map((m) => m.event)
      .filter((e) => ['problem', 'released', 'advertised', 'crash'].includes(e));
    // Retried every refresh while the port was held, yet reported once and never claimed as advertised.
    expect(order).toEqual(['problem', 'released', 'advertised']);
    agent.send({ cmd: 'stop' });
    await agent.waitFor('stopped', (m) => m.event === 'stopped');
    await agent.close();
    own.destroy();
  });

  it('reports an interface that does not exist', async () => {
    const agent = track(await startAgent({ name: 'nowhere', interface: 'wlan9', port: 4501, hostname: 'alpha' }, host));
    const problem = await agent.waitFor('problem', (m) => m.event === 'problem');
    expect(problem.problem).toEqual({
      code: 'mdns-failed',
      message:
        'mDNS is off: network interface "wlan9" does not exist or is down. Interfaces with IPv4: lo (127.0.0.1). Pick one with --mdns-interface, or leave it out to use all.',
    });
    agent.send({ cmd: 'stop' });
    await agent.waitFor('stopped', (m) => m.event === 'stopped');
  });

  it('`rustysignal discover` lists the servers that answer, one line each, and says so when there are none', async () => {
    const discover = async (...args: string[]) => {
      const p = host.spawn(process.execPath, [cliPath, 'discover', ...args], { cwd: repoRoot });
      let out = '';
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const [code] = (await once(p, 'exit')) as [number];
      return { code, out };
    };
    const none = await discover('--timeout', '1000');
    expect(none).toEqual({
      code: 1,
      out: 'no rustysignal servers found on this network within 1 s (check: same Wi-Fi, multicast allowed, firewall UDP 5353)\n',
    });

    const a = track(
      await startAgent({ name: 'listed', port: 4601, tls: true, path: '/ws', key: true, hostname: 'alpha' }, host),
    );
    await a.waitFor('advertised', (m) => m.event === 'advertised');
    const found = await discover('--timeout', '1000');
    expect(found).toEqual({
      code: 0,
      out: 'listed  wss://127.0.0.1:4601/ws  host alpha.local  addresses 127.0.0.1, ::1  port 4601  access key required  push off\n',
    });

    const json = await discover('--timeout', '1000', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual([
      {
        name: 'listed',
        host: 'alpha.local',
        addresses: ['127.0.0.1', '::1'],
        port: 4601,
        url: 'wss://127.0.0.1:4601/ws',
        tls: true,
        path: '/ws',
        push: false,
        key: true,
        versions: '1,2',
        txt: { v: '1,2', tls: '1', path: '/ws', push: '0', key: '1' },
      },
    ]);
    a.send({ cmd: 'stop' });
    await a.waitFor('stopped', (m) => m.event === 'stopped');
  });
});
