// Registers the plain handler table with ipcMain.handle: checks who is calling (our window's top frame on
// our own page, nothing else) and passes exactly one argument; the handlers validate it. Events go out
// to every trusted window as `event:NAME`, the names the preload listens on.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { EventChannel, EventMap, InvokeChannel, Result } from '../ipc/contract.js';
import type { IpcHandlers } from '../ipc/handlers.js';
import { isTrustedSender } from './security.js';

/** The contents allowed to call the main process (the dashboard window's). */
export interface TrustedContents {
  ids(): ReadonlySet<number>;
  all(): WebContents[];
}

const forbidden = (channel: string): Result<never> => ({
  ok: false,
  error: { code: 'forbidden', message: `${channel} may only be called by the rustysignal dashboard` },
});

/** Wraps one handler with the sender and arity checks. Exported for tests. */
export function guard(
  channel: InvokeChannel,
  fn: (arg: unknown) => Promise<Result<unknown>>,
  trusted: TrustedContents,
) {
  return async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<Result<unknown>> => {
    const frame = event.senderFrame;
    const sender = {
      frameUrl: frame?.url ?? null,
      isMainFrame: frame !== null && frame === event.sender.mainFrame,
      webContentsId: event.sender.id,
    };
    if (!isTrustedSender(sender, trusted.ids())) return forbidden(channel);
    if (args.length > 1)
      return { ok: false, error: { code: 'invalid-argument', message: `${channel} takes at most one argument` } };
    return fn(args[0]);
  };
}

/** Registers every channel; returns the function that removes them. */
export function registerIpc(handlers: IpcHandlers, trusted: TrustedContents): () => void {
  const channels = Object.keys(handlers) as InvokeChannel[];
  for (const c of channels) ipcMain.handle(c, guard(c, handlers[c], trusted));
  return () => {
    for (const c of channels) ipcMain.removeHandler(c);
  };
}

/** Sends one contract event to every trusted, live window. */
export function sendEvent<E extends EventChannel>(trusted: TrustedContents, event: E, payload: EventMap[E]): void {
  for (const wc of trusted.all()) if (!wc.isDestroyed()) wc.send(`event:${event}`, payload);
}
