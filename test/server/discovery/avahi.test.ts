// An independent implementation must agree with us: Debian's avahi-daemon on the other host of a veth LAN
// resolves our advertisement and sees its goodbye; a service published with avahi-publish shows up in our
// list; and a name avahi holds makes us pick the next DNS-SD name.
import { isIPv4 } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvahi, type Avahi } from '../../support/avahi.js';
import { createTwoHostLan, netnsAvailable, type Host, type TestNet } from '../../support/netns.js';
import { serverNames, startAgent, type JsonChild, type Msg } from './fixtures/child.js';

const run = netnsAvailable('discovery against avahi');

describe.skipIf(!run)('discovery against avahi', () => {
  let net: TestNet;
  let a: Host;
  let b: Host;
  let avahi: Avahi;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async (agent: JsonChild) => {
    agent.send({ cmd: 'stop' });
    await agent.waitFor('stopped', (m) => m.event === 'stopped');
  };

  beforeAll(async () => {
    net = createTwoHostLan();
    [a, b] = net.hosts as [Host, Host];
    avahi = await startAvahi(b, 'peerhost');
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await avahi?.stop();
    net?.destroy();
  });

  it('avahi-browse resolves our advertisement across the veth pair and sees the goodbye', async () => {
    const browse = avahi.browse('_rustysignal._tcp');
    cleanups.push(() => browse.stop());
    const agent = await startAgent({ port: 6001, key: true, path: '/signal', hostname: 'alpha' }, a);
    cleanups.push(() => agent.close());

    const resolved = await browse.waitFor('resolved', (l) => l.event === '=' && l.name === 'rustysignal on alpha');
    expect(resolved).toEqual({
      event: '=',
      iface: b.iface,
      protocol: 'IPv4',
      name: 'rustysignal on alpha',
      type: '_rustysignal._tcp',
      domain: 'local',
      host: 'alpha.local',
      address: '169.254.77.1',
      port: 6001,
      txt: ['key=1', 'path=/signal', 'push=0', 'tls=0', 'v=1,2'],
    });
    await stop(agent);
    await browse.waitFor('removed', (l) => l.event === '-' && l.name === 'rustysignal on alpha');
    await browse.stop();
  });

  it('lists a service published with avahi-publish, and drops it when avahi withdraws it', async () => {
    const agent = await startAgent({ name: 'watching', port: 6101, hostname: 'alpha' }, a);
    cleanups.push(() => agent.close());
    const published = await avahi.publish('avahi peer', '_rustysignal._tcp', 6102, [
      'v=1,2',
      'tls=1',
      'path=/x',
      'push=0',
      'key=1',
    ]);
    cleanups.push(() => published.stop());

    // Its addresses may arrive in a later packet than its SRV; the list fills them in when they do.
    const resolved = (m: Msg) =>
      m.event === 'servers' &&
      (m.list as { name: string; addresses: string[] }[]).some(
        (s) => s.name === 'avahi peer' && s.addresses.length > 0,
      );
    const seen = await agent.waitFor('lists avahi peer with an address', resolved);
    const [peer] = seen.list as {
      name: string;
      host: string;
      addresses: string[];
      port: number;
      txt: Record<string, string>;
    }[];
    expect({
      ...peer,
      firstSeen: undefined,
      lastSeen: undefined,
      addresses: peer!.addresses.filter((x) => isIPv4(x)),
    }).toEqual({
      name: 'avahi peer',
      host: 'peerhost.local',
      addresses: ['169.254.77.2'],
      port: 6102,
      txt: { v: '1,2', tls: '1', path: '/x', push: '0', key: '1' },
      firstSeen: undefined,
      lastSeen: undefined,
    });

    await published.stop();
    await agent.waitFor('drops avahi peer', (m) => m.event === 'servers' && !serverNames(m).includes('avahi peer'));
    await stop(agent);
  });

  it('takes the next DNS-SD name when avahi already holds ours', async () => {
    const held = await avahi.publish('taken', '_rustysignal._tcp', 6201, ['v=1,2']);
    cleanups.push(() => held.stop());
    const agent = await startAgent({ name: 'taken', port: 6202, hostname: 'alpha' }, a);
    cleanups.push(() => agent.close());
    const named = await agent.waitFor('advertised', (m) => m.event === 'advertised');
    expect(named).toEqual({ event: 'advertised', name: 'taken (2)' });

    // avahi agrees: both instances resolve, each under its own name.
    const browse = avahi.browse('_rustysignal._tcp');
    cleanups.push(() => browse.stop());
    const ours = await browse.waitFor('ours resolved', (l) => l.event === '=' && l.name === 'taken (2)');
    expect([ours.host, ours.port]).toEqual(['alpha.local', 6202]);
    await stop(agent);
    await held.stop();
  });
});
