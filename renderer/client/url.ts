// Where the signaling socket goes, and with which query.
import type { Dialect } from './protocol.js';

export interface SignalUrlParams {
  dialect: Dialect;
  name: string | null;
  room: string;
  key: string | null;
  token: string | null;
  /** The room's access code, when the operator set one. */
  code?: string | null;
}

/**
 * The WebSocket URL of the server that served `pageUrl`: same host and path directory, `wss:` for an
 * `https:` page and `ws:` for `http:` (so it works behind a reverse proxy under any prefix).
 */
export function serverUrlFromPage(pageUrl: string): string {
  const u = new URL('.', pageUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** `base` with the connection's query parameters set (existing ones, such as a proxy's, are kept). */
export function buildSignalUrl(base: string, p: SignalUrlParams): string {
  const u = new URL(base);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw new TypeError(`not a WebSocket URL: ${base} (use ws:// or wss://)`);
  const q = u.searchParams;
  for (const k of ['user', 'v', 'room', 'key', 'token', 'code']) q.delete(k);
  if (p.name !== null) q.set('user', p.name);
  if (p.dialect === 2) {
    q.set('v', '2');
    if (p.room !== '') q.set('room', p.room);
    if (p.token !== null) q.set('token', p.token);
  }
  if (p.key !== null) q.set('key', p.key);
  if (p.code != null) q.set('code', p.code);
  return u.toString();
}

/** Where a client whose signaling server is `base` fetches its ICE servers (`GET /ice-servers`, with the key). */
export function iceServersUrl(base: string, key: string | null): string {
  const u = new URL('ice-servers', base);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  if (u.protocol === 'wss:') u.protocol = 'https:';
  u.search = '';
  u.hash = '';
  if (key !== null) u.searchParams.set('key', key);
  return u.toString();
}
