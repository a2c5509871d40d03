// Push subscriptions per (room, name), kept in memory and mirrored to one JSON file in the data
// directory. Every change rewrites the file atomically; writes never overlap. A file that cannot be
// read back is moved aside and reported, never silently replaced by an empty store.
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ServerProblem } from '../surface.js';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.js';
import type { PushLogger } from './logger.js';
import { subscriptionSchema, type StoredSubscription } from './subscription.js';
import type { StoreEntry, SubscriptionStoreLike } from './types.js';

/** File name of the store inside the data directory. */
export const storeFileName = 'push-subscriptions.json';
/** Most subscriptions kept; each change rewrites the whole file, so it stays small. */
export const maxSubscriptions = 10_000;

export type { StoreEntry } from './types.js';

const fileSchema = z.object({
  version: z.literal(1),
  subscriptions: z.array(z.unknown()),
});

const entrySchema = z.object({
  room: z.string(),
  name: z.string().min(1),
  subscription: subscriptionSchema,
  updatedAt: z.number(),
});

export interface StoreDeps {
  now: () => number;
  logger: PushLogger;
  onProblem: (p: ServerProblem) => void;
}

const keyOf = (room: string, name: string) => JSON.stringify([room, name]);

export class SubscriptionStore implements SubscriptionStoreLike {
  readonly #entries = new Map<string, StoreEntry>();
  readonly #file: string | null;
  readonly #deps: StoreDeps;
  #dirty = false;
  #writing: Promise<void> | null = null;
  #housekeeping: Promise<unknown> = Promise.resolve();
  #lastWriteFailed = false;

  /**
   * Opens the store in `dataDir` (null: memory only), loading what is on disk synchronously.
   * Problems (a corrupt or unreadable file) go to `deps.onProblem`; the store works either way.
   */
  constructor(dataDir: string | null, deps: StoreDeps) {
    this.#deps = deps;
    this.#file = dataDir === null ? null : path.join(dataDir, storeFileName);
    if (this.#file !== null && !this.#load(this.#file)) this.#file = null;
  }

  /** Path of the store file; null when kept in memory only. */
  get file(): string | null {
    return this.#file;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(room: string, name: string): StoreEntry | undefined {
    return this.#entries.get(keyOf(room, name));
  }

  /** Stores or replaces room/name's subscription; false when the store is full. */
  set(room: string, name: string, subscription: StoredSubscription): boolean {
    const key = keyOf(room, name);
    if (!this.#entries.has(key) && this.#entries.size >= maxSubscriptions) return false;
    this.#entries.set(key, { room, name, subscription, updatedAt: this.#deps.now() });
    this.#changed();
    return true;
  }

  /** Deletes room/name's subscription; with `endpoint`, only if it is still that one. */
  delete(room: string, name: string, endpoint?: string): boolean {
    const key = keyOf(room, name);
    const entry = this.#entries.get(key);
    if (entry === undefined || (endpoint !== undefined && entry.subscription.endpoint !== endpoint)) return false;
    this.#entries.delete(key);
    this.#changed();
    return true;
  }

  /** Resolves when everything changed so far is on disk (or its write failed and was reported). */
  async flush(): Promise<void> {
    await this.#housekeeping;
    while (this.#writing !== null) await this.#writing;
  }

  #changed(): void {
    if (this.#file === null) return;
    this.#dirty = true;
    this.#writing ??= this.#drain(this.#file).finally(() => {
      this.#writing = null;
    });
  }

  // One writer at a time; changes made during a write are coalesced into the next one.
  async #drain(file: string): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      const text = JSON.stringify({ version: 1, subscriptions: [...this.#entries.values()] }, null, 1) + '\n';
      try {
        await writeFileAtomic(file, text);
        this.#lastWriteFailed = false;
      } catch (e) {
        const message = `could not save push subscriptions to ${file} (${(e as Error).message}): they are kept in memory until the next change is saved; check the data directory's permissions and free space`;
        this.#deps.logger.error({ err: e, file }, 'push subscription store write failed');
        // One report per failure streak, not one per subscribe.
        if (!this.#lastWriteFailed) this.#deps.onProblem({ code: 'push-failed', message });
        this.#lastWriteFailed = true;
      }
    }
  }

  /** Loads `file`; false when it could not be read at all (the store then stays in memory only). */
  #load(file: string): boolean {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch {
      // reported by the read or the first write
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        this.#sweepTemps(file);
        return true;
      }
      // Not readable (permissions, a directory in the way): never overwrite what we could not read.
      this.#report(
        `could not read the push subscription store ${file} (${code ?? (e as Error).message}); push subscriptions are kept in memory only until it is fixed`,
      );
      return false;
    }
    this.#sweepTemps(file);
    const problem = this.#parse(text);
    if (problem !== null) this.#setAside(file, problem);
    return true;
  }

  /** Fills the map from the file text; returns what was wrong with it, or null. */
  #parse(text: string): string | null {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return `it is not valid JSON (${(e as Error).message})`;
    }
    const file = fileSchema.safeParse(json);
    if (!file.success) return 'it is not a rustysignal push subscription list (version 1)';
    let bad = 0;
    for (const raw of file.data.subscriptions) {
      const entry = entrySchema.safeParse(raw);
      if (!entry.success) {
        bad++;
        continue;
      }
      if (this.#entries.size < maxSubscriptions) this.#entries.set(keyOf(entry.data.room, entry.data.name), entry.data);
    }
    return bad === 0
      ? null
      : `${bad} of ${file.data.subscriptions.length} entries were invalid and were dropped (the valid ones are kept)`;
  }

  // Keeps the unreadable original for inspection and starts over with what could be read.
  #setAside(file: string, what: string): void {
    const stamp = new Date(this.#deps.now()).toISOString().replace(/[:.]/g, '-');
    const aside = `${file}.corrupt-${stamp}`;
    try {
      renameSync(file, aside);
    } catch (e) {
      this.#report(
        `the push subscription store ${file} is damaged (${what}) and could not be moved aside (${(e as Error).message})`,
      );
      return;
    }
    this.#report(
      `the push subscription store ${file} was damaged: ${what}. The original was moved to ${aside}; users whose subscriptions were lost must subscribe again`,
    );
    // Save what was recovered so the next start reads a clean file.
    if (this.#entries.size > 0) this.#changed();
  }

  #sweepTemps(file: string): void {
    this.#housekeeping = removeStaleTempFiles(file).then((removed) => {
      if (removed.length > 0)
        this.#deps.logger.warn({ removed }, 'removed temp files left by an interrupted push store write');
    });
  }

  #report(message: string): void {
    this.#deps.logger.error({ file: this.#file }, message);
    this.#deps.onProblem({ code: 'push-store-corrupt', message });
  }
}
