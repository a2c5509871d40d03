// The dashboard's preload API for a page in plain Chromium: the same `window.rustysignal` shape the
// Electron preload exposes, backed by the real IPC handler table through Playwright's exposeBinding,
// with main-process events forwarded in order (batched per event-loop turn).
import type { Page } from 'playwright-core';
import type { EventChannel, EventMap, InvokeChannel } from '../../../main/ipc/contract.js';
import type { IpcDeps } from '../../../main/ipc/deps.js';
import { forwardEvents } from '../../../main/ipc/events.js';
import type { IpcHandlers } from '../../../main/ipc/handlers.js';

export interface PreloadBridge {
  /** Every invoke the page made, in order (channel and argument). */
  readonly calls: Array<{ channel: string; arg: unknown }>;
  /** Resolves when every event emitted so far has been delivered to the page. */
  idle(): Promise<void>;
  /** Stops forwarding events. */
  close(): void;
}

type Batch = Array<[EventChannel, unknown]>;

// Runs in the page before its own scripts: builds `window.rustysignal` from the channel list.
function pagePreload(channels: string[]): void {
  const w = window as unknown as Record<string, unknown>;
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const invoke = (channel: string, arg: unknown) =>
    (w.__rsInvoke as (c: string, a: unknown) => Promise<unknown>)(channel, arg);
  const api: Record<string, unknown> = {
    on(event: string, fn: (p: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(fn);
      return () => set.delete(fn);
    },
  };
  for (const ch of channels) {
    const [group, method] = ch.split(':') as [string, string];
    const g = (api[group] ??= {}) as Record<string, unknown>;
    g[method] = (arg?: unknown) => invoke(ch, arg);
  }
  w.__rsEmit = (batch: Array<[string, unknown]>) => {
    for (const [event, payload] of batch) for (const fn of listeners.get(event) ?? []) fn(payload);
  };
  for (const v of Object.values(api)) if (typeof v === 'object' && v) Object.freeze(v);
  Object.defineProperty(window, 'rustysignal', { value: Object.freeze(api), writable: false, configurable: false });
}

/**
 * Installs the preload API in `page` (call before `goto`). Invokes run `handlers`; events come from
 * `forwardEvents(deps, …)`. Calls from any origin other than `origin` are refused, as the main
 * process refuses frames it did not load.
 */
export async function installPreload(
  page: Page,
  handlers: IpcHandlers,
  deps: IpcDeps,
  origin: string,
): Promise<PreloadBridge> {
  const calls: PreloadBridge['calls'] = [];
  await page.exposeBinding('__rsInvoke', async (source, channel: string, arg: unknown) => {
    if (!source.frame.url().startsWith(origin))
      return { ok: false, error: { code: 'forbidden', message: 'not the dashboard' } };
    const fn = handlers[channel as InvokeChannel];
    if (!fn) return { ok: false, error: { code: 'invalid-argument', message: `unknown channel ${channel}` } };
    calls.push({ channel, arg });
    return fn(arg);
  });
  await page.addInitScript(pagePreload, Object.keys(handlers));

  // One delivery in flight at a time; whatever arrives meanwhile goes in the next one, so a burst of
  // 1,000 joins costs a few round trips to the page, not 1,000.
  let queue: Batch = [];
  let inFlight: Promise<void> | null = null;
  const deliver = (): Promise<void> => {
    const batch = queue;
    queue = [];
    return page
      .evaluate((b) => (window as unknown as { __rsEmit?: (b: unknown) => void }).__rsEmit?.(b), batch)
      .then(
        () => {},
        () => {}, // a page that is navigating or closed misses events, as a reloading window would
      )
      .then(() => (queue.length > 0 ? deliver() : undefined));
  };
  const send = <E extends EventChannel>(event: E, payload: EventMap[E]) => {
    queue.push([event, payload]);
    if (inFlight) return;
    inFlight = new Promise<void>((r) => setImmediate(r)).then(deliver).finally(() => {
      inFlight = null;
    });
  };
  const off = forwardEvents(deps, send);
  return {
    calls,
    async idle() {
      await new Promise((r) => setImmediate(r));
      while (inFlight) await inFlight;
    },
    close: off,
  };
}
