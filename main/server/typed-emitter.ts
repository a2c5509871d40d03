import { EventEmitter } from 'node:events';

/** An EventEmitter whose event names and payloads are checked against a map of tuples. */
export class TypedEmitter<M extends { [K in keyof M]: unknown[] }> {
  readonly #ee = new EventEmitter();
  constructor() {
    // Hosts (tray, dashboard, CLI, tests) each subscribe; no leak warning for a handful of them.
    this.#ee.setMaxListeners(50);
  }
  on<K extends keyof M & string>(event: K, fn: (...args: M[K]) => void): () => void {
    this.#ee.on(event, fn as (...a: unknown[]) => void);
    return () => this.#ee.off(event, fn as (...a: unknown[]) => void);
  }
  once<K extends keyof M & string>(event: K, fn: (...args: M[K]) => void): void {
    this.#ee.once(event, fn as (...a: unknown[]) => void);
  }
  /** Whether anyone listens to `event` (to skip work nobody would see). */
  has<K extends keyof M & string>(event: K): boolean {
    return this.#ee.listenerCount(event) > 0;
  }
  emit<K extends keyof M & string>(event: K, ...args: M[K]): void {
    // 'error' on a bare EventEmitter throws when nobody listens; ours is a report, not a crash.
    if (event === 'error' && this.#ee.listenerCount('error') === 0) return;
    this.#ee.emit(event, ...args);
  }
}
