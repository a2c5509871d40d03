// The window's single store, set once at startup; views read it instead of passing it down.
import type { PreloadApi } from '../../../main/ipc/contract.js';
import type { Store } from './store.js';

let current: Store | null = null;

/** Installs the store (main.ts, once). */
export function provideStore(store: Store): void {
  current = store;
}

/** The window's store; throws if called before startup. */
export function store(): Store {
  if (!current) throw new Error('dashboard store used before startup');
  return current;
}

/** The preload API the store talks to. */
export function api(): PreloadApi {
  return store().api;
}
