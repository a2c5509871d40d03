// Pure helpers of the client library: reconnect delays and URLs.
import { describe, expect, it } from 'vitest';
import { backoffDelay, buildSignalUrl, parseIncoming, serverUrlFromPage } from '../../renderer/client/index.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, jittered into [half, all] of it', () => {
    const o = { initialMs: 500, maxMs: 15_000, factor: 2 };
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, o, () => 0))).toEqual([
      250, 500, 1000, 2000, 4000, 7500, 7500,
    ]);
    expect([0, 1, 5, 20].map((a) => backoffDelay(a, o, () => 0.999999999))).toEqual([500, 1000, 15_000, 15_000]);
    expect(backoffDelay(3, o, () => 0.5)).toBe(3000);
  });
});

describe('URLs', () => {
  it('derives ws/wss from the page, keeping the path prefix', () => {
    expect(serverUrlFromPage('http://192.168.1.5:3012/?room=a')).toBe('ws://192.168.1.5:3012/');
    expect(serverUrlFromPage('https://example.lan/signal/index.html#x')).toBe('wss://example.lan/signal/');
  });

  it('puts name, room, token and key in the query as the server reads them', () => {
    const u = buildSignalUrl('ws://h:1/p?proxy=1&user=stale', {
      dialect: 2,
      name: 'John Doe',
      room: 'class 3b',
      key: 'k&y',
      token: 't',
    });
    expect(u).toBe('ws://h:1/p?proxy=1&user=John+Doe&v=2&room=class+3b&token=t&key=k%26y');
    expect(new URL(u).searchParams.get('user')).toBe('John Doe');
    expect(buildSignalUrl('https://h/', { dialect: 1, name: 'a', room: 'ignored', key: null, token: 'ignored' })).toBe(
      'wss://h/?user=a',
    );
    expect(() => buildSignalUrl('ftp://h/', { dialect: 1, name: null, room: '', key: null, token: null })).toThrow(
      'not a WebSocket URL: ftp://h/ (use ws:// or wss://)',
    );
  });
});

describe('parseIncoming', () => {
  it('tells control messages, relayed messages and plain text apart', () => {
    expect(parseIncoming('{"protocol":"server","action":"peer-left","data":{"user":"x"}}', 2)).toEqual({
      kind: 'control',
      message: { protocol: 'server', action: 'peer-left', data: { user: 'x' } },
    });
    // A v1 connection never gets control messages: the same text is something a client sent.
    expect(parseIncoming('{"protocol":"server","action":"peer-left","data":{"user":"x"}}', 1)).toEqual({
      kind: 'text',
      text: '{"protocol":"server","action":"peer-left","data":{"user":"x"}}',
    });
    const r = parseIncoming(
      '{"protocol":"one-to-one","endpoint":"b","action":"a","data":[1],"from":"me","from":"server"}',
      2,
    );
    expect(r).toMatchObject({
      kind: 'relayed',
      message: { from: 'server', fromVerified: true, action: 'a', data: [1] },
    });
    expect(parseIncoming('The username is taken', 1)).toEqual({ kind: 'text', text: 'The username is taken' });
  });
});
