// A relay bound to every address follows the machine's interfaces: an address that appears after the start
// (a Wi-Fi that comes up late) gets a UDP listener, and STUN answers on it.
import { createSocket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { Method } from '../../main/server/relay/stun-message.js';
import { attachPeerHost, netnsAvailable, type AttachedHost } from '../support/netns.js';
import { startServer, type Running } from '../support/server.js';
import { TurnTestClient } from '../support/turn-client.js';

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '0.0.0.0', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(r));
  return port;
}

/** Whether a STUN Binding sent to `address:port` gets an answer. */
async function answers(address: string, port: number): Promise<boolean> {
  const c = await TurnTestClient.udp({ address, port });
  try {
    return (await c.request(Method.Binding, [], { auth: false, timeoutMs: 500 })).code === 0;
  } catch {
    return false;
  } finally {
    c.close();
  }
}

describe.runIf(netnsAvailable('relay on new interfaces'))('relay on a wildcard address', () => {
  let s: Running | null = null;
  let lan: AttachedHost | null = null;
  afterAll(async () => {
    await s?.stop();
    lan?.destroy();
  });

  it('listens on an address that appears after the start, and keeps serving when it goes away', async () => {
    const port = await freeUdpPort();
    s = await startServer({
      host: '0.0.0.0',
      relay: { port, relayPorts: { min: 49400, max: 49420 } },
      turnSecret: 'interfaces-secret',
    });
    expect(await answers('127.0.0.1', port)).toBe(true);

    lan = attachPeerHost();
    const address = lan.localAddress;
    await expect.poll(() => answers(address, port)).toBe(true);

    lan.destroy();
    lan = null;
    expect(await answers('127.0.0.1', port)).toBe(true);
    expect(s.server.status().relay).toMatchObject({ enabled: true, port, problem: null });
  });
});
