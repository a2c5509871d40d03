// main/server/sessions.ts: registration (name, room, code, lock), the welcome, presence, resume tokens,
// delivery of held messages, heartbeat, kick and shutdown. docs/protocol.md, Connecting, Server control
// messages and Room controls.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drain, received, startCore, type Core } from '../../support/core.js';

let core: Core;
beforeEach(async () => {
  core = await startCore();
});
afterEach(() => core.stop());

const json = (frames: string[]) => frames.map((f) => JSON.parse(f) as unknown);

describe('registration and welcome', () => {
  it('welcomes a v2 connection with its name, room, the others’ names in order, a token and no push', async () => {
    await core.v2('room=r&user=ann');
    await core.v2('room=r');
    await core.v2('room=r&user=ben');
    await core.v2('room=other&user=cy');
    const dan = await core.v2('room=r&user=dan');
    expect(dan.before).toEqual([]);
    expect(dan.welcome).toEqual({
      protocol: 'server',
      action: 'welcome',
      data: {
        user: 'dan',
        room: 'r',
        peers: ['ann', 'ben'],
        token: expect.stringMatching(/^[\w-]{22}$/) as string,
        push: null,
        iceServers: [],
      },
    });
    expect(core.registry.find('r', 'dan')).toBe(dan.conn);
  });

  it('sends a v1 connection nothing of its own, and puts it in the default room', async () => {
    const a = await core.client('user=ann&room=ignored&token=x');
    expect(await received(a)).toEqual([]);
    expect(a.conn?.room).toBe('');
    expect(core.registry.find('', 'ann')).toBe(a.conn);
  });

  it('reports a taken name before the welcome and keeps the connection, anonymous', async () => {
    await core.v2('user=ann');
    const b = await core.v2('user=ann');
    expect(b.before).toMatchObject([{ action: 'error', data: { code: 'username-taken', ref: null } }]);
    expect(b.welcome.data).toMatchObject({ user: null, token: null, peers: ['ann'] });
    const v1 = await core.client('user=ann');
    expect(await received(v1)).toEqual(['The username is taken']);
    expect(v1.conn?.name).toBeNull();
  });

  it('refuses invalid names (empty, too long, control or format characters) and keeps the connection', async () => {
    for (const user of ['', 'x'.repeat(65), 'a%E2%80%AEb', '%20%20', 'a%0Ab']) {
      const c = await core.v2(`user=${user}`);
      expect(c.before, user).toMatchObject([{ action: 'error', data: { code: 'invalid-username' } }]);
      expect(c.welcome.data).toMatchObject({ user: null });
    }
    const v1 = await core.client('user=');
    expect(await received(v1)).toEqual(['Invalid username']);
    // 64 code points (emoji are one each) are fine.
    const long = await core.v2(`user=${encodeURIComponent('😀'.repeat(64))}`);
    expect(long.welcome.data).toMatchObject({ user: '😀'.repeat(64) });
  });

  it('refuses a v2 look-alike name (case, NFC) as taken', async () => {
    await core.v2(`room=r&user=${encodeURIComponent('Zo\u00eb')}`);
    const b = await core.v2(`room=r&user=${encodeURIComponent('zoe\u0308')}`);
    expect(b.before).toMatchObject([{ data: { code: 'username-taken' } }]);
  });

  it('closes a connection to an invalid room with 1008 after saying why, and registers nothing', async () => {
    const c = await core.client(`v=2&room=${'r'.repeat(65)}&user=ann`);
    expect(c.conn).toBeNull();
    expect(JSON.parse(await c.next())).toMatchObject({ action: 'error', data: { code: 'invalid-room' } });
    expect(await c.closed).toEqual({ code: 1008, reason: 'invalid room name' });
    expect([...core.registry.rooms()]).toEqual([]);
  });
});

describe('room controls', () => {
  it('a room code: missing or wrong closes with 4003 after the error; the right one gets in', async () => {
    core.policies.set('r', { code: 'open-sesame' });
    const wrong = await core.client('v=2&room=r&user=ann&code=nope');
    expect(JSON.parse(await wrong.next())).toMatchObject({ data: { code: 'invalid-room-code' } });
    expect((await wrong.closed).code).toBe(4003);
    const v1 = await core.client('user=ann');
    expect(await received(v1)).toEqual([]); // the default room has no code
    core.policies.set('', { code: 'k' });
    const v1b = await core.client('user=ben');
    expect(await v1b.next()).toBe('Invalid room code');
    expect(await v1b.closed).toEqual({ code: 4003, reason: 'room code missing or wrong' });
    const right = await core.v2('room=r&user=ann&code=open-sesame');
    expect(right.welcome.data).toMatchObject({ user: 'ann', room: 'r' });
    expect(core.registry.find('', 'ben')).toBeUndefined();
  });

  it('a locked room refuses new names, admits anonymous connections, and lets a holder resume', async () => {
    const ann = await core.v2('room=r&user=ann');
    core.policies.set('r', { locked: true });
    const ben = await core.v2('room=r&user=ben');
    expect(ben.before).toMatchObject([{ data: { code: 'room-locked' } }]);
    expect(ben.welcome.data).toMatchObject({ user: null });
    const back = await core.v2(`room=r&user=ann&token=${String(ann.welcome.data.token)}`);
    expect(back.before).toEqual([]);
    expect(back.welcome.data).toMatchObject({ user: 'ann' });
  });
});

describe('presence', () => {
  it('tells the room’s other v2 members of a named join and leave; anonymous ones and other rooms hear nothing', async () => {
    const watcher = await core.v2('room=r');
    const elsewhere = await core.v2('room=s');
    const ann = await core.v2('room=r&user=ann');
    const anon = await core.v2('room=r');
    expect(json(await received(ann))).toEqual([]);
    await ann.close();
    await anon.close();
    await expect.poll(() => core.left.length).toBe(2);
    expect(json(await received(watcher))).toEqual([
      { protocol: 'server', action: 'peer-joined', data: { user: 'ann' } },
      { protocol: 'server', action: 'peer-left', data: { user: 'ann' } },
    ]);
    expect(await received(elsewhere)).toEqual([]);
    expect(core.joined.map((p) => p.name)).toEqual([null, null, 'ann', null]);
    expect(core.left.map((p) => [p.name, p.reason])).toEqual([
      ['ann', 'closed'],
      [null, 'closed'],
    ]);
  });
});

describe('resume tokens', () => {
  it('take the name over: the old connection is closed with 4001 before the welcome; the room sees nothing', async () => {
    const watcher = await core.v2('room=r');
    const old = await core.v2('room=r&user=ann');
    await drain(watcher);
    const token = String(old.welcome.data.token);
    const fresh = await core.v2(`room=r&user=ann&token=${encodeURIComponent(token)}`);
    expect(await old.closed).toEqual({ code: 4001, reason: 'name resumed by a new connection' });
    expect(fresh.before).toEqual([]);
    expect(fresh.welcome.data).toMatchObject({ user: 'ann' });
    expect(fresh.welcome.data.token).not.toBe(token);
    await expect.poll(() => core.left.map((p) => p.reason)).toEqual(['taken-over']);
    expect(await received(watcher)).toEqual([]);
    expect(core.registry.find('r', 'ann')).toBe(fresh.conn);
  });

  it('work once: the replaced token is refused', async () => {
    const old = await core.v2('user=ann');
    const token = String(old.welcome.data.token);
    await core.v2(`user=ann&token=${token}`);
    const again = await core.v2(`user=ann&token=${token}`);
    expect(again.before).toMatchObject([{ data: { code: 'username-taken' } }]);
  });

  it('lapse with their holder: after it left, the name is registered afresh (announced, new token)', async () => {
    const watcher = await core.v2('');
    const old = await core.v2('user=ann');
    const token = String(old.welcome.data.token);
    await old.close();
    await expect.poll(() => core.registry.find('', 'ann')).toBeUndefined();
    await drain(watcher);
    const back = await core.v2(`user=ann&token=${token}`);
    expect(back.welcome.data).toMatchObject({ user: 'ann' });
    expect(back.welcome.data.token).not.toBe(token);
    expect(json(await received(watcher))).toEqual([
      { protocol: 'server', action: 'peer-joined', data: { user: 'ann' } },
    ]);
  });

  it('are never given to or taken from v1 connections', async () => {
    await core.client('user=ann');
    const c = await core.v2('user=ann&token=whatever');
    expect(c.before).toMatchObject([{ data: { code: 'username-taken' } }]);
  });
});

describe('held messages', () => {
  it('reach the name after its welcome, in order, before anything sent later', async () => {
    const a = await core.v2('user=a');
    for (let i = 1; i <= 3; i++) a.send({ protocol: 'one-to-one', to: 'zed', i });
    expect(json(await received(a))).toMatchObject([{ action: 'queued' }, { action: 'queued' }, { action: 'queued' }]);
    const zed = await core.client('v=2&user=zed');
    a.send({ protocol: 'one-to-one', to: 'zed', i: 4 });
    expect(JSON.parse(await zed.next())).toMatchObject({ action: 'welcome' });
    const got = json(await received(zed)) as Array<{ i: number; from: string }>;
    expect(got.map((m) => [m.i, m.from])).toEqual([
      [1, 'a'],
      [2, 'a'],
      [3, 'a'],
      [4, 'a'],
    ]);
    expect(core.queue.bytes).toBe(0);
  });

  it('reach a v1 registrant as the sender’s exact bytes', async () => {
    const a = await core.v2('user=a');
    a.send('{"protocol":"one-to-one", "to":"zed"}');
    await received(a);
    const zed = await core.client('user=zed');
    expect(await received(zed)).toEqual(['{"protocol":"one-to-one", "to":"zed"}']);
  });

  it('stay held for a name refused as taken', async () => {
    const a = await core.v2('user=a');
    a.send({ protocol: 'one-to-one', to: 'A' });
    await received(a);
    const look = await core.v2('user=A'); // reads the same as `a`
    expect(look.before).toMatchObject([{ data: { code: 'username-taken' } }]);
    expect(await received(look)).toEqual([]);
    expect(core.queue.bytes).toBeGreaterThan(0);
  });
});

describe('heartbeat, kick and shutdown', () => {
  it('terminates a connection that did not answer the previous ping; answering ones stay', async () => {
    const watcher = await core.v2('');
    const live = await core.v2('user=live');
    const dead = await core.v2('user=dead');
    await drain(watcher);
    dead.ws.pause(); // reads nothing, so it never answers a ping
    core.sessions.heartbeat();
    await expect.poll(() => live.conn.alive && watcher.conn.alive).toBe(true);
    core.sessions.heartbeat();
    await expect.poll(() => core.left.map((p) => [p.name, p.reason])).toEqual([['dead', 'timeout']]);
    expect(json(await received(watcher))).toEqual([
      { protocol: 'server', action: 'peer-left', data: { user: 'dead' } },
    ]);
    expect(core.registry.find('', 'live')).toBe(live.conn);
    dead.ws.resume();
    expect((await dead.closed).code).toBe(1006);
  });

  it('kicks a connection by id with 4000 and the reason, cut to 123 bytes at a character boundary', async () => {
    const a = await core.v2('user=a');
    const b = await core.v2('user=b');
    expect(core.sessions.kick(a.conn.id, 'x'.repeat(200))).toBe(true);
    expect(await a.closed).toEqual({ code: 4000, reason: 'x'.repeat(123) });
    // 2-byte characters: 61 fit; the 62nd would be cut in half.
    expect(core.sessions.kick(b.conn.id, '\u00e9'.repeat(100))).toBe(true);
    expect(await b.closed).toEqual({ code: 4000, reason: '\u00e9'.repeat(61) });
    await expect.poll(() => core.left.map((p) => p.reason)).toEqual(['kicked', 'kicked']);
    expect(core.sessions.kick(9999, 'x')).toBe(false);
  });

  it('closes everyone with 1001 on shutdown', async () => {
    const a = await core.v2('user=a');
    const b = await core.client('user=b');
    await core.sessions.closeAll(500);
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(core.sessions.size).toBe(0);
    expect(core.left.map((p) => p.reason)).toEqual(['stopped', 'stopped']);
  });

  it('applies new rate limits to open connections', async () => {
    const a = await core.client('user=a');
    core.configure({ rateLimit: { perSecond: 1, burst: 1 } });
    core.sessions.updateRateLimits();
    a.send('{"protocol":"one-to-self"}');
    a.send('{"protocol":"one-to-self"}');
    expect([await a.next(), await a.next()]).toEqual(['{"protocol":"one-to-self"}', 'Rate limit exceeded']);
  });
});
