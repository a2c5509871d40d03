// main/server/protocol.ts: parsing one client frame, names and rooms, the `from` stamp, control messages.
// docs/protocol.md, Connecting and Client messages.
import { describe, expect, it } from 'vitest';
import {
  control,
  errorMessage,
  errorMessages,
  fromSuffixFor,
  isValidName,
  nameKey,
  parseClientFrame,
  stampFrom,
} from '../../../main/server/protocol.js';

describe('parseClientFrame', () => {
  it('says `invalid-json` for text that is not JSON', () => {
    for (const t of ['', ' ', 'hello', '{', '{"protocol":"one-to-self",}', "{'a':1}", '\u0000', 'NaN'])
      expect(parseClientFrame(t), t).toBe('invalid-json');
  });

  it('says `invalid-protocol` for JSON that is not an object', () => {
    for (const t of ['null', '1', '"one-to-self"', 'true', '[]', '[{"protocol":"one-to-self"}]'])
      expect(parseClientFrame(t), t).toBe('invalid-protocol');
  });

  it('reads the three protocols, and null for anything else', () => {
    const p = (v: unknown) => {
      const m = parseClientFrame(JSON.stringify({ protocol: v }));
      return typeof m === 'string' ? m : m.protocol;
    };
    expect(['one-to-one', 'one-to-all', 'one-to-self'].map(p)).toEqual(['one-to-one', 'one-to-all', 'one-to-self']);
    for (const v of [undefined, null, 'One-to-one', 'one-to-many', ' one-to-self', 1, ['one-to-one'], { a: 1 }])
      expect(p(v)).toBeNull();
    // Names of Object.prototype members are not protocols.
    for (const v of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) expect(p(v)).toBeNull();
  });

  it('takes `endpoint` when it is a string, else `to` when it is, else no target', () => {
    const t = (o: object) => (parseClientFrame(JSON.stringify(o)) as { target: unknown }).target;
    expect(t({ endpoint: 'a', to: 'b' })).toBe('a');
    expect(t({ endpoint: 1, to: 'b' })).toBe('b');
    expect(t({ endpoint: null, to: 'b' })).toBe('b');
    expect(t({ to: 'b' })).toBe('b');
    expect(t({ endpoint: '' })).toBe('');
    expect(t({ endpoint: ['a'], to: { b: 1 } })).toBeNull();
    expect(t({})).toBeNull();
  });

  it('echoes a string or finite number `id` as ref, nothing else', () => {
    const ref = (text: string) => (parseClientFrame(text) as { ref: unknown }).ref;
    expect(ref('{"id":"x"}')).toBe('x');
    expect(ref('{"id":0}')).toBe(0);
    expect(ref('{"id":-2.5e3}')).toBe(-2500);
    expect(ref('{"id":1e999}')).toBeNull();
    expect(ref('{"id":null}')).toBeNull();
    expect(ref('{"id":true}')).toBeNull();
    expect(ref('{"id":[1]}')).toBeNull();
    expect(ref('{"id":{"a":1}}')).toBeNull();
    expect(ref('{}')).toBeNull();
  });

  it('reads own members only: `__proto__` in a frame never supplies a protocol, target or action', () => {
    const m = parseClientFrame(
      '{"__proto__":{"protocol":"one-to-all","endpoint":"b","action":"subscribe-push","id":1},"constructor":{"prototype":{}}}',
    );
    expect(m).toMatchObject({ protocol: null, target: null, push: null, ref: null });
    expect(({} as Record<string, unknown>).protocol).toBeUndefined();
  });

  it('reads push actions, the underscore spelling too, and bounds pushSecret to 16–256 characters', () => {
    const m = (o: object) => parseClientFrame(JSON.stringify(o)) as { push: unknown; pushSecret: unknown };
    expect(m({ action: 'subscribe-push' }).push).toBe('subscribe-push');
    expect(m({ action: 'unsubscribe-push' }).push).toBe('unsubscribe-push');
    expect(m({ action: 'connection-request' }).push).toBe('connection-request');
    expect(m({ action: 'connection_request' }).push).toBe('connection-request');
    expect(m({ action: 'Subscribe-push' }).push).toBeNull();
    expect(m({ action: 'welcome' }).push).toBeNull();
    expect(m({ pushSecret: 'x'.repeat(15) }).pushSecret).toBeNull();
    expect(m({ pushSecret: 'x'.repeat(16) }).pushSecret).toBe('x'.repeat(16));
    expect(m({ pushSecret: 'x'.repeat(256) }).pushSecret).toBe('x'.repeat(256));
    expect(m({ pushSecret: 'x'.repeat(257) }).pushSecret).toBeNull();
    expect(m({ pushSecret: 1234567890123456 }).pushSecret).toBeNull();
  });

  it('keeps subscriptionData as sent', () => {
    const data = { endpoint: 'https://push.example/x', keys: { p256dh: 'k', auth: 'a' } };
    expect(
      (parseClientFrame(JSON.stringify({ subscriptionData: data })) as { subscriptionData: unknown }).subscriptionData,
    ).toEqual(data);
  });
});

describe('isValidName', () => {
  it('counts code points, not UTF-16 units, between min and max (64 by default)', () => {
    expect(isValidName('a'.repeat(64), 1)).toBe(true);
    expect(isValidName('a'.repeat(65), 1)).toBe(false);
    expect(isValidName('😀'.repeat(64), 1)).toBe(true);
    expect(isValidName('😀'.repeat(65), 1)).toBe(false);
    expect(isValidName('', 1)).toBe(false);
    expect(isValidName('', 0)).toBe(true);
    expect(isValidName('abcd', 1, 3)).toBe(false);
  });

  it('refuses control and format characters, except a joiner inside an emoji sequence', () => {
    for (const bad of [
      'a\u0000',
      'a\nb',
      'a\u007f',
      'a\u0085',
      'ab\u202Ec',
      'a\u2066b',
      '\uFEFFa',
      'a\u200Bb',
      'so\u00ADft',
      'a\u200Db',
    ])
      expect(isValidName(bad, 1), JSON.stringify(bad)).toBe(false);
    for (const good of ['ann', 'Zoë', '李雷', 'a b', '👨‍👩‍👧', '❤️‍🔥', 'Ann-Marie O’Neil'])
      expect(isValidName(good, 1), good).toBe(true);
  });

  it('refuses whitespace only', () => {
    for (const s of [' ', '   ', '\u00a0', '\u3000']) expect(isValidName(s, 1)).toBe(false);
    expect(isValidName(' a ', 1)).toBe(true);
  });
});

describe('nameKey', () => {
  it('folds NFC forms and case, and nothing else', () => {
    expect(nameKey('Zo\u00eb')).toBe(nameKey('zoe\u0308'));
    expect(nameKey('ANA')).toBe(nameKey('ana'));
    expect(nameKey('\u212b')).toBe(nameKey('\u00e5'));
    expect(nameKey('ana')).not.toBe(nameKey('ana '));
    expect(nameKey('ann')).not.toBe(nameKey('anne'));
  });
});

describe('stampFrom', () => {
  const stamp = (raw: string, name: string | null) => stampFrom(Buffer.from(raw), fromSuffixFor(name)).toString();

  it('appends `from` before the final brace and keeps every other byte', () => {
    expect(stamp('{"protocol":"one-to-all", "n":12345678901234567890}', 'ann')).toBe(
      '{"protocol":"one-to-all", "n":12345678901234567890,"from":"ann"}',
    );
  });

  it('ignores whitespace after the final brace', () => {
    expect(stamp('{"protocol":"one-to-all"} \n\t', 'a')).toBe('{"protocol":"one-to-all","from":"a"}');
  });

  it('makes a `from` the sender wrote lose, and writes null for an anonymous sender', () => {
    const out = stamp('{"protocol":"one-to-one","from":"admin","x":{"from":"inner"}}', 'ann');
    expect(JSON.parse(out)).toEqual({ protocol: 'one-to-one', from: 'ann', x: { from: 'inner' } });
    expect(JSON.parse(stamp('{"protocol":"one-to-all"}', null))).toEqual({ protocol: 'one-to-all', from: null });
  });

  it('escapes the name as JSON', () => {
    const name = 'a"b\\c</script>😀';
    expect((JSON.parse(stamp('{"protocol":"one-to-all"}', name)) as { from: string }).from).toBe(name);
  });
});

describe('control messages', () => {
  it('are `{"protocol":"server","action","data"}`', () => {
    expect(control({ action: 'peer-joined', data: { user: 'ann' } })).toBe(
      '{"protocol":"server","action":"peer-joined","data":{"user":"ann"}}',
    );
  });

  it('errors carry code, the documented message (or the one given) and ref', () => {
    expect(JSON.parse(errorMessage('unknown-peer', 7))).toEqual({
      protocol: 'server',
      action: 'error',
      data: { code: 'unknown-peer', message: errorMessages['unknown-peer'], ref: 7 },
    });
    expect(JSON.parse(errorMessage('queue-full', null, 'why'))).toMatchObject({ data: { message: 'why', ref: null } });
  });

  it('have a message for every code docs/protocol.md lists', () => {
    const documented = [
      'invalid-json',
      'invalid-protocol',
      'missing-endpoint',
      'unknown-peer',
      'queue-full',
      'binary-unsupported',
      'rate-limited',
      'username-taken',
      'invalid-username',
      'invalid-room',
      'invalid-room-code',
      'room-locked',
      'not-registered',
      'push-unavailable',
      'invalid-subscription',
      'push-refused',
    ];
    expect(Object.keys(errorMessages).sort()).toEqual(documented.sort());
  });
});
