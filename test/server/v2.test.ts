// docs/protocol.md (Connecting to Server control messages) for v2 clients: control messages, from stamping, rooms, resume, offline queue.
// Run on one server and again with the clients spread over three cluster nodes (test/support/topology.ts).
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptionsInput } from '../../main/server/options.js';
import type { ControlMessage } from '../../main/server/protocol.js';
import { connect, type Frame, type TestClient } from '../support/clients.js';
import { FakeClock } from '../support/fake-clock.js';
import { topologies, type Deployment } from '../support/topology.js';

describe.each(topologies())('$name', (topology) => {
  let s: Deployment;
  const open: TestClient[] = [];
  type Welcome = Extract<ControlMessage, { action: 'welcome' }> & { protocol: 'server' };

  async function start(options: ServerOptionsInput = {}, clock?: FakeClock): Promise<void> {
    s = await topology.start(options, clock ? { clock } : {});
  }
  async function client(query: string): Promise<TestClient> {
    const c = await connect(s.url(query));
    open.push(c);
    await s.settled();
    return c;
  }
  /** A v2 client, with its welcome already taken. */
  async function v2(query: string): Promise<{ c: TestClient; welcome: Welcome }> {
    const c = await client(`v=2&${query}`);
    return { c, welcome: await c.nextJson<Welcome>() };
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await s?.stop();
  });

  describe('welcome and presence', () => {
    it('welcomes with user, room, peers without self, a token and push null', async () => {
      await start();
      await client('user=old');
      const { welcome } = await v2('user=bob');
      expect(welcome).toEqual({
        protocol: 'server',
        action: 'welcome',
        data: {
          user: 'bob',
          room: '',
          peers: ['old'],
          token: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) as string,
          push: null,
          iceServers: [],
        },
      });
    });

    it('welcomes anonymous connections with user and token null', async () => {
      await start();
      const { welcome } = await v2('room=lab');
      expect(welcome.data).toEqual({ user: null, room: 'lab', peers: [], token: null, push: null, iceServers: [] });
    });

    it('sends the registration error before the welcome, and stays open', async () => {
      await start();
      await v2('user=alice');
      const c = await client('v=2&user=alice');
      expect(await c.nextJson()).toEqual({
        protocol: 'server',
        action: 'error',
        data: { code: 'username-taken', message: expect.any(String) as string, ref: null },
      });
      expect((await c.nextJson()).data).toMatchObject({ user: null, token: null, peers: ['alice'] });
      const bad = await client('v=2&user=');
      expect((await bad.nextJson()).data.code).toBe('invalid-username');
      expect((await bad.nextJson()).action).toBe('welcome');
    });

    it('announces named joins and leaves to v2 members of the room only', async () => {
      await start();
      const { c: a } = await v2('user=alice&room=r1');
      const { c: other } = await v2('user=zed&room=r2');
      const { c: b } = await v2('user=bob&room=r1');
      expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'peer-joined', data: { user: 'bob' } });
      await client('v=2&room=r1'); // anonymous: no announcement
      await b.close();
      expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'peer-left', data: { user: 'bob' } });
      expect(other.pending()).toEqual([]);
      expect(a.pending()).toEqual([]);
    });

    it('rejects an invalid room with an error and closes 1008', async () => {
      await start();
      const c = await client('v=2&user=a&room=%01');
      expect((await c.nextJson()).data.code).toBe('invalid-room');
      expect((await c.closed).code).toBe(1008);
    });
  });

  describe('relay to v2 recipients', () => {
    it('stamps from on one-to-one so a sender cannot forge it, keeping other members exact', async () => {
      await start();
      const { c: a } = await v2('user=alice');
      const { c: b } = await v2('user=bob');
      await a.next(); // peer-joined bob
      const raw = '{"protocol":"one-to-one","endpoint":"bob","from":"mallory","big":12345678901234567890,"id":3}';
      a.send(raw);
      const got = await b.next();
      expect(got).toBe(
        '{"protocol":"one-to-one","endpoint":"bob","from":"mallory","big":12345678901234567890,"id":3,"from":"alice"}',
      );
      expect((JSON.parse(got) as Frame).from).toBe('alice');
    });

    it('stamps from null for anonymous senders and gives v1 recipients the exact bytes', async () => {
      await start();
      const v1 = await client('user=old');
      const { c: anon } = await v2('');
      const { c: b } = await v2('user=bob');
      expect((await anon.nextJson()).action).toBe('peer-joined');
      const raw = '{"protocol":"one-to-all","x":"\\u00e9"}  ';
      anon.send(raw);
      expect(JSON.parse(await b.next())).toEqual({ protocol: 'one-to-all', x: 'é', from: null });
      expect(await v1.next()).toBe(raw);
      expect(anon.pending()).toEqual([]); // a v2 sender is excluded from its own broadcast
    });

    it('keeps one-to-all inside the room', async () => {
      await start();
      const { c: a } = await v2('user=a&room=x');
      const { c: b } = await v2('user=b&room=y');
      const { c: a2 } = await v2('user=b&room=x'); // same name, other room: allowed
      await a.next(); // peer-joined b in x
      a.send({ protocol: 'one-to-all', n: 1 });
      expect(JSON.parse(await a2.next())).toEqual({ protocol: 'one-to-all', n: 1, from: 'a' });
      a.send({ protocol: 'one-to-one', endpoint: 'b', n: 2 });
      expect(JSON.parse(await a2.next())).toEqual({ protocol: 'one-to-one', endpoint: 'b', n: 2, from: 'a' });
      expect(b.pending()).toEqual([]);
    });

    it('returns one-to-self byte for byte, unstamped', async () => {
      await start();
      const { c: a } = await v2('user=a');
      a.send('{"protocol":"one-to-self","from":"x"}');
      expect(await a.next()).toBe('{"protocol":"one-to-self","from":"x"}');
    });
  });

  describe('v2 errors', () => {
    it.each([
      ['hello', 'invalid-json', null],
      ['[1]', 'invalid-protocol', null],
      ['{"id":"m1"}', 'invalid-protocol', 'm1'],
      ['{"protocol":"broadcast","id":7}', 'invalid-protocol', 7],
      ['{"protocol":"one-to-one","id":"m2"}', 'missing-endpoint', 'm2'],
    ])('answers %s with error %s and echoes the id as ref', async (frame, code, ref) => {
      await start();
      const { c } = await v2('user=a');
      c.send(frame);
      expect(await c.nextJson()).toEqual({
        protocol: 'server',
        action: 'error',
        data: { code, message: expect.any(String) as string, ref },
      });
    });

    it('answers binary frames with binary-unsupported', async () => {
      await start();
      const { c } = await v2('user=a');
      c.send(Buffer.from([1, 2, 3]), true);
      expect((await c.nextJson()).data.code).toBe('binary-unsupported');
    });

    it('answers push actions with push-unavailable when push is off, as a pure command without routing error', async () => {
      await start();
      const { c } = await v2('user=a');
      c.send({ action: 'subscribe-push', subscriptionData: '{}', id: 1 });
      expect((await c.nextJson()).data).toMatchObject({ code: 'push-unavailable', ref: 1 });
      c.send({ protocol: 'one-to-self', action: 'connection_request', to: 'b', id: 2 });
      expect((await c.nextJson()).data).toMatchObject({ code: 'push-unavailable', ref: 2 });
      expect(await c.nextJson()).toEqual({ protocol: 'one-to-self', action: 'connection_request', to: 'b', id: 2 });
      expect(c.pending()).toEqual([]);
    });
  });

  describe('offline queue', () => {
    it('holds messages for a name that is not connected and delivers them in order on registration', async () => {
      await start();
      const { c: a } = await v2('user=alice');
      for (let i = 1; i <= 3; i++) {
        a.send({ protocol: 'one-to-one', to: 'bob', id: i, n: i });
        expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'queued', data: { to: 'bob', ref: i } });
      }
      const b = await client('v=2&user=bob');
      expect((await b.nextJson()).action).toBe('welcome');
      for (let i = 1; i <= 3; i++)
        expect(JSON.parse(await b.next())).toEqual({ protocol: 'one-to-one', to: 'bob', id: i, n: i, from: 'alice' });
      const v1 = await client('user=carol');
      expect(v1.pending()).toEqual([]);
    });

    it('delivers held messages to a v1 recipient byte for byte', async () => {
      await start();
      const { c: a } = await v2('user=alice');
      a.send('{"protocol":"one-to-one","endpoint":"old", "n":1}');
      await a.next();
      const old = await client('user=old');
      expect(await old.next()).toBe('{"protocol":"one-to-one","endpoint":"old", "n":1}');
    });

    it('reports expired, one notice per held message, when the target never comes', async () => {
      const clock = new FakeClock();
      await start({ offlineTtlMs: 15_000 }, clock);
      const { c: a } = await v2('user=alice');
      a.send({ protocol: 'one-to-one', to: 'bob', id: 'x' });
      await a.next();
      clock.advance(10_000);
      a.send({ protocol: 'one-to-one', to: 'bob', id: 'y' });
      await a.next();
      clock.advance(5_000);
      expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'expired', data: { to: 'bob', ref: 'x' } });
      expect(a.pending()).toEqual([]);
      clock.advance(10_000);
      expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'expired', data: { to: 'bob', ref: 'y' } });
      const b = await client('v=2&user=bob');
      await b.next();
      expect(b.pending()).toEqual([]);
    });

    it('refuses the 33rd message with unknown-peer and its ref', async () => {
      await start();
      const { c: a } = await v2('user=alice');
      for (let i = 0; i < 32; i++) {
        a.send({ protocol: 'one-to-one', to: 'bob', id: i });
        expect((await a.nextJson()).action).toBe('queued');
      }
      a.send({ protocol: 'one-to-one', to: 'bob', id: 32 });
      expect(await a.nextJson()).toEqual({
        protocol: 'server',
        action: 'error',
        data: { code: 'unknown-peer', message: expect.any(String) as string, ref: 32 },
      });
    });

    it('answers unknown-peer at once when the queue is off', async () => {
      await start({ offlineTtlMs: 0 });
      const { c: a } = await v2('user=alice');
      a.send({ protocol: 'one-to-one', to: 'bob', id: 1 });
      expect((await a.nextJson()).data).toMatchObject({ code: 'unknown-peer', ref: 1 });
    });

    it('tells held senders expired when the server stops', async () => {
      await start();
      const { c: a } = await v2('user=alice');
      a.send({ protocol: 'one-to-one', to: 'bob', id: 9 });
      await a.next();
      await s.stop();
      expect(await a.nextJson()).toEqual({ protocol: 'server', action: 'expired', data: { to: 'bob', ref: 9 } });
      expect((await a.closed).code).toBe(1001);
    });
  });

  describe('resume', () => {
    it('hands the name to a connection with the right token, closes the old one 4001 first, no leave/join', async () => {
      await start();
      const { c: watcher } = await v2('user=w');
      const { c: old, welcome } = await v2('user=phone');
      await watcher.next(); // peer-joined phone
      const oldClosed = old.closed;
      const fresh = await client(`v=2&user=phone&token=${encodeURIComponent(welcome.data.token!)}`);
      const w2 = await fresh.nextJson();
      expect(w2.data.user).toBe('phone');
      expect(w2.data.token).not.toBe(welcome.data.token);
      expect(await oldClosed).toEqual({ code: 4001, reason: expect.any(String) as string });
      watcher.send({ protocol: 'one-to-one', to: 'phone', n: 1 });
      expect(JSON.parse(await fresh.next())).toEqual({ protocol: 'one-to-one', to: 'phone', n: 1, from: 'w' });
      expect(watcher.pending()).toEqual([]);
      expect(s.peers().filter((p) => p.name === 'phone')).toHaveLength(1);
    });

    it('keeps the name taken for a wrong token, and for a v1 connection presenting a token', async () => {
      await start();
      const { welcome } = await v2('user=phone');
      const wrong = await client('v=2&user=phone&token=AAAAAAAAAAAAAAAAAAAAAA');
      expect((await wrong.nextJson()).data.code).toBe('username-taken');
      const v1 = await client(`user=phone&token=${encodeURIComponent(welcome.data.token!)}`);
      expect(await v1.next()).toBe('The username is taken');
    });

    it('does not accept an old token after a resume', async () => {
      await start();
      const { welcome } = await v2('user=phone');
      const second = await client(`v=2&user=phone&token=${welcome.data.token!}`);
      await second.next();
      const third = await client(`v=2&user=phone&token=${welcome.data.token!}`);
      expect((await third.nextJson()).data.code).toBe('username-taken');
    });
  });
});
