// A client's burst (several frames in one read) is corked per recipient until the end of the tick; a lone
// frame is written at once. Either way every frame arrives, in order, and a burst that ends in half a frame
// does not hold back the complete frames before it.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type TestClient } from '../support/clients.js';
import { startServer, type Running } from '../support/server.js';

/** One masked, final text frame as a client sends it (payloads under 126 bytes). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 126) throw new Error('short frames only');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

const rawSocket = (c: TestClient) => (c.ws as unknown as { _socket: Socket })._socket;
const toB = (n: number) => `{"protocol":"one-to-one","endpoint":"b","n":${n}}`;

let s: Running | null = null;
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await s?.stop();
  s = null;
});

describe('bursts', () => {
  it('delivers every frame of a burst in order, and a lone frame right after it', async () => {
    s = await startServer();
    const [a, b] = await Promise.all([connect(s.url('user=a')), connect(s.url('user=b'))]);
    clients.push(a, b);
    rawSocket(a).write(Buffer.concat([1, 2, 3, 4, 5].map((n) => clientFrame(toB(n)))));
    for (const n of [1, 2, 3, 4, 5]) expect(await b.next()).toBe(toB(n));
    a.send(toB(6));
    expect(await b.next()).toBe(toB(6));
  });

  it('sends the complete frames of a read that ends in half a frame, and the rest when it comes', async () => {
    s = await startServer();
    const [a, b] = await Promise.all([connect(s.url('user=a')), connect(s.url('user=b'))]);
    clients.push(a, b);
    const third = clientFrame(toB(3));
    rawSocket(a).write(Buffer.concat([clientFrame(toB(1)), clientFrame(toB(2)), third.subarray(0, 10)]));
    expect(await b.next()).toBe(toB(1));
    expect(await b.next()).toBe(toB(2));
    expect(b.pending()).toEqual([]);
    rawSocket(a).write(third.subarray(10));
    expect(await b.next()).toBe(toB(3));
  });
});
