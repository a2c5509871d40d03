// A WebSocket test client that queues what it receives, so a test awaits the next frame instead of sleeping.
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';

/**
 * A JSON frame as a test reads it: control frames carry `data`; relayed frames carry whatever the sender
 * put in. Fields are checked by the test's expectations, so they are `unknown` here, not `any`.
 */
export interface Frame {
  protocol?: string;
  action?: string;
  from?: string;
  data: Record<string, unknown>;
  [field: string]: unknown;
}

export interface TestClient {
  ws: WebSocket;
  /** The next text frame (rejects after `timeoutMs`). */
  next(timeoutMs?: number): Promise<string>;
  /** The next text frame, parsed. */
  nextJson<T = Frame>(timeoutMs?: number): Promise<T>;
  /** Frames received and not yet taken. */
  pending(): string[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(data: string | Buffer | object, binary?: boolean): void;
  close(): Promise<void>;
}

/** Opens a client; resolves once open (rejects with the HTTP status on a refused upgrade). */
export function connect(url: string, opts: ClientOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(url, opts);
  const queue: string[] = [];
  const waiters: Array<(s: string) => void> = [];
  ws.on('message', (data, isBinary) => {
    const s = isBinary ? `<binary ${(data as Buffer).length}>` : (data as Buffer).toString();
    const w = waiters.shift();
    if (w) w(s);
    else queue.push(s);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = (timeoutMs = 5000) =>
    new Promise<string>((resolve, reject) => {
      const q = queue.shift();
      if (q !== undefined) return resolve(q);
      const t = setTimeout(() => {
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (s: string) => {
        clearTimeout(t);
        resolve(s);
      };
      waiters.push(done);
    });
  const client: TestClient = {
    ws,
    next,
    nextJson: async <T>(t?: number) => JSON.parse(await next(t)) as T,
    pending: () => [...queue],
    closed,
    send: (data, binary = false) =>
      ws.send(typeof data === 'object' && !Buffer.isBuffer(data) ? JSON.stringify(data) : data, { binary }),
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once('error', reject);
  });
}

/** Resolves when `pred` holds, polling the event loop (for state that has no event), bounded. */
export async function until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}
