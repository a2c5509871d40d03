// A tiny typed event emitter: browsers and Node alike, no dependencies.

/** Maps each event name to the tuple of arguments its listeners receive. */
export type EventMap = Record<string, unknown[]>;

type Listener<A extends unknown[]> = (...args: A) => void;
// Stored type-erased; `on`/`emit` keep the per-event types at the edges.
type AnyListener = (...args: unknown[]) => void;

export class Emitter<M extends EventMap> {
  readonly #listeners = new Map<keyof M, Set<AnyListener>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(type: K, listener: Listener<M[K]>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return () => this.off(type, listener);
  }

  /** Adds a listener that runs at most once; returns a function that removes it. */
  once<K extends keyof M>(type: K, listener: Listener<M[K]>): () => void {
    const off = this.on(type, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<K extends keyof M>(type: K, listener: Listener<M[K]>): void {
    this.#listeners.get(type)?.delete(listener as unknown as AnyListener);
  }

  /** Resolves with the arguments of the next `type` event, or rejects after `timeoutMs`. */
  next<K extends keyof M>(type: K, timeoutMs = 10_000): Promise<M[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no '${String(type)}' event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.once(type, (...args) => {
        clearTimeout(timer);
        resolve(args);
      });
    });
  }

  protected emit<K extends keyof M>(type: K, ...args: M[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...(args as unknown[]));
      } catch (err) {
        // A throwing listener must not break the client's own bookkeeping; surface it asynchronously.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
