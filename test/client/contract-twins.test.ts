// The client library keeps its own copy of a few wire constants (so the browser bundle does not import
// the server). These checks fail the moment the two copies disagree.
import { describe, expect, it } from 'vitest';
import { CloseCode as ClientCloseCode, isValidName as clientValidName } from '../../renderer/client/protocol.js';
import { CloseCode as ServerCloseCode } from '../../main/server/connection.js';
import { isValidName as serverValidName } from '../../main/server/protocol.js';

describe('client library and server agree on the wire contract', () => {
  it('has the same close codes for every code the server uses', () => {
    for (const [name, code] of Object.entries(ServerCloseCode))
      expect([name, ClientCloseCode[name as keyof typeof ClientCloseCode]]).toEqual([name, code]);
  });

  it('accepts and refuses the same names and rooms', () => {
    const samples = [
      '',
      'a',
      'Bob Smith',
      'ünïcødé',
      '😀'.repeat(64),
      '😀'.repeat(65),
      'x'.repeat(64),
      'x'.repeat(65),
      'tab\there',
      'nul\u0000',
      'del\u007f',
      'zero width\u200b',
      'rtl\u202eoverride',
      '\ufeffbom',
      'c1\u0085',
      '   ',
      '\u3000',
      ' padded ',
      '👨\u200d👩\u200d👧',
      'lone\u200djoiner',
    ];
    for (const s of samples) {
      for (const min of [0, 1]) expect([s, min, clientValidName(s, min)]).toEqual([s, min, serverValidName(s, min)]);
    }
  });
});
