// The embedded STUN/TURN relay against independent clients (coturn's turnutils_stunclient and
// turnutils_uclient, werift's TURN client) and the refusals that keep it from being an open relay. The
// server runs in this process on a veth address; the echo peer (coturn's turnutils_peer) and coturn's
// clients run on a second host (network namespace) joined by that veth.
import { execFile, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTurnClient } from 'werift';
import { mintTurnCredentials } from '../../main/server/relay/credentials.js';
import { Attr, Method, u32 } from '../../main/server/relay/stun-message.js';
import type { RelayOptions } from '../../main/server/options.js';
import { FakeClock } from '../support/fake-clock.js';
import { attachPeerHost, netnsAvailable, type AttachedHost } from '../support/netns.js';
import { startServer, type Running } from '../support/server.js';
import { TurnTestClient } from '../support/turn-client.js';

const SECRET = 'relay-test-secret';
const PEER_PORT = 3480;
const run = netnsAvailable('relay (STUN/TURN)');
const execFileP = promisify(execFile);

async function freeUdpPort(address: string): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, address, r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(r));
  return port;
}

function creds(name: string, ttlS = 600, nowMs = Date.now()) {
  const c = mintTurnCredentials(SECRET, name, ttlS, nowMs);
  return [c.username, c.credential] as const;
}

describe.skipIf(!run)('relay (STUN/TURN)', () => {
  let lan: AttachedHost;
  let s: Running;
  let turn: { address: string; port: number };
  let peer: { family: 4; address: string; port: number };
  let echo: ChildProcess;
  let relay: RelayOptions;
  const clients: TurnTestClient[] = [];

  async function client(transport: 'udp' | 'tcp' = 'udp'): Promise<TurnTestClient> {
    const c = await TurnTestClient[transport](turn, lan.localAddress);
    clients.push(c);
    return c;
  }

  /** A client with an allocation, a channel (0x4001) to the echo peer, and every echoed payload. */
  async function relaying(name: string, transport: 'udp' | 'tcp' = 'udp') {
    const c = await client(transport);
    const [u, p] = creds(name);
    expect((await c.allocate(u, p)).code).toBe(0);
    expect((await c.channelBind(0x4001, peer)).code).toBe(0);
    const got: Buffer[] = [];
    const waiters: Array<() => void> = [];
    c.onData = (d) => {
      got.push(d);
      waiters.splice(0).forEach((w) => w());
    };
    /** Sends one payload and waits for its echo. */
    const ping = async (payload: Buffer) => {
      const n = got.length;
      c.sendChannel(0x4001, payload);
      await new Promise<void>((resolve) => (got.length > n ? resolve() : waiters.push(resolve)));
      return got[got.length - 1]!;
    };
    return { c, got, ping };
  }

  beforeAll(async () => {
    lan = attachPeerHost();
    peer = { family: 4, address: lan.peer.address!, port: PEER_PORT };
    echo = lan.peer.spawn('turnutils_peer', ['-L', peer.address, '-p', String(PEER_PORT)], { stdio: 'ignore' });
    const port = await freeUdpPort(lan.localAddress);
    relay = {
      port,
      relayPorts: { min: 49160, max: 49300 },
      allowPeers: ['10.0.0.0/8'],
      maxAllocations: 64,
      maxAllocationsPerUser: 3,
      allocationBytesPerSecond: 4 * 1024 * 1024,
    };
    s = await startServer({ host: lan.localAddress, relay, turnSecret: SECRET });
    turn = { address: lan.localAddress, port };
    // The echo peer is up once a datagram sent to it comes back.
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, lan.localAddress, r));
    for (let tries = 0; ; tries++) {
      const up = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 200);
        probe.once('message', () => (clearTimeout(t), resolve(true)));
        probe.send('up?', PEER_PORT, peer.address);
      });
      if (up) break;
      if (tries > 50) throw new Error('turnutils_peer did not come up');
    }
    probe.close();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await s?.stop();
    echo?.kill();
    lan?.destroy();
  });

  it('reports itself on the control surface', () => {
    expect(s.server.status().relay).toEqual({
      enabled: true,
      port: turn.port,
      allocations: 0,
      bytesPerSecond: 0,
      problem: null,
    });
    expect(s.server.turnSecret).toBe(SECRET);
  });

  it("answers coturn's turnutils_stunclient (STUN Binding) with the client's address", async () => {
    // Asynchronously: the server answering it runs in this process.
    const { stdout } = await execFileP(
      'ip',
      ['netns', 'exec', lan.peer.name, 'turnutils_stunclient', '-p', String(turn.port), turn.address],
      { timeout: 10_000 },
    );
    expect(stdout).toContain(`UDP reflexive addr: ${peer.address}:`);
  });

  it('answers STUN Binding over TCP', async () => {
    const c = await client('tcp');
    const r = await c.request(Method.Binding);
    expect(r.code).toBe(0);
    expect(r.msg.attributes.some((a) => a.type === Attr.XorMappedAddress)).toBe(true);
  });

  it("relays coturn's turnutils_uclient over UDP and TCP, through channels and Send indications", async () => {
    const variants = [['-c'], ['-c', '-s'], ['-c', '-t'], ['-c', '-t', '-s']];
    const runs = variants.map((flags, i) =>
      execFileP(
        'ip',
        [
          'netns',
          'exec',
          lan.peer.name,
          'turnutils_uclient',
          ...flags,
          ...['-W', SECRET, '-u', `uclient${i}`, '-e', peer.address, '-r', String(PEER_PORT)],
          ...['-n', '30', '-m', '1', '-l', '400', turn.address, '-p', String(turn.port)],
        ],
        { timeout: 60_000 },
      ),
    );
    for (const [i, r] of (await Promise.all(runs)).entries()) {
      const out = r.stdout + r.stderr;
      expect(out, `uclient ${variants[i]!.join(' ')}`).toMatch(/tot_send_msgs=30, tot_recv_msgs=30\b/);
      expect(out).toContain('Total lost packets 0 (0.000000%)');
    }
  }, 90_000);

  it("relays werift's TURN client over UDP and TCP", async () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const [username, password] = creds(`werift-${transport}`);
      const t = await createTurnClient(
        { address: [turn.address, turn.port], username, password },
        { transport, interfaceAddresses: { udp4: lan.localAddress } },
      );
      try {
        expect(t.relayedAddress[0]).toBe(turn.address);
        const echoed = new Promise<Buffer>((resolve) => t.onData.subscribe((d) => resolve(d)));
        await t.sendData(Buffer.from(`hello over ${transport}`), [peer.address, PEER_PORT]);
        expect((await echoed).toString()).toBe(`hello over ${transport}`);
      } finally {
        await t.close();
      }
    }
  });

  it('counts live allocations and relayed bytes per second on the status and the relay event', async () => {
    const { ping } = await relaying('counter');
    const seen: number[] = [];
    s.server.events.on('relay', (r) => seen.push(r.bytesPerSecond));
    const payload = Buffer.alloc(1000, 7);
    // Traffic until a report (once a second) counts it.
    await expect
      .poll(async () => {
        for (let i = 0; i < 20; i++) await ping(payload);
        return seen.some((b) => b > 0);
      })
      .toBe(true);
    expect(s.server.status().relay.allocations).toBeGreaterThan(0);
  });

  describe('refusals', () => {
    it('401 without credentials, with expired ones and with a wrong password; the challenge carries REALM and NONCE', async () => {
      const c = await client();
      const bare = await c.request(Method.Allocate, [[Attr.RequestedTransport, Buffer.from([17, 0, 0, 0])]]);
      expect(bare.code).toBe(401);
      expect(bare.msg.attributes.map((a) => a.type)).toEqual(
        expect.arrayContaining([Attr.Realm, Attr.Nonce, Attr.ErrorCode]),
      );
      const [expiredUser, expiredPass] = creds('late', 60, Date.now() - 120_000);
      expect((await c.allocate(expiredUser, expiredPass)).code).toBe(401);
      const [u] = creds('mallory');
      expect((await (await client()).allocate(u, 'not-the-password')).code).toBe(401);
    });

    it('403 for a permission to loopback or a public address, and for a channel to a port of this server', async () => {
      const c = await client();
      const [u, p] = creds('prober');
      expect((await c.allocate(u, p)).code).toBe(0);
      for (const address of ['127.0.0.1', '192.0.2.1']) {
        const r = await c.createPermission({ family: 4, address, port: 9 });
        expect(r.code, address).toBe(403);
      }
      for (const port of [turn.port, s.port, 49160])
        expect((await c.channelBind(0x4002, { family: 4, address: turn.address, port })).code, `port ${port}`).toBe(
          403,
        );
      expect((await c.createPermission(peer)).code).toBe(0);
    });

    it('437 for a second Allocate on one 5-tuple or a Refresh without allocation; 441 for other credentials', async () => {
      const c = await client();
      const [u, p] = creds('twice');
      expect((await c.refresh(600)).code).toBe(401); // no credentials known yet
      expect((await c.allocate(u, p)).code).toBe(0);
      const [u2, p2] = creds('other');
      expect((await c.allocate(u2, p2)).code).toBe(437);
      expect((await c.refresh(600)).code).toBe(441);
      const d = await client();
      await d.allocate(...creds('fresh'));
      expect((await d.refresh(0)).code).toBe(0); // deleted
      expect((await d.refresh(600)).code).toBe(437);
    });

    it('486 over the per-user and the total quota; limits change live', async () => {
      const [u, p] = creds('greedy');
      for (let i = 0; i < 3; i++) expect((await (await client()).allocate(u, p)).code).toBe(0);
      const over = await (await client()).allocate(u, p);
      expect([over.code, over.reason]).toEqual([486, 'Allocation Quota Reached for this user']);

      const live = s.server.status().relay.allocations;
      await s.server.reconfigure({ relay: { ...relay, maxAllocations: live } });
      const full = await (await client()).allocate(...creds('late-comer'));
      expect([full.code, full.reason]).toEqual([486, 'Allocation Quota Reached: the server is full']);
      await s.server.reconfigure({ relay });
      expect(s.server.status().relay.port).toBe(turn.port); // limits alone do not restart the listeners
      expect((await (await client()).allocate(...creds('late-comer'))).code).toBe(0);
    });

    it('drops relayed data over the per-allocation bandwidth', async () => {
      const { c, got } = await relaying('hog');
      await s.server.reconfigure({ relay: { ...relay, allocationBytesPerSecond: 10_000 } });
      const payload = Buffer.alloc(1000, 1);
      for (let i = 0; i < 100; i++) c.sendChannel(0x4001, payload);
      // Give the echoes of what passed time to arrive, then check far fewer than 100 did.
      await expect.poll(() => got.length).toBeGreaterThan(0);
      const { ping } = await relaying('after-hog');
      await ping(Buffer.from('marker'));
      expect(got.length).toBeLessThanOrEqual(20);
      await s.server.reconfigure({ relay });
    });

    it('a flood of malformed UDP and TCP packets neither stops it nor disturbs a good allocation', async () => {
      const good = await relaying('steady');
      expect((await good.ping(Buffer.from('before'))).toString()).toBe('before');
      const junk = createSocket('udp4');
      await new Promise<void>((r) => junk.bind(0, lan.localAddress, r));
      const cookie = Buffer.from([0x21, 0x12, 0xa4, 0x42]);
      const shapes = [
        () => Buffer.from([1, 2, 3]),
        () => Buffer.concat([Buffer.from([0, 1, 0, 200]), cookie, Buffer.alloc(12)]), // length past the end
        () =>
          Buffer.concat([
            Buffer.from([0, 3, 0, 8]),
            cookie,
            Buffer.alloc(12),
            Buffer.from([0, 6, 0xff, 0xff, 0, 0, 0, 0]),
          ]),
        () => Buffer.from([0x40, 0x01, 0xff, 0xff, 1, 2]), // ChannelData longer than the datagram
        () => Buffer.concat([Buffer.from([0, 3, 0, 4]), cookie, Buffer.alloc(12), Buffer.from([0x80, 0x28, 0, 0])]),
        () => Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) & 255)),
      ];
      for (let i = 0; i < 3000; i++) junk.send(shapes[i % shapes.length]!(), turn.port, turn.address);
      const streams = await Promise.all(
        [0, 1, 2, 3].map(
          () =>
            new Promise<ReturnType<typeof tcpConnect>>((resolve) => {
              const t = tcpConnect({ host: turn.address, port: turn.port, localAddress: lan.localAddress }, () =>
                resolve(t),
              );
              t.on('error', () => {});
            }),
        ),
      );
      streams[0]!.write(Buffer.alloc(4096, 0xff)); // not STUN, not ChannelData: closed
      streams[1]!.write(Buffer.concat([Buffer.from([0, 1, 0xff, 0xfc]), cookie, Buffer.alloc(100)])); // never completed
      streams[2]!.write(Buffer.from([0, 1, 0, 0, 1, 2, 3, 4])); // wrong cookie: closed
      streams[3]!.write(shapes[2]!());
      await new Promise<void>((r) => streams[0]!.once('close', () => r()));
      for (let i = 0; i < 20; i++) expect((await good.ping(Buffer.from(`after ${i}`))).toString()).toBe(`after ${i}`);
      expect((await (await client()).request(Method.Binding)).code).toBe(0);
      expect(s.server.status().relay.enabled).toBe(true);
      for (const t of streams) t.destroy();
      junk.close();
    });

    it('438 with a fresh NONCE once the nonce is stale; 508 when no relay port is free', async () => {
      const clock = new FakeClock(Date.now());
      const port = await freeUdpPort(lan.localAddress);
      const other = await startServer(
        {
          host: lan.localAddress,
          relay: { ...relay, port, relayPorts: { min: 49400, max: 49400 } },
          turnSecret: SECRET,
        },
        { clock },
      );
      try {
        const c = await TurnTestClient.udp({ address: lan.localAddress, port }, lan.localAddress);
        clients.push(c);
        // An hour's allocation outlives the nonce (10 minutes) and keeps the one relay port.
        const [u, p] = creds('sleepy', 3600, clock.now());
        expect((await c.allocate(u, p, [[Attr.Lifetime, u32(3600)]])).code).toBe(0);
        clock.advance(601_000);
        const stale = await c.refresh(600);
        expect(stale.code).toBe(438);
        expect(stale.msg.attributes.some((a) => a.type === Attr.Nonce)).toBe(true);
        const second = await TurnTestClient.udp({ address: lan.localAddress, port }, lan.localAddress);
        clients.push(second);
        const none = await second.allocate(...creds('no-room', 3600, clock.now()));
        expect([none.code, none.reason]).toEqual([508, 'Insufficient Capacity: no relay port free']);
      } finally {
        await other.stop();
      }
    });
  });

  it('a relay port in use is a warning and a reported problem; signaling still runs', async () => {
    const second = await startServer({ host: lan.localAddress, relay, turnSecret: SECRET });
    try {
      expect(second.server.status().state).toBe('running');
      expect(second.server.status().relay).toMatchObject({ enabled: false, port: null });
      expect(second.server.status().relay.problem).toMatch(new RegExp(`relay port ${turn.port} is in use`));
    } finally {
      await second.stop();
    }
  });

  it('a TCP client that goes away takes its allocation with it', async () => {
    const before = s.server.status().relay.allocations;
    const c = await client('tcp');
    expect((await c.allocate(...creds('leaver'))).code).toBe(0);
    expect(s.server.status().relay.allocations).toBe(before + 1);
    c.close();
    await expect.poll(() => s.server.status().relay.allocations).toBe(before);
  });
});
