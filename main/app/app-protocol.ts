// Serves the dashboard's built files on the app scheme (rustysignal://dashboard/...), with the CSP and
// no-sniff headers file:// cannot carry. A web Request in, a web Response out: no electron import, so the
// path handling is tested in plain Node; main.ts hands it to protocol.handle.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeOf } from '../server/content-types.js';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security.js';

const headers = (type: string) => ({
  'content-type': type,
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
});

/** The file under `root` a request names, or null when it is not ours or escapes `root`. */
export function resolveAppPath(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const file = path.resolve(root, `.${path.posix.normalize(rel === '/' ? '/index.html' : rel)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

/** Answers one request for the dashboard's files from `root` (dist/renderer/dashboard). */
export async function serveAppRequest(request: Request, root: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
  const file = resolveAppPath(request.url, path.resolve(root));
  if (!file) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: headers(contentTypeOf(file)),
    });
  } catch {
    return new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
  }
}
