// Plain HTTP on the TLS port: the onboarding pages under /trust and a redirect to https for everything
// else, so one URL (and one QR code) works before and after a device trusts the local CA.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { mobileconfig } from './mobileconfig.js';
import { trustPage } from './page.js';

export interface TrustSources {
  /** The local CA certificate (PEM), or null when the TLS certificate was imported (then only redirects). */
  caCert(): string | null;
  /** This machine's `.local` label. */
  label(): string;
  /** Host and port to send a request without a usable Host header to. */
  fallbackHost(): string;
}

// A Host header is echoed into a Location and a page: only a host name or address and a port pass.
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

const common = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
  'Referrer-Policy': 'no-referrer',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean, extra = {}) {
  res.writeHead(status, { ...common, ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

let described: { pem: string; info: { fingerprint256: string; validTo: string } } | null = null;

/** Fingerprint and expiry of the CA offered at /trust (cached: status() asks often). */
export function trustInfo(caPem: string): { fingerprint256: string; validTo: string } {
  if (described?.pem !== caPem) {
    const c = new X509Certificate(caPem);
    described = { pem: caPem, info: { fingerprint256: c.fingerprint256, validTo: new Date(c.validTo).toISOString() } };
  }
  return described.info;
}

/** The request listener for plain HTTP arriving on the TLS port. */
export function createTrustHandler(src: TrustSources): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const head = req.method === 'HEAD';
    const host = HOST.test(req.headers.host ?? '') ? req.headers.host! : src.fallbackHost();
    const url = req.url ?? '/';
    const pathname = url.split('?')[0]!;
    const ca = src.caCert();
    const isTrust = ca !== null && (pathname === '/trust' || pathname.startsWith('/trust/'));
    if (!isTrust) {
      const target = `https://${host}${url.startsWith('/') ? url : '/'}`;
      return send(res, 302, 'text/plain; charset=utf-8', `use ${target}\n`, head, { Location: target });
    }
    if (req.method !== 'GET' && !head)
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false, { Allow: 'GET, HEAD' });
    const cert = new X509Certificate(ca);
    switch (pathname) {
      case '/trust':
      case '/trust/':
        return send(
          res,
          200,
          'text/html; charset=utf-8',
          trustPage({ fingerprint256: trustInfo(ca).fingerprint256, httpsUrl: `https://${host}/`, label: src.label() }),
          head,
          { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'" },
        );
      case '/trust/ca.pem':
        return send(res, 200, 'application/x-pem-file', cert.toString(), head, {
          'Content-Disposition': 'attachment; filename="rustysignal-ca.pem"',
        });
      case '/trust/ca.crt':
        return send(res, 200, 'application/x-x509-ca-cert', Buffer.from(cert.raw), head, {
          'Content-Disposition': 'attachment; filename="rustysignal-ca.crt"',
        });
      case '/trust/rustysignal.mobileconfig':
        return send(res, 200, 'application/x-apple-aspen-config', mobileconfig(ca, src.label()), head, {
          'Content-Disposition': 'attachment; filename="rustysignal.mobileconfig"',
        });
      default:
        return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    }
  };
}

/** A plain ws:// upgrade on the TLS port: say to use wss (426) instead of dropping the connection. */
export function refusePlainUpgrade(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  const body = 'this server speaks TLS: connect with wss://\n';
  socket.end(
    `HTTP/1.1 426 Upgrade Required\r\nUpgrade: TLS/1.2, HTTP/1.1\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
