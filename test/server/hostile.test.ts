// Bad input from some clients never costs the well-behaved ones a message.
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, until, type TestClient } from '../support/clients.js';
import { startServer, type Running } from '../support/server.js';

const INVALID = 'Invalid protocol, valid protocols include:\n\tone-to-one\n\tone-to-self\n\tone-to-all';
let s: Running;
afterEach(async () => s?.stop());

describe('hostile input', () => {
  it('survives deep nesting, prototype keys, odd JSON and invalid UTF-8 while relaying for others', async () => {
    s = await startServer();
    const bad = await connect(s.url('user=bad'));
    const a = await connect(s.url('user=a'));
    const b = await connect(s.url('v=2&user=b'));
    await b.next();
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const frames = [
      deep,
      `{"protocol":"one-to-one","endpoint":"b","x":${deep.slice(0, 20_000)}`,
      '{"__proto__":{"protocol":"one-to-all"}}',
      '{"constructor":{"prototype":{"protocol":"one-to-all"}}}',
      '{"protocol":"toString"}',
      '{"protocol":"__proto__"}',
      '{"protocol":"one-to-one","endpoint":"__proto__"}',
      '{"protocol":"one-to-one","endpoint":"constructor"}',
      '1e999999',
      '\u0000',
      '',
    ];
    for (const f of frames) bad.send(f);
    const answers = [];
    for (let i = 0; i < frames.length; i++) answers.push(await bad.next());
    expect(answers).toEqual([
      INVALID,
      INVALID,
      INVALID,
      INVALID,
      INVALID,
      INVALID,
      'Could not find a node with the name __proto__',
      'Could not find a node with the name constructor',
      INVALID,
      INVALID,
      INVALID,
    ]);
    expect(({} as Record<string, unknown>).protocol).toBeUndefined();
    const ok = '{"protocol":"one-to-one","endpoint":"b","n":1}';
    a.send(ok);
    expect(JSON.parse(await b.next())).toEqual({ protocol: 'one-to-one', endpoint: 'b', n: 1, from: 'a' });
    // A text frame that is not UTF-8 is a protocol error: that socket is closed with 1007, nobody else.
    bad.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await bad.closed).code).toBe(1007);
    expect(await b.nextJson()).toEqual({ protocol: 'server', action: 'peer-left', data: { user: 'bad' } });
    a.send(ok);
    expect((await b.nextJson()).n).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('drops half-open and garbage TCP connections without harm', async () => {
    s = await startServer();
    const garbage = createConnection(s.port, '127.0.0.1');
    await new Promise((r) => garbage.once('connect', r));
    garbage.write(
      'GET /?user=x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const reply = await new Promise<string>((r) => garbage.once('data', (d) => r(d.toString())));
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    const junk = createConnection(s.port, '127.0.0.1');
    junk.write('\x16\x03\x01 not http at all\r\n\r\n');
    await new Promise((r) => junk.once('close', r));
    await until(() => s.server.status().connections === 0);
    const a = await connect(s.url('user=x'));
    a.send('{"protocol":"one-to-self"}');
    expect(await a.next()).toBe('{"protocol":"one-to-self"}');
    await a.close();
    garbage.destroy();
  });

  it('serves 2,000 clients connecting at once and delivers every message to each', async () => {
    // The 2,000 clients share this process's event loop with the server, so on a loaded machine a handshake
    // can wait longer than the default request timeout for its turn: this test is about throughput.
    s = await startServer({ maxConnections: 0, requestTimeoutMs: 60_000 });
    const n = 2000;
    const clients: TestClient[] = await Promise.all(Array.from({ length: n }, (_, i) => connect(s.url(`user=u${i}`))));
    expect(s.server.status()).toMatchObject({ connections: n, peers: n });
    // Each client sends one message to its neighbour; every one must arrive, exactly.
    clients.forEach((c, i) => c.send(`{"protocol":"one-to-one","endpoint":"u${(i + 1) % n}","i":${i}}`));
    const got = await Promise.all(clients.map((c) => c.next(20_000)));
    got.forEach((g, i) => expect(g).toBe(`{"protocol":"one-to-one","endpoint":"u${i}","i":${(i + n - 1) % n}}`));
    await Promise.all(clients.map((c) => c.close()));
    await until(() => s.server.status().connections === 0, 20_000);
  }, 60_000);
});
