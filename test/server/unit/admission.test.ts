// main/server/admission.ts: whether an upgrade request is let in (origin 403, access key 401, connection cap
// 503, in that order), how its query is read, and what a refused socket is answered.
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { admit, keyMatches, queryOf, refuse, type AdmissionRules } from '../../../main/server/admission.js';

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.headers = { host: '192.168.1.5:3012', ...headers };
  return req;
}
const rules = (r: Partial<AdmissionRules> = {}): AdmissionRules => ({
  accessKey: null,
  origins: { allowed: [], ownNames: () => new Set(['desk.local']) },
  open: 0,
  maxConnections: 10,
  ...r,
});
const status = (req: IncomingMessage, r: Partial<AdmissionRules> = {}) => {
  const a = admit(req, rules(r));
  return a.ok ? 'ok' : a.status;
};

describe('admit', () => {
  it('lets in a request without Origin (apps, scripts) and hands over its query', () => {
    const a = admit(request('/any/path?user=ann&v=2'), rules());
    expect(a.ok).toBe(true);
    expect(a.ok && Object.fromEntries(a.query)).toEqual({ user: 'ann', v: '2' });
  });

  it('refuses a foreign web page with 403 and says how to allow it; LAN pages and allowed origins pass', () => {
    const foreign = admit(request('/', { origin: 'https://evil.example' }), rules());
    expect(foreign).toMatchObject({ ok: false, status: 403 });
    expect(!foreign.ok && foreign.message).toContain('--allow-origin https://evil.example');
    expect(status(request('/', { origin: 'http://192.168.1.20:8080' }))).toBe('ok');
    expect(status(request('/', { origin: 'http://laptop.local' }))).toBe('ok');
    expect(
      status(request('/', { origin: 'https://evil.example' }), {
        origins: { allowed: ['https://evil.example'], ownNames: () => new Set() },
      }),
    ).toBe('ok');
    expect(status(request('/', { origin: 'null' }))).toBe(403);
  });

  it('requires the access key when one is set (401), compared exactly', () => {
    const accessKey = 's3cret key';
    expect(status(request('/?user=a'), { accessKey })).toBe(401);
    expect(status(request('/?key='), { accessKey })).toBe(401);
    expect(status(request('/?key=S3CRET+KEY'), { accessKey })).toBe(401);
    expect(status(request('/?key=s3cret%20ke'), { accessKey })).toBe(401);
    expect(status(request('/?key=s3cret+key'), { accessKey })).toBe('ok');
    expect(status(request('/?key=s3cret%20key&key=wrong'), { accessKey })).toBe('ok');
  });

  it('refuses past the connection cap with 503; 0 means no cap', () => {
    expect(status(request('/'), { open: 9, maxConnections: 10 })).toBe('ok');
    expect(status(request('/'), { open: 10, maxConnections: 10 })).toBe(503);
    expect(status(request('/'), { open: 1_000_000, maxConnections: 0 })).toBe('ok');
  });

  it('checks origin, then key, then capacity', () => {
    const all = { accessKey: 'k', open: 5, maxConnections: 5 };
    expect(status(request('/', { origin: 'https://evil.example' }), all)).toBe(403);
    expect(status(request('/'), all)).toBe(401);
    expect(status(request('/?key=k'), all)).toBe(503);
  });
});

describe('queryOf', () => {
  it('reads the query as URLSearchParams does: decoding, `+` a space, the first occurrence wins', () => {
    const q = queryOf('/room/x?user=Ann+Marie&user=other&room=Klasse%205b&empty=&flag');
    expect(q.get('user')).toBe('Ann Marie');
    expect(q.get('room')).toBe('Klasse 5b');
    expect(q.get('empty')).toBe('');
    expect(q.get('flag')).toBe('');
    expect(q.get('missing')).toBeNull();
  });

  it('ignores the path and copes with no query or no URL', () => {
    expect([...queryOf('/a?b/c?user=x')]).toEqual([['b/c?user', 'x']]);
    expect([...queryOf('/path/only')]).toEqual([]);
    expect([...queryOf(undefined)]).toEqual([]);
  });
});

describe('keyMatches', () => {
  it('matches the exact key only, whatever the lengths', () => {
    expect(keyMatches('abc', 'abc')).toBe(true);
    expect(keyMatches('abcd', 'abc')).toBe(false);
    expect(keyMatches('', 'abc')).toBe(false);
    expect(keyMatches(null, 'abc')).toBe(false);
    expect(keyMatches('ABC', 'abc')).toBe(false);
  });
});

describe('refuse', () => {
  it('answers a plain HTTP error with the security headers and a correct length, then ends the socket', async () => {
    const socket = new PassThrough();
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => socket.on('end', resolve));
    refuse(socket, 401, 'a valid access key is required — ü');
    await ended;
    const text = Buffer.concat(chunks).toString();
    const [head, body] = text.split('\r\n\r\n');
    const lines = head!.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(lines).toContain('Connection: close');
    expect(lines).toContain('Content-Type: text/plain; charset=utf-8');
    expect(lines).toContain('X-Content-Type-Options: nosniff');
    expect(lines).toContain('X-Frame-Options: DENY');
    expect(lines).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(body).toBe('a valid access key is required — ü\n');
  });

  it('names every status it uses', async () => {
    for (const [code, reason] of [
      [400, 'Bad Request'],
      [403, 'Forbidden'],
      [408, 'Request Timeout'],
      [503, 'Service Unavailable'],
    ] as const) {
      const socket = new PassThrough();
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      const ended = new Promise((resolve) => socket.on('end', resolve));
      refuse(socket, code, 'x');
      await ended;
      expect(text.split('\r\n')[0]).toBe(`HTTP/1.1 ${code} ${reason}`);
    }
  });
});
