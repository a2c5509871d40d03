// Names as people read them (v2: NFC and case-insensitive uniqueness; v1 byte-exact) and the operator's
// room controls: lock (no new names) and an access code (?code=).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type TestClient } from '../support/clients.js';
import { startServer, type Running } from '../support/server.js';

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.stop());

const open: TestClient[] = [];
async function client(query: string): Promise<TestClient> {
  const c = await connect(s.url(query));
  open.push(c);
  return c;
}
async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}
/** The first frame of a v2 connection: the registration error's code, or 'welcome'. */
interface Welcome {
  user: string | null;
  peers: string[];
  token: string | null;
}
type ServerFrame = { action: 'welcome'; data: Welcome } | { action: 'error'; data: { code: string } };
async function firstV2(query: string): Promise<{ c: TestClient; first: string; welcome: Welcome }> {
  const c = await client(`v=2&${query}`);
  const m = await c.nextJson<ServerFrame>();
  if (m.action === 'welcome') return { c, first: 'welcome', welcome: m.data };
  const w = await c.nextJson<{ data: Welcome }>();
  return { c, first: m.data.code, welcome: w.data };
}

describe('names in v2 rooms are compared as people read them', () => {
  it('refuses a name that differs only in normalisation or case, and keeps what was typed', async () => {
    const nfc = 'Zo\u00eb';
    const nfd = 'Zoe\u0308';
    const first = await firstV2(`room=nf&user=${encodeURIComponent(nfc)}`);
    expect(first.first).toBe('welcome');
    expect((await firstV2(`room=nf&user=${encodeURIComponent(nfd)}`)).first).toBe('username-taken');
    expect((await firstV2(`room=nf&user=${encodeURIComponent('ZOË')}`)).first).toBe('username-taken');
    await firstV2('room=nf&user=Ana');
    const ana = await firstV2('room=nf&user=ana');
    expect(ana.first).toBe('username-taken');
    // Display keeps the typed spelling; another room is another namespace.
    expect(ana.welcome.peers).toEqual([nfc, 'Ana']);
    expect((await firstV2('room=other&user=ana')).first).toBe('welcome');
    await closeAll();
  });

  it('frees the look-alike when the holder leaves, and a resume with the token still works', async () => {
    const a = await firstV2('room=fr&user=Ben');
    a.c.send({ protocol: 'one-to-self' });
    await a.c.close();
    expect((await firstV2('room=fr&user=ben')).first).toBe('welcome');
    const holder = await firstV2('room=fr&user=Kim');
    const resumed = await firstV2(`room=fr&user=Kim&token=${holder.welcome.token!}`);
    expect(resumed.first).toBe('welcome');
    expect((await holder.c.closed).code).toBe(4001);
    await closeAll();
  });

  it('v1 stays byte-exact: "ana" and "Ana" both register in the default room', async () => {
    const a = await client('user=ana');
    const b = await client('user=Ana');
    b.send({ protocol: 'one-to-one', endpoint: 'ana', data: 'hi' });
    expect(JSON.parse(await a.next())).toMatchObject({ data: 'hi' });
    expect(b.pending()).toEqual([]);
    // A v2 name in the same room is still compared as people read it.
    expect((await firstV2('user=ANA')).first).toBe('username-taken');
    await closeAll();
  });
});

describe('room controls', () => {
  it('a locked room refuses new names (v2 room-locked, v1 text), lets names in it resume, and opens again', async () => {
    const kim = await firstV2('room=locked&user=kim');
    s.server.setRoom('locked', { locked: true });
    const late = await firstV2('room=locked&user=late');
    expect(late.first).toBe('room-locked');
    expect(late.welcome.user).toBeNull();
    const back = await firstV2(`room=locked&user=kim&token=${kim.welcome.token!}`);
    expect(back.first).toBe('welcome');
    s.server.setRoom('', { locked: true });
    const v1 = await client('user=old');
    expect(await v1.next()).toBe('The room is locked');
    s.server.setRoom('', { locked: false });
    s.server.setRoom('locked', { locked: false });
    expect((await firstV2('room=locked&user=late2')).first).toBe('welcome');
    await closeAll();
  });

  it('a room with a code refuses a missing or wrong code with invalid-room-code and close 4003', async () => {
    expect(s.server.setRoom('coded', { code: 'tiger7' })).toEqual({
      room: 'coded',
      connections: 0,
      peers: 0,
      locked: false,
      code: 'tiger7',
    });
    for (const q of ['room=coded&user=x', 'room=coded&user=x&code=tiger8']) {
      const c = await client(`v=2&${q}`);
      const m = await c.nextJson<{ data: { code: string; message: string } }>();
      expect(m.data.code).toBe('invalid-room-code');
      expect(m.data.message).toContain('?code=');
      expect(await c.closed).toEqual({ code: 4003, reason: 'room code missing or wrong' });
    }
    expect((await firstV2('room=coded&user=x&code=tiger7')).first).toBe('welcome');
    s.server.setRoom('', { code: 'abc' });
    const v1 = await client('user=v1');
    expect(await v1.next()).toBe('Invalid room code');
    expect((await v1.closed).code).toBe(4003);
    s.server.setRoom('', { code: null });
    s.server.setRoom('coded', { code: null });
    expect(() => s.server.setRoom('coded', { code: 'two words' })).toThrow(TypeError);
    await closeAll();
  });

  it('lists rooms with connections or a policy, sorted', async () => {
    s.server.setRoom('b-empty', { locked: true });
    await firstV2('room=a&user=x');
    await client('v=2&room=a');
    expect(s.server.rooms()).toEqual([
      { room: 'a', connections: 2, peers: 1, locked: false, code: null },
      { room: 'b-empty', connections: 0, peers: 0, locked: true, code: null },
    ]);
    s.server.setRoom('b-empty', { locked: false });
    await closeAll();
  });
});
