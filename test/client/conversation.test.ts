// The web client's conversation (chat + file transfer over a DataChannel) between two Node peers on
// werift, signaled through the real server by the client library's RtcHub.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtcHub, type SignalClient } from '../../renderer/client/index.js';
import { Conversation } from '../../renderer/web-client/src/conversation.js';
import { BLOCK_BYTES } from '../../renderer/web-client/src/transfer/constants.js';
import type { Transfer, TransferState } from '../../renderer/web-client/src/transfer/types.js';
import { isIsolated } from '../support/netns.js';
import { startServerWithClients, type ServerWithClients } from './helpers.js';
import { expectedChecksum, weriftOptions } from './webrtc-helpers.js';

function until(t: Transfer, conv: Conversation, states: TransferState[], timeoutMs = 30_000): Promise<Transfer> {
  if (states.includes(t.state)) return Promise.resolve(t);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`transfer stayed '${t.state}' (wanted ${states.join('|')})`)),
      timeoutMs,
    );
    const off = conv.on('transfer', (x) => {
      if (x !== t || !states.includes(x.state)) return;
      clearTimeout(timer);
      off();
      resolve(x);
    });
  });
}

function nextOffer(conv: Conversation): Promise<Transfer> {
  return new Promise((resolve) => {
    const off = conv.on('transfer', (t) => {
      if (t.direction === 'in' && t.state === 'offered') {
        off();
        resolve(t);
      }
    });
  });
}

async function pair(
  env: ServerWithClients,
  a: string,
  b: string,
): Promise<{ ca: Conversation; cb: Conversation; clients: SignalClient[]; hubs: RtcHub[] }> {
  const [sa, sb] = [env.client({ name: a }), env.client({ name: b })];
  await Promise.all([sa.connect(), sb.connect()]);
  const [ha, hb] = [new RtcHub(sa, weriftOptions), new RtcHub(sb, weriftOptions)];
  const incoming = new Promise<Conversation>((resolve) => hb.once('link', (link) => resolve(new Conversation(link))));
  const ca = new Conversation(ha.connect(b));
  const cb = await incoming;
  await Promise.all([ca.next('state', 10_000), cb.next('state', 10_000)]);
  expect([ca.state, cb.state]).toEqual(['open', 'open']);
  return { ca, cb, clients: [sa, sb], hubs: [ha, hb] };
}

// werift's pure-TypeScript SCTP moves about 0.3-1 MB/s here; allow for a loaded two-core machine.
describe.runIf(isIsolated)('conversation between two werift peers', { timeout: 60_000 }, () => {
  let env: ServerWithClients;
  beforeAll(async () => {
    env = await startServerWithClients();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('chats and transfers a file of two checksum blocks whose checksum matches, with backpressure', async () => {
    const { ca, cb, hubs } = await pair(env, 'ann', 'ben');
    try {
      const chat = cb.next('chat');
      ca.sendChat('hello ben');
      expect((await chat)[0]).toMatchObject({ from: 'peer', text: 'hello ben' });

      const data = new Uint8Array(randomBytes(BLOCK_BYTES + 123));
      const offered = nextOffer(cb);
      const out = ca.sendFile(new Blob([data]), 'photo.jpg');
      const inc = await offered;
      expect(inc).toMatchObject({ name: 'photo.jpg', size: data.length, mime: 'application/octet-stream' });
      const maxBuffered: number[] = [];
      ca.on('transfer', () => maxBuffered.push(ca.channel.bufferedAmount));
      cb.accept(inc);
      const t0 = performance.now();
      await Promise.all([until(out, ca, ['done']), until(inc, cb, ['done'])]);
      console.log(`werift to werift: ${data.length} bytes in ${(performance.now() - t0).toFixed(0)} ms`);
      expect(out.checksum).toBe(expectedChecksum(data));
      expect(inc.checksum).toBe(out.checksum);
      // Buffer.equals: a deep toEqual over a megabyte of elements is needlessly slow.
      expect(Buffer.from(await inc.blob!.arrayBuffer()).equals(data)).toBe(true);
      expect(Math.max(...maxBuffered)).toBeLessThanOrEqual(1024 * 1024 + 16 * 1024);
    } finally {
      hubs.forEach((h) => h.close());
    }
  });

  it('both sides connecting at the same moment end up with one working channel', async () => {
    const [sa, sb] = [env.client({ name: 'gil' }), env.client({ name: 'hal' })];
    await Promise.all([sa.connect(), sb.connect()]);
    const [ha, hb] = [new RtcHub(sa, weriftOptions), new RtcHub(sb, weriftOptions)];
    try {
      const offers: string[] = [];
      for (const [who, c] of [
        ['gil', sa],
        ['hal', sb],
      ] as const)
        c.on(
          'message',
          (m) =>
            (m.data as { description?: { type: string } }).description?.type === 'offer' && offers.push(`to ${who}`),
        );
      // Neither waits for the other: two offers cross, the polite side (hal) yields.
      const [ca, cb] = [new Conversation(ha.connect('hal')), new Conversation(hb.connect('gil'))];
      await Promise.all([ca.next('state', 15_000), cb.next('state', 15_000)]);
      expect([ca.state, cb.state, ha.get('hal')?.polite, hb.get('gil')?.polite]).toEqual(['open', 'open', false, true]);
      expect(offers.sort()).toEqual(['to gil', 'to hal']);
      const got = cb.next('chat');
      ca.sendChat('after the glare');
      expect((await got)[0].text).toBe('after the glare');
    } finally {
      ha.close();
      hb.close();
    }
  });

  it('reports decline and cancel to the other side in words', async () => {
    const { ca, cb, hubs } = await pair(env, 'cat', 'dan');
    try {
      let offered = nextOffer(cb);
      const declined = ca.sendFile(new Blob([new Uint8Array(10)]), 'a.txt');
      cb.decline(await offered);
      await until(declined, ca, ['declined']);
      expect(declined.reason).toBe('dan declined the file.');

      offered = nextOffer(cb);
      const big = ca.sendFile(new Blob([new Uint8Array(8 * 1024 * 1024)]), 'big.bin');
      const inc = await offered;
      cb.accept(inc);
      await until(big, ca, ['sending']);
      cb.cancel(inc);
      await until(big, ca, ['cancelled']);
      expect(big.reason).toBe('dan cancelled: cancelled by the receiver');
      expect(inc).toMatchObject({ state: 'cancelled', reason: 'You cancelled it.' });
    } finally {
      hubs.forEach((h) => h.close());
    }
  });

  it('fails an unfinished transfer with the reason when the peer goes away', async () => {
    const { ca, cb, hubs } = await pair(env, 'eve', 'fay');
    try {
      const offered = nextOffer(cb);
      const out = ca.sendFile(new Blob([new Uint8Array(8 * 1024 * 1024)]), 'big.bin');
      const inc = await offered;
      cb.accept(inc);
      await until(inc, cb, ['receiving']);
      await new Promise<void>((resolve) => {
        const off = cb.on('transfer', (t) => t === inc && t.bytes > 0 && (off(), resolve()));
      });
      cb.close();
      await until(out, ca, ['failed']);
      expect(out.reason).toBe('fay left the conversation.');
      expect(inc.state).toBe('failed');
      expect(inc.reason).toMatch(/^You closed the conversation\. \(.+ of 8\.4 MB had arrived\)$/);
      expect(ca.state).toBe('closed');
    } finally {
      hubs.forEach((h) => h.close());
    }
  });
});
