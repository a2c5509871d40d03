// The client library takes the server's ICE servers by itself: from the welcome (v2) or GET /ice-servers
// (v1), fresh at every reconnect, into every link its RtcHub makes; and it explains links that never connect.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RtcHub, type PeerLink } from '../../renderer/client/index.js';
import { diagnose, isHiddenCandidate, type IceFacts } from '../../renderer/client/ice-report.js';
import { parseIceServers } from '../../renderer/client/protocol.js';
import { iceServersUrl } from '../../renderer/client/url.js';
import { FreezableWebSocket, startServerWithClients, type ServerWithClients } from './helpers.js';
import { weriftOptions } from './webrtc-helpers.js';

let env: ServerWithClients;
afterEach(async () => env?.stop());

describe('ICE servers from the signaling server', () => {
  beforeEach(async () => {
    env = await startServerWithClients({ iceServers: ['stun:127.0.0.2:3478'], accessKey: 'k1' });
  });

  it('v2: from the welcome; after a lost connection, fresh ones, which the hub hands to its open links', async () => {
    const c = env.client({ name: 'ann', key: 'k1', WebSocket: FreezableWebSocket as never });
    const first = c.next('ice-servers');
    await c.connect();
    expect((await first)[0]).toEqual([{ urls: 'stun:127.0.0.2:3478' }]);
    expect(c.iceServers).toEqual([{ urls: 'stun:127.0.0.2:3478' }]);
    expect(c.welcome?.iceServers).toEqual([{ urls: 'stun:127.0.0.2:3478' }]);
    const hub = new RtcHub(c, { ...weriftOptions });
    const link: PeerLink = hub.connect('bob');
    expect(link.pc.getConfiguration().iceServers).toMatchObject([{ urls: 'stun:127.0.0.2:3478' }]);

    await env.server.reconfigure({ iceServers: ['stun:127.0.0.3'] });
    const fresh = c.next('ice-servers');
    FreezableWebSocket.last!.terminate();
    expect((await fresh)[0]).toEqual([{ urls: 'stun:127.0.0.3' }]);
    expect(link.pc.getConfiguration().iceServers).toMatchObject([{ urls: 'stun:127.0.0.3' }]);
    // A link made now starts with them.
    expect(hub.connect('cat').pc.getConfiguration().iceServers).toMatchObject([{ urls: 'stun:127.0.0.3' }]);
    hub.close();
  });

  it('an app that passes its own iceServers keeps them', async () => {
    const c = env.client({ name: 'ann', key: 'k1' });
    await c.connect();
    const hub = new RtcHub(c, { ...weriftOptions, iceServers: [{ urls: 'stun:own.example' }] });
    expect(hub.connect('bob').pc.getConfiguration().iceServers).toMatchObject([{ urls: 'stun:own.example' }]);
    hub.close();
  });

  it('v1: fetched from GET /ice-servers (with the key) before the client reports open', async () => {
    const c = env.client({ name: 'old', key: 'k1', dialect: 1 });
    const got = c.next('ice-servers');
    await c.connect();
    expect(c.iceServers).toEqual([{ urls: 'stun:127.0.0.2:3478' }]);
    expect((await got)[0]).toEqual([{ urls: 'stun:127.0.0.2:3478' }]);
  });

  it('v1: a server without /ice-servers leaves none, and the client still opens', async () => {
    const d = env.client({
      name: 'older',
      key: 'k1',
      dialect: 1,
      iceServersUrl: `${env.url.replace('ws', 'http')}nope`,
    });
    await d.connect();
    expect(d.iceServers).toEqual([]);
  });
});

describe('helpers', () => {
  it('derives the /ice-servers URL from the signaling URL', () => {
    expect(iceServersUrl('ws://10.0.0.1:3012/', null)).toBe('http://10.0.0.1:3012/ice-servers');
    expect(iceServersUrl('wss://host/prefix/?user=a', 'k y')).toBe('https://host/prefix/ice-servers?key=k+y');
  });

  it('keeps only well-formed RTCIceServer entries', () => {
    expect(
      parseIceServers([
        { urls: 'stun:a' },
        { urls: ['turn:a?transport=udp', 7], username: 'u', credential: 'p' },
        { urls: [] },
        { urls: 5 },
        null,
        'stun:b',
      ]),
    ).toEqual([{ urls: 'stun:a' }, { urls: ['turn:a?transport=udp'], username: 'u', credential: 'p' }]);
    expect(parseIceServers(undefined)).toEqual([]);
  });

  it('recognises candidates hidden behind mDNS names', () => {
    expect(
      isHiddenCandidate('candidate:1 1 udp 2122260223 4b1e0c2a-1d2b-4f3a-9c1e-1234567890ab.local 54321 typ host'),
    ).toBe(true);
    expect(isHiddenCandidate('candidate:1 1 udp 1686052607 10.77.0.2 54321 typ srflx raddr 0.0.0.0 rport 0')).toBe(
      false,
    );
  });

  const base: IceFacts = {
    localTypes: ['host'],
    remoteTypes: [],
    pairs: 0,
    succeeded: false,
    received: 1,
    receivedHidden: 1,
    relayOffered: false,
  };
  it.each<[string, Partial<IceFacts>, string]>([
    ['nothing gathered here', { localTypes: [] }, 'no-network'],
    [
      'a relay offered but no relay address',
      { relayOffered: true, localTypes: ['host', 'srflx'] },
      'relay-unreachable',
    ],
    ['nothing from the peer', { received: 0, receivedHidden: 0 }, 'no-peer-addresses'],
    ['only hidden peer names, none usable (multicast dropped, no STUN)', {}, 'peer-hidden'],
    ['pairs formed, none worked, no relay (client isolation)', { pairs: 2, remoteTypes: ['srflx'] }, 'unreachable'],
    [
      'relay pairs formed and failed',
      { relayOffered: true, localTypes: ['host', 'relay'], pairs: 3, remoteTypes: ['relay'] },
      'relay-failed',
    ],
  ])('diagnoses %s', (_what, facts, problem) => {
    expect(diagnose({ ...base, ...facts })).toBe(problem);
  });
});
