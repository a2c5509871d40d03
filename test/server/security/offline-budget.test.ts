// Finding 1: the offline queue is bounded in bytes, in total and per sender address, whatever the
// clients do; a sender over budget hears `queue-full`, never silence, and others keep their share.
import { afterEach, describe, expect, it } from 'vitest';
import { heldOverheadBytes } from '../../../main/server/offline-queue.js';
import type { TestClient } from '../../support/clients.js';
import { startServer, type Running } from '../../support/server.js';
import { connectV2, nextControl, type ServerMessage } from './support.js';

const KiB = 1024;
let s: Running;
const open: TestClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await s?.stop();
});

/** A v2 client connected from `address` (any 127.0.0.0/8 address reaches a server on 127.0.0.1). */
const v2 = (query: string, address = '127.0.0.1') => connectV2(s.url(`v=2&${query}`), open, { localAddress: address });
const big = (to: string, id: number) =>
  JSON.stringify({ protocol: 'one-to-one', endpoint: to, id, data: 'x'.repeat(60 * KiB) });
const health = async () => (await (await fetch(s.http('/healthz'))).json()) as { queued: { bytes: number } };

describe('offline queue byte budgets', () => {
  it('refuses a sender over its address budget with queue-full and keeps room for other senders', async () => {
    s = await startServer({
      offlineQueueBytes: 1024 * KiB,
      offlineQueueSenderBytes: 256 * KiB,
      rateLimit: { perSecond: 0 },
    });
    const attacker = await v2('user=mallory');
    const fits = Math.floor((256 * KiB) / (big('ghost-0', 0).length + heldOverheadBytes));
    const answers = [];
    for (let i = 0; i <= fits + 2; i++) {
      attacker.send(big(`ghost-${i}`, i));
      answers.push(await nextControl(attacker));
    }
    expect(answers.slice(0, fits).every((a) => a.action === 'queued')).toBe(true);
    for (const a of answers.slice(fits)) {
      expect(a.action).toBe('error');
      expect(a.data.code).toBe('queue-full');
      expect(a.data.message).toMatch(/your address/);
    }
    expect(answers.at(-1)!.data.ref).toBe(fits + 2);
    // A second connection from the same address shares the budget.
    const again = await v2('user=mallory2');
    again.send(big('ghost-x', 1));
    expect((await nextControl(again)).data.code).toBe('queue-full');
    expect((await health()).queued.bytes).toBeLessThanOrEqual(256 * KiB);

    // Someone else on the LAN still gets a message held for a peer about to connect.
    const alice = await v2('user=alice', '127.0.0.2');
    alice.send({ protocol: 'one-to-one', endpoint: 'bob', id: 'hi', data: 'offer' });
    expect((await nextControl(alice)).action).toBe('queued');
    const bob = await v2('user=bob', '127.0.0.3');
    expect(await bob.nextJson<ServerMessage>()).toMatchObject({ endpoint: 'bob', data: 'offer', from: 'alice' });

    // Delivering held messages frees the budget.
    const ghost = await v2('user=ghost-0', '127.0.0.4');
    expect((JSON.parse(await ghost.next()) as ServerMessage).from).toBe('mallory');
    attacker.send(big('ghost-y', 99));
    expect((await nextControl(attacker)).action).toBe('queued');
  });

  it('refuses everyone with queue-full once the total budget is used, and never holds more than it', async () => {
    s = await startServer({
      offlineQueueBytes: 256 * KiB,
      offlineQueueSenderBytes: 128 * KiB,
      rateLimit: { perSecond: 0 },
    });
    const results: string[] = [];
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const c = await v2(`user=from-${address}`, address);
      for (let i = 0; i < 4; i++) {
        c.send(big(`ghost-${address}-${i}`, i));
        const a = await nextControl(c);
        results.push(a.action === 'queued' ? 'queued' : a.data.message!.includes('your address') ? 'sender' : 'total');
      }
    }
    // 2 × 60 KiB fit an address's 128 KiB; the third address finds the 256 KiB total used.
    expect(results).toEqual([
      'queued',
      'queued',
      'sender',
      'sender',
      'queued',
      'queued',
      'sender',
      'sender',
      'total',
      'total',
      'total',
      'total',
    ]);
    const { queued } = await health();
    expect(queued.bytes).toBeLessThanOrEqual(256 * KiB);
    expect(queued).toEqual({ messages: 4, bytes: 4 * (big('ghost-127.0.0.2-0', 0).length + heldOverheadBytes) });
  });
});
