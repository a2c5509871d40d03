// A push service on 127.0.0.1 over HTTPS (test CA): records every request and answers as the test
// says (a status with headers, or not at all until released).
import { once, EventEmitter } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { makeTestPki } from './test-ca.js';

export interface ReceivedPush {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The response, for tests that answer by hand (`respond` returned 'hold'). */
  res: ServerResponse;
}

/** What to answer: a status (with headers), or 'hold' to leave the request open. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hold';

export interface FakePushService {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  /** CA certificate (PEM) the client must trust. */
  caPem: string;
  /** An agent that trusts the CA. */
  agent: https.Agent;
  received: ReceivedPush[];
  /** Decides the answer per request; default 201. */
  respond: (r: ReceivedPush) => Answer;
  /** Resolves with the next request that arrives (bounded by the test timeout). */
  nextRequest(): Promise<ReceivedPush>;
  close(): Promise<void>;
}

export async function startFakePushService(): Promise<FakePushService> {
  const pki = await makeTestPki();
  const events = new EventEmitter();
  const server = https.createServer({ key: pki.keyPem, cert: pki.certPem });
  const svc: FakePushService = {
    origin: '',
    caPem: pki.caPem,
    agent: new https.Agent({ ca: pki.caPem }),
    received: [],
    respond: () => ({ status: 201 }),
    nextRequest: async () => ((await once(events, 'request')) as [ReceivedPush])[0],
    async close() {
      svc.agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedPush = {
        path: req.url ?? '',
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        res,
      };
      svc.received.push(r);
      const answer = svc.respond(r);
      if (answer !== 'hold') {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
      }
      events.emit('request', r);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  svc.origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return svc;
}
