// Plain HTTP on the signaling port: /healthz, /push/public-key, /ice-servers and the bundled web client
// (static files; a one-segment path that names no file, such as /class1, is a room and gets the page;
// nothing else is caught: unknown paths are 404).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Metrics } from './metrics.js';
import { keyMatches, queryOf } from './admission.js';
import { contentTypeOf } from './content-types.js';
import { ICE_CREDENTIAL_TTL_SECONDS } from './ice-servers.js';
import { isValidName, type IceServer } from './protocol.js';
import { securityHeaders } from './security-headers.js';

export interface HttpSources {
  health(): {
    status: 'ok';
    uptime: number;
    connections: number;
    peers: number;
    /** What the offline queue holds now: messages and accounted bytes. */
    queued: { messages: number; bytes: number };
  };
  /** VAPID public key (base64url), or null when push is off. */
  pushPublicKey(): string | null;
  /** Directory of the web client, or null when none is served. */
  webClientDir(): string | null;
  metrics: Metrics;
  /** ICE servers for a client that reached the server at `localAddress` (GET /ice-servers). */
  iceServers(localAddress: string | undefined): IceServer[];
  /** The access key clients must present, or null. */
  accessKey(): string | null;
}

const common = { ...securityHeaders, 'Cache-Control': 'no-cache' };

function send(res: ServerResponse, status: number, type: string, body: string, head = false): void {
  res.writeHead(status, { ...common, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

/** Resolves a URL path inside `root`; null when it escapes `root` or is malformed. */
export function staticPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const full = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

// Credentials inside: never stored by a cache, and behind the access key like the WebSocket itself.
function iceServers(src: HttpSources, req: IncomingMessage, res: ServerResponse, head: boolean): void {
  const key = src.accessKey();
  if (key !== null && !keyMatches(queryOf(req.url).get('key'), key))
    return send(
      res,
      401,
      'text/plain; charset=utf-8',
      'a valid access key is required: add ?key=ACCESS_KEY to the URL\n',
      head,
    );
  const body = JSON.stringify({ iceServers: src.iceServers(req.socket.localAddress), ttl: ICE_CREDENTIAL_TTL_SECONDS });
  res.writeHead(200, {
    ...common,
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

/** Builds the request listener for the HTTP(S) server. */
export function createRequestHandler(src: HttpSources): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(src, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  };
}

async function handle(src: HttpSources, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const head = req.method === 'HEAD';
  const known =
    pathname === '/healthz' ||
    pathname === '/push/public-key' ||
    pathname === '/ice-servers' ||
    pathname === '/metrics';
  if (req.method !== 'GET' && !head) {
    if (known) {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
  if (pathname === '/healthz')
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(src.health()), head);
  if (pathname === '/metrics') {
    const verdict = src.metrics.authorize(req);
    if (verdict === 401) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return send(res, 401, 'text/plain; charset=utf-8', 'metrics need Authorization: Bearer TOKEN\n', head);
    }
    if (verdict === 403)
      return send(
        res,
        403,
        'text/plain; charset=utf-8',
        'metrics are served to this machine only (start the server with --metrics-token to scrape it from elsewhere)\n',
        head,
      );
    const m = await src.metrics.scrape();
    return send(res, 200, m.contentType, m.text, head);
  }
  if (pathname === '/push/public-key') {
    const key = src.pushPublicKey();
    return key === null
      ? send(res, 404, 'text/plain; charset=utf-8', 'push is not enabled on this server\n', head)
      : send(res, 200, 'text/plain; charset=utf-8', key, head);
  }
  if (pathname === '/ice-servers') return iceServers(src, req, res, head);
  const root = src.webClientDir();
  const file = root === null ? null : staticPath(path.resolve(root), pathname);
  if (file !== null) {
    const st = await stat(file).catch(() => null);
    if (st?.isFile()) return serveFile(res, file, st.size, head);
  }
  if (root !== null && roomPath(pathname) !== null) {
    const index = path.join(path.resolve(root), 'index.html');
    const st = await stat(index).catch(() => null);
    if (st?.isFile()) return serveFile(res, index, st.size, head);
  }
  send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
}

function serveFile(res: ServerResponse, file: string, size: number, head: boolean): void {
  res.writeHead(200, {
    ...common,
    'Content-Type': contentTypeOf(file),
    'Content-Length': size,
  });
  if (head) return void res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * The room a path like `/class1` names (one segment, no dot so it cannot be a missing asset, a valid
 * room name once decoded); null for any other path.
 */
export function roomPath(pathname: string): string | null {
  if (!/^\/[^/.]+$/.test(pathname)) return null;
  let room: string;
  try {
    room = decodeURIComponent(pathname.slice(1));
  } catch {
    return null;
  }
  return isValidName(room, 1) && !room.includes('/') ? room : null;
}
