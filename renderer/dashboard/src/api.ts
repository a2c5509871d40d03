// The only way the dashboard reaches the main process: the preload API on `window.rustysignal`,
// typed by the IPC contract. Calls resolve to Results; `call` turns a failed one into an IpcFailure.
import type { IpcError, PreloadApi, PreloadGlobalName, Result } from '../../../main/ipc/contract.js';

declare global {
  interface Window {
    rustysignal?: PreloadApi;
  }
}

const globalName: PreloadGlobalName = 'rustysignal';

/** The preload API, or null when the page runs without it (opened outside the app). */
export function findApi(): PreloadApi | null {
  return window[globalName] ?? null;
}

/** A call that came back as `{ ok: false }`: carries the contract's error (code, message, fields). */
export class IpcFailure extends Error {
  override name = 'IpcFailure';
  constructor(readonly error: IpcError) {
    super(error.message);
  }
}

/** Awaits a preload call and returns its value; throws IpcFailure for an error Result. */
export async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  let r: Result<T>;
  try {
    r = await pending;
  } catch (err) {
    // The contract says calls never reject; if one does, the bridge itself broke.
    throw new IpcFailure({
      code: 'internal',
      message: `The app did not answer (${String(err)}). Restart rustysignal.`,
    });
  }
  if (r.ok) return r.value;
  throw new IpcFailure(r.error);
}

/** The error of a failed call as the contract shapes it, whatever was thrown. */
export function toIpcError(err: unknown): IpcError {
  if (err instanceof IpcFailure) return err.error;
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}
