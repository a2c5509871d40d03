// The network self-check: a working URL, a refused one, and a wss URL whose certificate does not name
// the address, each reported in words a user can act on.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLanCertificate } from '../../main/certs/generate.js';
import { selfCheck } from '../../main/ipc/self-check.js';
import { startServer, type Running } from '../support/server.js';

let s: Running | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const addr = (url: string) => ({
  interface: 'lo',
  address: '127.0.0.1',
  family: 'IPv4' as const,
  internal: true,
  url,
  webClientUrl: null,
  trustUrl: null,
});

async function closedPort(): Promise<number> {
  const srv: Server = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('selfCheck', () => {
  it('reports a refused port and a certificate that does not name the address', async () => {
    const wrongName = await generateLanCertificate({ dns: ['elsewhere.local'], ip: ['10.9.8.7'] });
    s = await startServer({
      host: '127.0.0.1',
      port: 0,
      tls: { cert: wrongName.cert, key: wrongName.key },
      mdns: { enabled: false },
    });
    const port = await closedPort();
    const [refused, mismatch] = await selfCheck(
      [addr(`ws://127.0.0.1:${port}/`), addr(`wss://127.0.0.1:${s.server.status().port}/`)],
      wrongName.cert,
      10_000,
    );
    expect(refused).toEqual({
      url: `ws://127.0.0.1:${port}/`,
      interface: 'lo',
      address: '127.0.0.1',
      ok: false,
      ms: null,
      error: 'connection refused: the server is not listening on this address',
    });
    expect(mismatch).toMatchObject({
      ok: false,
      ms: null,
      error: 'the certificate does not name this address: generate a LAN certificate that covers it',
    });
  });

  it('passes a wss URL whose certificate names the address, trusting that certificate', async () => {
    const good = await generateLanCertificate({ dns: ['box.local'], ip: ['127.0.0.1'] });
    s = await startServer({
      host: '127.0.0.1',
      port: 0,
      tls: { cert: good.cert, key: good.key },
      mdns: { enabled: false },
    });
    const [r] = await selfCheck([addr(`wss://127.0.0.1:${s.server.status().port}/`)], good.cert, 10_000);
    expect(r).toMatchObject({ ok: true, error: null });
  });
});
