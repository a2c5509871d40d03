// What the security tests share: the server frames they read, a v2 client that has had its welcome, and
// the next frame that is not presence news.
import { expect } from 'vitest';
import type { ClientOptions } from 'ws';
import { connect, type TestClient } from '../../support/clients.js';

/** What the server sends, as far as these tests read it. */
export interface ServerMessage {
  protocol?: string;
  action?: string;
  from?: string | null;
  seq?: number;
  data: { code?: string; message?: string; ref?: unknown; ok?: boolean; to?: string; status?: number | null };
}

/** Connects a v2 client, checks its welcome, and adds it to `open` (the file closes those after each test). */
export async function connectV2(url: string, open: TestClient[], opts: ClientOptions = {}): Promise<TestClient> {
  const c = await connect(url, opts);
  open.push(c);
  expect((await c.nextJson<ServerMessage>()).action).toBe('welcome');
  return c;
}

/** The next frame that is not presence news (peer-joined, peer-left). */
export async function nextControl(c: TestClient): Promise<ServerMessage> {
  for (;;) {
    const m = await c.nextJson<ServerMessage>();
    if (m.action !== 'peer-joined' && m.action !== 'peer-left') return m;
  }
}
