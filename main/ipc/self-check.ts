// Connects to each advertised URL from this machine, the way a device on the LAN would, and reports
// which work: a WebSocket handshake, with the certificate checked against the URL's name or address.
import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import type { AddressInfo, SelfCheckResult } from './contract.js';

function describe(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused: the server is not listening on this address';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `unreachable (${err.code}): a firewall or the network drops the connection`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'the certificate does not name this address: generate a LAN certificate that covers it';
    case 'CERT_HAS_EXPIRED':
      return 'the certificate has expired';
    default:
      return err.message;
  }
}

function checkOne(a: AddressInfo, ca: string[] | undefined, timeoutMs: number): Promise<SelfCheckResult> {
  const started = performance.now();
  const base = { url: a.url, interface: a.interface, address: a.address };
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean, error: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.terminate();
      resolve({ ...base, ok, ms: ok ? Math.round(performance.now() - started) : null, error });
    };
    const ws = new WebSocket(a.url, { handshakeTimeout: timeoutMs, ...(ca ? { ca } : {}) });
    const timer = setTimeout(
      () => finish(false, `no answer within ${timeoutMs} ms: a firewall may drop connections to this port`),
      timeoutMs,
    );
    ws.on('open', () => finish(true, null));
    ws.on('unexpected-response', (_req, res) =>
      finish(
        false,
        `the server answered HTTP ${res.statusCode}${res.statusCode === 401 ? ' (access key refused)' : res.statusCode === 503 ? ' (connection limit reached)' : ''}`,
      ),
    );
    ws.on('error', (err) => finish(false, describe(err)));
  });
}

/**
 * Checks every address in parallel; `certPem` (the server's certificate) is trusted in addition to the
 * system roots, as a device that installed it would. `timeoutMs` per URL, default 3000.
 */
export function selfCheck(
  addresses: AddressInfo[],
  certPem: string | null,
  timeoutMs = 3000,
): Promise<SelfCheckResult[]> {
  const ca = certPem ? [...rootCertificates, certPem] : undefined;
  return Promise.all(addresses.map((a) => checkOne(a, ca, timeoutMs)));
}
