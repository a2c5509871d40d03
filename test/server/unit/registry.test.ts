// main/server/registry.ts: rooms, names (exact in v1, NFC and case folded in v2), resume tokens, leaving.
// docs/protocol.md, Connecting (Look-alike names) and Resume.
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../main/server/connection.js';
import { Counters } from '../../../main/server/counters.js';
import type { Dialect } from '../../../main/server/protocol.js';
import { Registry } from '../../../main/server/registry.js';

// The registry reads who a connection is, never its socket.
const noSocket = {} as WebSocket;
let ids = 0;
function conn(dialect: Dialect, room = ''): Connection {
  return new Connection(
    ++ids,
    noSocket,
    dialect,
    room,
    '127.0.0.1',
    0,
    { perSecond: 0, burst: 0 },
    () => 0,
    new Counters(),
  );
}
/** A connection that joined and claimed `name`; fails the test unless the claim is `expected`. */
function member(r: Registry, dialect: Dialect, name: string | null, room = '', expected = 'registered'): Connection {
  const c = conn(dialect, room);
  r.join(c);
  if (name !== null) expect(r.claim(c, name, null).kind).toBe(expected);
  return c;
}

describe('names', () => {
  it('registers a name in its room, finds it there only, and lists names in registration order', () => {
    const r = new Registry();
    const a = member(r, 2, 'ann', 'r1');
    const b = member(r, 1, 'ben');
    const c = member(r, 2, 'cy', 'r1');
    member(r, 2, null, 'r1');
    expect(r.find('r1', 'ann')).toBe(a);
    expect(r.find('', 'ann')).toBeUndefined();
    expect(r.find('', 'ben')).toBe(b);
    expect(r.names('r1')).toEqual(['ann', 'cy']);
    expect(r.names('r1', c)).toEqual(['ann']);
    expect(a.name).toBe('ann');
    expect(r.named).toBe(3);
  });

  it('refuses a name taken in the same room, in either dialect, and allows it in another room', () => {
    const r = new Registry();
    member(r, 1, 'ann');
    member(r, 2, 'ann', '', 'taken');
    member(r, 1, 'ann', '', 'taken');
    member(r, 2, 'ann', 'other');
  });

  it('keeps v1 names byte-exact: `ana` and `Ana` both register', () => {
    const r = new Registry();
    member(r, 1, 'ana');
    member(r, 1, 'Ana');
    member(r, 1, 'Zo\u00eb');
    member(r, 1, 'Zoe\u0308');
    expect(r.names('')).toEqual(['ana', 'Ana', 'Zo\u00eb', 'Zoe\u0308']);
  });

  it('refuses a v2 name that reads the same as a registered one (case, NFC), and keeps the name as typed', () => {
    const r = new Registry();
    member(r, 2, 'Ana', 'x');
    member(r, 2, 'ana', 'x', 'taken');
    member(r, 2, 'ANA', 'x', 'taken');
    member(r, 2, 'Zo\u00eb', 'x');
    member(r, 2, 'zoe\u0308', 'x', 'taken');
    member(r, 2, '\u00c9mile', 'x');
    member(r, 2, 'e\u0301mile', 'x', 'taken');
    member(r, 2, 'Ana', 'y');
    expect(r.names('x')).toEqual(['Ana', 'Zo\u00eb', '\u00c9mile']);
  });

  it('refuses a v2 look-alike of v1 names in the default room, where v1 look-alikes may coexist', () => {
    const r = new Registry();
    member(r, 1, 'ana');
    member(r, 1, 'Ana');
    member(r, 2, 'ANA', '', 'taken');
    member(r, 2, 'ana', '', 'taken');
  });

  it('frees the name (and its folded form) when its holder leaves', () => {
    const r = new Registry();
    const a = member(r, 2, 'Ana');
    const anon = member(r, 2, null);
    expect(r.leave(anon)).toBe(false);
    expect(r.leave(a)).toBe(true);
    expect(r.leave(a)).toBe(false);
    expect(r.find('', 'Ana')).toBeUndefined();
    member(r, 2, 'ana');
    expect(r.named).toBe(1);
  });

  it('release takes the name away but keeps the connection a member until it leaves', () => {
    const r = new Registry();
    const a = member(r, 2, 'ann', 'r');
    r.release(a);
    expect(a.superseded).toBe(true);
    expect(r.find('r', 'ann')).toBeUndefined();
    expect([...r.members('r')]).toEqual([a]);
    member(r, 2, 'ANN', 'r');
    // Its leave releases nothing: the name is not its own any more.
    expect(r.leave(a)).toBe(false);
    expect(r.names('r')).toEqual(['ANN']);
  });
});

describe('resume tokens', () => {
  it('gives v2 registrations an unguessable token and v1 none', () => {
    const r = new Registry();
    const a = member(r, 2, 'a');
    const b = member(r, 2, 'b');
    const c = member(r, 1, 'c');
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b.token).not.toBe(a.token);
    expect(c.token).toBeNull();
  });

  it('hands the name to a connection presenting the holder’s token; the old one is superseded', () => {
    const r = new Registry();
    const old = member(r, 2, 'ann', 'r');
    const token = old.token!;
    const fresh = conn(2, 'r');
    r.join(fresh);
    expect(r.claim(fresh, 'ann', token)).toEqual({ kind: 'resumed', previous: old });
    expect(old.superseded).toBe(true);
    expect(r.find('r', 'ann')).toBe(fresh);
    // A new token; the old one no longer works.
    expect(fresh.token).not.toBe(token);
    const third = conn(2, 'r');
    r.join(third);
    expect(r.claim(third, 'ann', token).kind).toBe('taken');
    // The superseded connection's close is not a leave; the name stays with its new holder.
    expect(r.leave(old)).toBe(false);
    expect(r.names('r')).toEqual(['ann']);
    expect(r.named).toBe(1);
  });

  it('needs the exact name and the right token', () => {
    const r = new Registry();
    const old = member(r, 2, 'Ann');
    const c = conn(2);
    r.join(c);
    expect(r.claim(c, 'ann', old.token).kind).toBe('taken');
    const wrong = old.token!.slice(0, -1) + (old.token!.endsWith('A') ? 'B' : 'A');
    expect(r.claim(c, 'Ann', wrong).kind).toBe('taken');
    expect(r.claim(c, 'Ann', 'short').kind).toBe('taken');
    expect(r.find('', 'Ann')).toBe(old);
  });

  it('does not outlive its holder: once the name was freed and taken by someone else, the token gets `taken`', () => {
    const r = new Registry();
    const old = member(r, 2, 'ann');
    const token = old.token;
    r.leave(old);
    member(r, 2, 'ann');
    const back = conn(2);
    r.join(back);
    expect(r.claim(back, 'ann', token).kind).toBe('taken');
  });

  it('never resumes a v1 holder (it has no token)', () => {
    const r = new Registry();
    member(r, 1, 'ann');
    const c = conn(2);
    r.join(c);
    expect(r.claim(c, 'ann', 'anything-at-all-22chars').kind).toBe('taken');
  });
});

describe('locked rooms', () => {
  it('refuse new names but let a holder’s token resume; a taken name stays `taken`', () => {
    const r = new Registry();
    const old = member(r, 2, 'ann', 'r');
    const c = conn(2, 'r');
    r.join(c);
    expect(r.claim(c, 'ben', null, true).kind).toBe('locked');
    expect(r.claim(c, 'ann', null, true).kind).toBe('taken');
    expect(r.claim(c, 'ann', old.token, true).kind).toBe('resumed');
  });
});

describe('rooms', () => {
  it('counts members and names per room, and forgets a room when its last member leaves', () => {
    const r = new Registry();
    const a = member(r, 2, 'a', 'r1');
    const b = member(r, 2, null, 'r1');
    const c = member(r, 1, 'c');
    expect([...r.rooms()]).toEqual([
      { room: 'r1', connections: 2, peers: 1 },
      { room: '', connections: 1, peers: 1 },
    ]);
    expect(r.roomsWithPeers).toBe(2);
    expect([...r.v2Members('')]).toEqual([]);
    expect([...r.v2Members('r1')]).toEqual([a, b]);
    r.leave(a);
    expect(r.roomsWithPeers).toBe(1);
    r.leave(b);
    r.leave(c);
    expect([...r.rooms()]).toEqual([]);
    expect([...r.members('r1')]).toEqual([]);
  });
});
