// Turns the server's answers into promises. The server answers a relayed message only when something
// is off (`queued`, `error`), so success is proven by order instead: after a burst of sends the client
// sends itself a one-to-self probe, and the server handles each connection's frames in order, so once
// the probe comes back every earlier message has been either relayed or answered.
import type { ErrorCode, PushResultData } from './protocol.js';

export type SendStatus = 'relayed' | 'queued';
export interface SendResult {
  /** relayed: handed to the peer's connection (or the room). queued: held for an offline peer. */
  status: SendStatus;
}

/** An error from the server (with its code) or from the client itself. */
export class SignalError extends Error {
  override name = 'SignalError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The `id` of the message it is about, when the server said. */
    readonly ref?: string,
  ) {
    super(message);
  }
}

export type AnswerKind = 'relay' | 'push-result' | 'push-subscribed' | 'push-unsubscribed';
type AnswerValue = {
  relay: SendResult;
  'push-result': PushResultData;
  'push-subscribed': void;
  'push-unsubscribed': void;
};

interface Pending {
  id: string;
  kind: AnswerKind;
  to: string | null;
  /** Sequence number of the probe that proves this message was handled; null when an explicit answer is due. */
  probe: number | null;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export interface AckTrackerOptions {
  timeoutMs: number;
  sendProbe(seq: number): void;
}

export class AckTracker {
  readonly #pending = new Map<string, Pending>();
  readonly #prefix = Math.random().toString(36).slice(2, 8);
  #counter = 0;
  #probeSeq = 0;
  #probeScheduled = false;

  constructor(private readonly options: AckTrackerOptions) {}

  /** Registers a message about to be sent; returns the `id` to put in it and the promise of its answer. */
  track<K extends AnswerKind>(kind: K, to: string | null): { id: string; promise: Promise<AnswerValue[K]> } {
    const id = `${this.#prefix}-${++this.#counter}`;
    const promise = new Promise<AnswerValue[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SignalError('timeout', `the server did not answer within ${this.options.timeoutMs} ms`, id));
      }, this.options.timeoutMs);
      this.#pending.set(id, {
        id,
        kind,
        to,
        probe: kind === 'relay' ? this.#scheduleProbe() : null,
        resolve,
        reject,
        timer,
      });
    });
    // Fire-and-forget callers must not see unhandled rejections; awaiting callers still get them.
    promise.catch(() => {});
    return { id, promise };
  }

  /** One probe per burst: sent after the current synchronous work, so after the messages it covers. */
  #scheduleProbe(): number {
    const seq = this.#probeSeq;
    if (!this.#probeScheduled) {
      this.#probeScheduled = true;
      queueMicrotask(() => {
        this.#probeScheduled = false;
        this.#probeSeq++;
        this.options.sendProbe(seq);
      });
    }
    return seq;
  }

  /** Probe `seq` came back: every relayed message sent before it that got no answer was relayed. */
  probeEchoed(seq: number): void {
    for (const p of [...this.#pending.values()]) {
      if (p.probe !== null && p.probe <= seq) this.#done(p).resolve({ status: 'relayed' } satisfies SendResult);
    }
  }

  /** Resolves the message `ref` with the answer, if it was waiting for that kind. */
  settle<K extends AnswerKind>(ref: string, kind: K, value: AnswerValue[K]): boolean {
    const p = this.#pending.get(ref);
    if (!p || p.kind !== kind) return false;
    this.#done(p).resolve(value);
    return true;
  }

  /** Rejects the message `ref`; false when nothing waits for it. */
  fail(ref: string, err: Error): boolean {
    const p = this.#pending.get(ref);
    if (!p) return false;
    this.#done(p).reject(err);
    return true;
  }

  /**
   * v1 errors carry no ref: they belong to the oldest unanswered relayed message (to `name`, when
   * the error names a peer). False when nothing waits.
   */
  failOldest(err: Error, name: string | null): boolean {
    for (const p of this.#pending.values()) {
      if (p.kind !== 'relay' || (name !== null && p.to !== name)) continue;
      this.#done(p).reject(err);
      return true;
    }
    return false;
  }

  failAll(err: Error): void {
    for (const p of [...this.#pending.values()]) this.#done(p).reject(err);
  }

  get size(): number {
    return this.#pending.size;
  }

  #done(p: Pending): Pending {
    clearTimeout(p.timer);
    this.#pending.delete(p.id);
    return p;
  }
}
