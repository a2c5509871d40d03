// Finding 9: names with invisible or direction-changing characters (they reach peer lists and OS
// notifications) are refused with the ordinary invalid-username error, in both dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidName } from '../../../main/server/protocol.js';
import { connect } from '../../support/clients.js';
import { startServer, type Running } from '../../support/server.js';

const hostile = [
  'ali\u200Bce', // zero-width space
  'admin\u202Egnp.exe', // right-to-left override
  '\uFEFFbob', // leading BOM
  'c1\u0085x', // C1 control (NEXT LINE)
  'lrm\u200Emark',
  'isolate\u2066x\u2069',
  'soft\u00ADhyphen',
  'tag\u{E0041}',
  ' ',
  '   ',
  '\u3000\u2003',
];
const fine = ['alice', 'Bob Smith', ' padded ', 'ünïcødé', '👨\u200D👩\u200D👧', '🏳\uFE0F\u200D🌈', 'x'.repeat(64)];

let s: Running;
beforeAll(async () => (s = await startServer()));
afterAll(() => s.stop());

describe('names and rooms', () => {
  it('refuses Unicode control and format characters and whitespace-only names', () => {
    for (const n of hostile) expect([n, isValidName(n, 1)]).toEqual([n, false]);
    for (const n of fine) expect([n, isValidName(n, 1)]).toEqual([n, true]);
    expect(isValidName('', 0)).toBe(true); // the default room
    expect(isValidName('\u200Broom', 0)).toBe(false);
  });

  it('answers v1 with "Invalid username" and leaves the connection anonymous', async () => {
    for (const n of ['ali\u200Bce', 'admin\u202Egnp.exe', '\uFEFFbob', '  ']) {
      const c = await connect(s.url(`user=${encodeURIComponent(n)}`));
      expect(await c.next()).toBe('Invalid username');
      await c.close();
    }
  });

  it('answers v2 with invalid-username before the welcome, with no name registered', async () => {
    const watcher = await connect(s.url('v=2&user=watcher'));
    expect((await watcher.nextJson()).action).toBe('welcome');
    const c = await connect(s.url(`v=2&user=${encodeURIComponent('c1\u0085x')}`));
    expect((await c.nextJson()).data.code).toBe('invalid-username');
    expect(await c.nextJson()).toMatchObject({ action: 'welcome', data: { user: null } });
    const r = await connect(s.url(`v=2&room=${encodeURIComponent('\u202Eroom')}&user=x`));
    expect((await r.nextJson()).data.code).toBe('invalid-room');
    expect((await r.closed).code).toBe(1008);
    expect(watcher.pending()).toEqual([]);
    await Promise.all([c.close(), watcher.close()]);
  });
});
