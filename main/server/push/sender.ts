// One Web Push request. web-push encrypts the payload (RFC 8291 / draft aesgcm) and signs the VAPID
// JWT; the HTTP exchange is ours, because web-push's own `timeout` is only a socket idle timeout
// (a push service that trickles its answer would never time out) and its request cannot be cancelled.
import https from 'node:https';
import type webpush from 'web-push';
import { checkEndpoint, EndpointRefused } from './endpoint-guard.js';
import type { StoredSubscription } from './subscription.js';
import type { VapidKeys } from './vapid.js';

export type ContentEncoding = 'aes128gcm' | 'aesgcm';

export interface SendOptions {
  vapid: VapidKeys & { subject: string };
  encoding: ContentEncoding;
  /** Push message time to live, in seconds. */
  ttlSeconds: number;
  /** Upper bound on the whole exchange (connect, TLS, request, answer), in ms. */
  timeoutMs: number;
  /** Agent for the request; undefined uses Node's global HTTPS agent. */
  agent: https.Agent | undefined;
  /** ms since epoch, to turn an HTTP-date Retry-After into a delay. */
  now: () => number;
  /** Hosts (`HOST` or `HOST:PORT`) allowed although not public (endpoint-guard.ts). */
  allowHosts: readonly string[];
  /** Most bytes read of the answer; a longer answer fails the send. */
  maxResponseBytes: number;
}

/** What came of one send: the push service answered (any status), or it could not be reached in time. */
export type SendOutcome =
  | { kind: 'answered'; status: number; statusText: string; retryAfterMs: number | null; body: string }
  | { kind: 'failed'; reason: 'refused' | 'timeout' | 'network' | 'invalid' | 'too-large'; message: string };

// web-push (and its crypto dependencies) load with the first push: a server that sends none stays smaller.
let webPush: Promise<typeof webpush> | null = null;
const loadWebPush = () => (webPush ??= import('web-push').then((m) => m.default));

/** Longest part of a push service's answer kept for logs. */
const maxBodyChars = 2048;

/** Sends `payload` to `subscription`. Never rejects; never takes longer than `timeoutMs` (plus a tick). */
export async function sendPush(
  subscription: StoredSubscription,
  payload: string,
  opts: SendOptions,
): Promise<SendOutcome> {
  const verdict = checkEndpoint(subscription.endpoint, opts.allowHosts);
  if (!verdict.ok) return { kind: 'failed', reason: 'refused', message: verdict.reason };
  let details: webpush.RequestDetails;
  try {
    details = (await loadWebPush()).generateRequestDetails(subscription, payload, {
      vapidDetails: opts.vapid,
      TTL: opts.ttlSeconds,
      contentEncoding: opts.encoding,
    });
  } catch (e) {
    return Promise.resolve({
      kind: 'failed',
      reason: 'invalid',
      message: `could not build the push request: ${(e as Error).message}`,
    });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    let req: ReturnType<typeof https.request>;
    try {
      req = https.request(details.endpoint, {
        method: details.method,
        headers: details.headers,
        agent: opts.agent,
        ...(verdict.lookup ? { lookup: verdict.lookup } : {}),
        // An answer's headers are bounded as well as its body.
        maxHeaderSize: 16 * 1024,
      });
    } catch (e) {
      resolve({
        kind: 'failed',
        reason: 'invalid',
        message: `could not start the push request: ${(e as Error).message}`,
      });
      return;
    }
    const timer = setTimeout(() => {
      finish({
        kind: 'failed',
        reason: 'timeout',
        message: `the push service did not answer within ${opts.timeoutMs} ms`,
      });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (e) =>
      finish(
        e instanceof EndpointRefused
          ? { kind: 'failed', reason: 'refused', message: e.message }
          : { kind: 'failed', reason: 'network', message: `could not reach the push service: ${e.message}` },
      ),
    );
    req.on('response', (res) => {
      let body = '';
      let bytes = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        if (bytes > opts.maxResponseBytes) {
          finish({
            kind: 'failed',
            reason: 'too-large',
            message: `the push service's answer was longer than ${opts.maxResponseBytes} bytes`,
          });
          req.destroy();
          return;
        }
        if (body.length < maxBodyChars) body += chunk.slice(0, maxBodyChars - body.length);
      });
      res.on('error', (e) =>
        finish({ kind: 'failed', reason: 'network', message: `the push service's answer broke off: ${e.message}` }),
      );
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        finish({
          kind: 'answered',
          status,
          statusText: res.statusMessage ?? '',
          retryAfterMs: parseRetryAfter(res.headers['retry-after'], opts.now()),
          body,
        });
      });
    });
    req.end(details.body ?? undefined);
  });
}

/**
 * Reads a Retry-After header (RFC 9110: delay in seconds, or an HTTP-date) as a delay in ms from `now`;
 * null when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
