// A clock the test moves by hand: timers fire only on advance(), so time-based behaviour needs no sleeps.
import type { Clock } from '../../main/server/clock.js';

interface Timer {
  at: number;
  fn: () => void;
  every: number | null;
  unref?(): void;
}

export class FakeClock implements Clock {
  #now: number;
  readonly #timers = new Set<Timer>();
  constructor(start = Date.UTC(2026, 10, 26)) {
    this.#now = start;
  }
  now = () => this.#now;
  setTimeout = (fn: () => void, ms: number) => this.#add(fn, ms, null);
  setInterval = (fn: () => void, ms: number) => this.#add(fn, ms, ms);
  clearTimeout = (h: unknown) => void this.#timers.delete(h as Timer);
  clearInterval = (h: unknown) => void this.#timers.delete(h as Timer);
  #add(fn: () => void, ms: number, every: number | null): Timer {
    const t = { at: this.#now + ms, fn, every };
    this.#timers.add(t);
    return t;
  }
  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#now = due.at;
      if (due.every !== null) due.at += due.every;
      else this.#timers.delete(due);
      due.fn();
    }
    this.#now = end;
  }
  get pending(): number {
    return this.#timers.size;
  }
}
