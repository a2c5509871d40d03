// docs/protocol.md, HTTP on the same port: what the signaling port answers over HTTP.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../support/clients.js';
import { startServer, type Running } from '../support/server.js';

let s: Running;
afterEach(async () => s?.stop());

/** A raw GET so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(
  port: number,
  p: string,
  method = 'GET',
): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP', () => {
  it('answers /healthz with status, uptime, connections and peers', async () => {
    s = await startServer();
    const a = await connect(s.url('user=a'));
    const anon = await connect(s.url(''));
    const r = await fetch(s.http('/healthz'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await r.json()).toEqual({
      status: 'ok',
      uptime: 0,
      connections: 2,
      peers: 1,
      queued: { messages: 0, bytes: 0 },
    });
    await a.close();
    await anon.close();
  });

  it('answers 404 for other paths, /push/public-key when push is off, and 405 for POST /healthz', async () => {
    s = await startServer();
    expect((await rawGet(s.port, '/')).status).toBe(404);
    expect((await rawGet(s.port, '/index.html')).status).toBe(404);
    const key = await rawGet(s.port, '/push/public-key');
    expect([key.status, key.body]).toEqual([404, 'push is not enabled on this server\n']);
    expect((await rawGet(s.port, '/healthz', 'POST')).status).toBe(405);
  });

  it('serves the web client directory as static files without a catch-all, and nothing outside it', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rs-web-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>client</title>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'export {}');
    writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'no');
    s = await startServer({ webClientDir: root });
    const index = await rawGet(s.port, '/?room=class-3b');
    expect([index.status, index.body, index.type]).toEqual([
      200,
      '<!doctype html><title>client</title>',
      'text/html; charset=utf-8',
    ]);
    expect((await rawGet(s.port, '/assets/app.js')).type).toBe('text/javascript; charset=utf-8');
    // A one-segment path without a dot is a room (/class1): the page, which reads the room from it.
    expect([(await rawGet(s.port, '/class1')).status, (await rawGet(s.port, '/class1')).body]).toEqual([
      200,
      '<!doctype html><title>client</title>',
    ]);
    expect((await rawGet(s.port, '/Klasse%205b')).status).toBe(200);
    expect((await rawGet(s.port, '/nope.js')).status).toBe(404);
    expect((await rawGet(s.port, '/class1/x')).status).toBe(404);
    expect((await rawGet(s.port, '/class1/')).status).toBe(404);
    expect((await rawGet(s.port, `/${'r'.repeat(65)}`)).status).toBe(404);
    expect((await rawGet(s.port, '/a%0Ab')).status).toBe(404);
    expect((await rawGet(s.port, '/assets/')).status).toBe(404);
    expect((await rawGet(s.port, '/../secret.txt')).status).toBe(404);
    expect((await rawGet(s.port, '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await rawGet(s.port, '/%E0%A4%A')).status).toBe(404);
    expect((await rawGet(s.port, '/healthz')).status).toBe(200);
    // WebSockets still work on any path, / included.
    const c = await connect(s.url('user=a', '/'));
    c.send('{"protocol":"one-to-self"}');
    expect(await c.next()).toBe('{"protocol":"one-to-self"}');
    await c.close();
  });
});
