// Decides, before the WebSocket handshake, whether an upgrade request is let in: the page's origin (403),
// the access key (401) and the server-wide connection cap (503). Refused upgrades register nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { originRefusal, type OriginPolicy } from './origin.js';
import { securityHeaders } from './security-headers.js';

export type Admission = { ok: true; query: URLSearchParams } | { ok: false; status: 401 | 403 | 503; message: string };

export interface AdmissionRules {
  accessKey: string | null;
  origins: OriginPolicy;
  /** Connections open now, counting sockets that have not upgraded yet. */
  open: number;
  maxConnections: number;
}

/** Query parameters as WHATWG URLSearchParams reads them (the path is ignored). */
export function queryOf(url: string | undefined): URLSearchParams {
  const q = url?.indexOf('?') ?? -1;
  return new URLSearchParams(q < 0 ? '' : url!.slice(q + 1));
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a presented key with the configured one. */
export function keyMatches(presented: string | null, expected: string): boolean {
  return presented !== null && timingSafeEqual(digest(presented), digest(expected));
}

export function admit(req: IncomingMessage, rules: AdmissionRules): Admission {
  const { accessKey, open, maxConnections } = rules;
  const refusal = originRefusal(req.headers.origin, req.headers.host, rules.origins);
  if (refusal !== null) return { ok: false, status: 403, message: refusal };
  const query = queryOf(req.url);
  if (accessKey !== null && !keyMatches(query.get('key'), accessKey)) {
    return { ok: false, status: 401, message: 'a valid access key is required: add ?key=ACCESS_KEY to the URL' };
  }
  if (maxConnections > 0 && open >= maxConnections) {
    return { ok: false, status: 503, message: 'the server has reached its connection limit; try again later' };
  }
  return { ok: true, query };
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  408: 'Request Timeout',
  503: 'Service Unavailable',
};

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuse(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  const headers = Object.entries(securityHeaders)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
