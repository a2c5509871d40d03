// Findings 2, 11, 12: which pages may open a WebSocket (Origin), sockets that never finish a request,
// sockets that have not upgraded counting against the connection cap, and the headers on every answer.
import { createConnection, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { socketHeadroom } from '../../../main/server/signal-server.js';
import { connect, type TestClient } from '../../support/clients.js';
import { startServer, type Running } from '../../support/server.js';

let s: Running;
const sockets: Socket[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const k of sockets.splice(0)) k.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await s?.stop();
});

/** Sends a WebSocket upgrade by hand; resolves with the status code, headers and body of the answer. */
async function upgrade(
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const sock = createConnection(s.port, '127.0.0.1');
  sockets.push(sock);
  const lines = [
    'GET /?user=probe HTTP/1.1',
    `Host: 127.0.0.1:${s.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  sock.write(`${lines.join('\r\n')}\r\n\r\n`);
  let text = '';
  sock.on('data', (d) => (text += d.toString('latin1')));
  await Promise.race([once(sock, 'close'), once(sock, 'data')]);
  // A 101 keeps the socket open; an error answer is complete when the socket closes.
  if (!text.startsWith('HTTP/1.1 101')) await once(sock, 'close').catch(() => {});
  const [head, body = ''] = text.split('\r\n\r\n');
  const [statusLine, ...rest] = head!.split('\r\n');
  const h = Object.fromEntries(
    rest.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)]),
  );
  return { status: Number(statusLine!.split(' ')[1]), headers: h, body };
}

describe('Origin of WebSocket upgrades', () => {
  it('accepts apps without Origin, this machine and LAN pages, and refuses other sites with 403', async () => {
    s = await startServer();
    const allowed: Array<Record<string, string>> = [
      {},
      { Origin: 'http://localhost:5173' },
      { Origin: 'http://127.0.0.1:3012' },
      { Origin: 'https://classroom.local' },
      { Origin: 'http://192.168.1.20:8080' },
      { Origin: 'http://10.0.0.7' },
      { Origin: 'http://172.20.1.1' },
      { Origin: 'http://169.254.10.10' },
      { Origin: 'http://[fe80::1]' },
      { Origin: 'http://[fd00::5]:8000' },
      { Origin: 'https://router.home.arpa' },
    ];
    for (const h of allowed) expect([h, (await upgrade(h)).status]).toEqual([h, 101]);
    const refused = [
      'https://evil.example',
      'null',
      'http://8.8.8.8',
      'http://100.64.0.1',
      'https://local.evil.example',
      'file://',
      'chrome-extension://abc',
    ];
    for (const origin of refused) {
      const r = await upgrade({ Origin: origin });
      expect([origin, r.status]).toEqual([origin, 403]);
      expect(r.body).toMatch(/may not connect to this server.*--allow-origin/);
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    // DNS rebinding: a foreign name that resolves to this server sends a matching Host, and is still refused.
    const rebound = await upgrade({ Origin: `http://evil.example:${s.port}`, Host: `evil.example:${s.port}` });
    expect(rebound.status).toBe(403);
    expect(s.server.status().connections).toBe(allowed.length);
  });

  it('accepts origins the operator allowed, live, and * for any', async () => {
    s = await startServer({ allowedOrigins: ['https://app.example.org'] });
    expect((await upgrade({ Origin: 'https://app.example.org' })).status).toBe(101);
    expect((await upgrade({ Origin: 'https://other.example.org' })).status).toBe(403);
    await s.server.reconfigure({ allowedOrigins: ['*'] });
    expect((await upgrade({ Origin: 'https://other.example.org' })).status).toBe(101);
    expect((await upgrade({ Origin: 'null' })).status).toBe(101);
  });
});

describe('sockets that do not finish their request', () => {
  it('closes idle and half-sent sockets after requestTimeoutMs while upgraded connections stay', async () => {
    s = await startServer({ requestTimeoutMs: 600, pingIntervalMs: 60_000 });
    const ws = await connect(s.url('user=steady'));
    clients.push(ws);
    const idle = createConnection(s.port, '127.0.0.1');
    const half = createConnection(s.port, '127.0.0.1');
    sockets.push(idle, half);
    await Promise.all([once(idle, 'connect'), once(half, 'connect')]);
    half.write('GET /?user=slow HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    const start = Date.now();
    // Slowloris: a header line now and then does not buy more time.
    const drip = setInterval(() => half.writable && half.write('X-Drip: 1\r\n'), 100);
    // The server may reset the half-sent socket while the drip still writes: closed either way.
    const closed = (k: Socket) => new Promise((resolve) => k.on('error', () => {}).once('close', resolve));
    await Promise.all([closed(idle), closed(half)]);
    clearInterval(drip);
    expect(Date.now() - start).toBeLessThan(3000);
    ws.send('{"protocol":"one-to-self","n":1}');
    expect(await ws.next()).toBe('{"protocol":"one-to-self","n":1}');
  });

  it('counts sockets that have not upgraded against maxConnections', async () => {
    s = await startServer({ maxConnections: 3, requestTimeoutMs: 60_000 });
    const a = await connect(s.url('user=a'));
    clients.push(a);
    for (let i = 0; i < 2; i++) {
      const k = createConnection(s.port, '127.0.0.1');
      sockets.push(k);
      await once(k, 'connect');
    }
    await expect(connect(s.url('user=b'))).rejects.toMatchObject({ status: 503 });
    // Past the headroom kept for answering 503, sockets are closed as they arrive.
    const more: Socket[] = [];
    for (let i = 0; i < socketHeadroom + 4; i++) {
      const k = createConnection(s.port, '127.0.0.1');
      sockets.push(k);
      more.push(k);
    }
    await Promise.all(more.slice(-3).map((k) => once(k, 'close')));
    for (const k of sockets.splice(0)) k.destroy();
    await expect
      .poll(
        async () =>
          await connect(s.url('user=b')).then(
            (c) => (clients.push(c), 'open'),
            () => 'refused',
          ),
      )
      .toBe('open');
  });
});

describe('headers', () => {
  it('sends CSP with frame-ancestors none, no-referrer and X-Frame-Options on every answer', async () => {
    s = await startServer({ webClientDir: new URL('../../../renderer/web-client', import.meta.url).pathname });
    for (const p of ['/healthz', '/index.html', '/missing', '/push/public-key']) {
      const r = await fetch(s.http(p));
      expect([p, r.headers.get('content-security-policy')]).toEqual([
        p,
        expect.stringContaining("frame-ancestors 'none'"),
      ]);
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
    await s.server.reconfigure({ accessKey: 'k' });
    const r = await upgrade({});
    expect(r.status).toBe(401);
    expect(r.headers['x-frame-options']).toBe('DENY');
  });
});
