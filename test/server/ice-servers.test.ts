// ICE servers handed to clients (docs/protocol.md, "ICE servers"): the URL grammar of the iceServers option,
// the list one module builds, and both ways it reaches clients (v2 welcome, GET /ice-servers).
import { afterEach, describe, expect, it } from 'vitest';
import { parseIceUrl } from '../../main/server/ice-url.js';
import { ICE_CREDENTIAL_TTL_SECONDS, iceServersFor, urlHost } from '../../main/server/ice-servers.js';
import { OptionsError, resolveOptions } from '../../main/server/options.js';
import { restUsernameExpiry, turnPassword } from '../../main/server/relay/credentials.js';
import { connect } from '../support/clients.js';
import { runCli } from '../support/cli.js';
import { startServer, type Running } from '../support/server.js';

describe('ICE server URLs', () => {
  it.each([
    'stun:stun.example.org',
    'stun:10.0.0.1:3478',
    'stun:[fd00::1]:3478',
    'turn:turn.example.org?transport=udp',
    'TURN:turn.example.org:3478?transport=tcp',
    'turns:turn.example.org:5349',
    'turns:turn.example.org?transport=tcp',
  ])('accepts %s', (url) => {
    expect(typeof parseIceUrl(url)).toBe('object');
  });

  it.each([
    ['http://example.org', /expected stun:HOST/],
    ['stun:', /"" is not a host name/],
    ['stun:fd00::1', /expected stun:HOST/],
    ['stun:[10.0.0.1]', /IPv6 goes in brackets/],
    ['stun:300.1.1.1', /is not a host name/],
    ['stun:host:0', /port 0 is not between/],
    ['stun:host:70000', /port 70000/],
    ['stun:host?transport=udp', /stun: takes no \?transport=/],
    ['turn:host?transport=sctp', /transport must be udp or tcp/],
    ['turns:host?transport=udp', /turns: runs over TLS/],
    ['turn:user:pass@host', /expected stun:HOST/],
    ['turn:-bad-.example', /is not a host name/],
  ])('refuses %s, saying why', (url, why) => {
    const r = parseIceUrl(url);
    expect(typeof r).toBe('string');
    expect(r).toMatch(why);
  });

  it('refuses a bad URL in the options, naming the option and the URL', () => {
    expect(() => resolveOptions({ iceServers: ['stun:ok.example', 'turn:bad host'] })).toThrow(OptionsError);
    expect(() => resolveOptions({ iceServers: ['turn:bad host'] })).toThrow(
      /option iceServers\.0: "turn:bad host": "bad host" is not a host name/,
    );
  });

  it('the CLI refuses a bad --ice-server with exit code 2 and one line', () => {
    const r = runCli([
      '127.0.0.1:0',
      '--no-mdns',
      '--ice-server',
      'stun:ok.example',
      '--ice-server',
      'turns:x?transport=udp',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "rustysignal: option '--ice-server <url>' argument 'turns:x?transport=udp' is invalid. turns: runs over TLS, so ?transport=udp cannot work",
    ]);
  });
});

describe('the list for one client', () => {
  const relay = { port: 3478, secret: 'relay-secret-1' };
  const now = Date.UTC(2026, 11, 2, 8, 0, 0);

  it('is empty with no relay and nothing external', () => {
    expect(
      iceServersFor(
        { relay: null, external: [], externalSecret: null },
        { localAddress: '10.0.0.1', user: 'c1', nowMs: now },
      ),
    ).toEqual([]);
  });

  it('names the relay at the address the client reached, with credentials valid for a day', () => {
    const list = iceServersFor(
      { relay, external: [], externalSecret: null },
      { localAddress: '10.77.0.1', user: 'c7', nowMs: now },
    );
    const expiry = now / 1000 + ICE_CREDENTIAL_TTL_SECONDS;
    expect(list).toEqual([
      { urls: 'stun:10.77.0.1:3478' },
      {
        urls: ['turn:10.77.0.1:3478?transport=udp', 'turn:10.77.0.1:3478?transport=tcp'],
        username: `${expiry}:c7`,
        credential: turnPassword('relay-secret-1', `${expiry}:c7`),
      },
    ]);
    expect(restUsernameExpiry(list[1]!.username!)).toBe(expiry);
  });

  it('writes IPv6 in brackets, unwraps IPv4-mapped addresses and drops a zone index', () => {
    expect(urlHost('fd00::1')).toBe('[fd00::1]');
    expect(urlHost('::ffff:192.168.1.5')).toBe('192.168.1.5');
    expect(urlHost('fe80::1%eth0')).toBe('[fe80::1]');
    expect(urlHost('')).toBeNull();
    const [stun] = iceServersFor(
      { relay, external: [], externalSecret: null },
      { localAddress: 'fd00::1', user: 'c1', nowMs: now },
    );
    expect(stun).toEqual({ urls: 'stun:[fd00::1]:3478' });
  });

  it('adds external servers after the relay; TURN ones get credentials from the shared secret, or are left out without one', () => {
    const external = ['stun:stun.example.org', 'turn:turn.example.org?transport=udp', 'turns:turn.example.org'];
    const withSecret = iceServersFor(
      { relay: null, external, externalSecret: 'coturn-static-secret' },
      { localAddress: '10.0.0.1', user: 'h3', nowMs: now },
    );
    const username = `${now / 1000 + ICE_CREDENTIAL_TTL_SECONDS}:h3`;
    const credential = turnPassword('coturn-static-secret', username);
    expect(withSecret).toEqual([
      { urls: 'stun:stun.example.org' },
      { urls: 'turn:turn.example.org?transport=udp', username, credential },
      { urls: 'turns:turn.example.org', username, credential },
    ]);
    expect(
      iceServersFor(
        { relay: null, external, externalSecret: null },
        { localAddress: '10.0.0.1', user: 'h3', nowMs: now },
      ),
    ).toEqual([{ urls: 'stun:stun.example.org' }]);
  });
});

describe('delivery to clients', () => {
  let s: Running;
  afterEach(async () => s?.stop());

  async function welcomeOf(query: string): Promise<{ iceServers: unknown }> {
    const c = await connect(s.url(query));
    const w = await c.nextJson<{ data: { iceServers: unknown } }>();
    await c.close();
    return w.data;
  }

  it('the v2 welcome carries iceServers; v1 connections get no welcome', async () => {
    s = await startServer({ iceServers: ['stun:stun.example.org:3478'] });
    expect((await welcomeOf('v=2&user=a')).iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
    const v1 = await connect(s.url('user=b'));
    v1.send({ protocol: 'one-to-self', action: 'x' });
    expect(JSON.parse(await v1.next())).toEqual({ protocol: 'one-to-self', action: 'x' });
    await v1.close();
  });

  it('a live change of iceServers reaches the next welcome', async () => {
    s = await startServer();
    expect((await welcomeOf('v=2&user=a')).iceServers).toEqual([]);
    await s.server.reconfigure({ iceServers: ['stun:10.0.0.9'] });
    expect((await welcomeOf('v=2&user=a')).iceServers).toEqual([{ urls: 'stun:10.0.0.9' }]);
  });

  it('GET /ice-servers answers the list and its ttl, never cached', async () => {
    s = await startServer({ iceServers: ['stun:stun.example.org'] });
    const r = await fetch(s.http('/ice-servers'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toEqual({
      iceServers: [{ urls: 'stun:stun.example.org' }],
      ttl: ICE_CREDENTIAL_TTL_SECONDS,
    });
    const head = await fetch(s.http('/ice-servers'), { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await fetch(s.http('/ice-servers'), { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('GET /ice-servers needs the access key when the server has one', async () => {
    s = await startServer({ accessKey: 'sesame', iceServers: ['stun:stun.example.org'] });
    const refused = await fetch(s.http('/ice-servers'));
    expect([refused.status, await refused.text()]).toEqual([
      401,
      'a valid access key is required: add ?key=ACCESS_KEY to the URL\n',
    ]);
    expect((await fetch(s.http('/ice-servers?key=wrong'))).status).toBe(401);
    const ok = await fetch(s.http('/ice-servers?key=sesame'));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { iceServers: unknown }).iceServers).toEqual([{ urls: 'stun:stun.example.org' }]);
  });

  it('names the running relay at the address the client used, with credentials its secret accepts', async () => {
    // A port of its own: suites running side by side must not collide on 3478.
    const relayPort = 30_000 + (process.pid % 20_000);
    s = await startServer({
      relay: { port: relayPort },
      turnSecret: 'shared-with-coturn',
      iceServers: ['turn:turn.example.org?transport=tcp'],
    });
    expect(s.server.status().relay).toMatchObject({ enabled: true, port: relayPort });
    const list = (await welcomeOf('v=2&user=a')).iceServers as Array<{ urls: string | string[]; username?: string }>;
    expect(list.map((e) => e.urls)).toEqual([
      `stun:127.0.0.1:${relayPort}`,
      [`turn:127.0.0.1:${relayPort}?transport=udp`, `turn:127.0.0.1:${relayPort}?transport=tcp`],
      'turn:turn.example.org?transport=tcp',
    ]);
    for (const e of list.slice(1)) {
      expect(e.username).toMatch(/^\d+:c\d+$/);
      expect(e).toMatchObject({ credential: turnPassword('shared-with-coturn', e.username!) });
    }
    const http = (await (await fetch(s.http('/ice-servers'))).json()) as { iceServers: Array<{ username?: string }> };
    expect(http.iceServers[1]!.username).toMatch(/^\d+:h1$/);
    await s.server.reconfigure({ relay: { port: 0 } });
    expect((await welcomeOf('v=2&user=a')).iceServers).toEqual([
      {
        urls: 'turn:turn.example.org?transport=tcp',
        username: expect.stringMatching(/^\d+:c\d+$/) as unknown,
        credential: expect.any(String) as unknown,
      },
    ]);
  });
});
