// Push subscriptions per (room, name), kept in memory and mirrored to an append-only log in the data
// directory: each change appends one line, and the log is compacted (rewritten atomically) once it
// holds far more lines than entries. A torn last line (a crash mid-append) is ignored; a log that
// cannot be read back is moved aside and reported, never silently replaced. The store of earlier
// versions (one JSON file rewritten on every change) is read once and migrated.
//
// Bounds: a total number of entries, a number per client address, and an age: an entry nobody used
// (subscribed again, or was woken through it) for `ttlMs` is deleted.
import { appendFile, rename } from 'node:fs/promises';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ServerProblem } from '../report-types.js';
import { removeStaleTempFiles, writeFileAtomic } from '../atomic-file.js';
import type { PushLogger } from './logger.js';
import { subscriptionSchema, type StoredSubscription } from './subscription.js';

/** File name of the store inside the data directory. */
export const storeFileName = 'push-subscriptions.jsonl';
/** The single JSON file of earlier versions, migrated on first start. */
export const legacyStoreFileName = 'push-subscriptions.json';
const header = { format: 'rustysignal-push-subscriptions', version: 2 } as const;

export interface StoreEntry {
  room: string;
  name: string;
  subscription: StoredSubscription;
  /** ms since epoch of the last subscribe. */
  updatedAt: number;
  /** ms since epoch of the last subscribe or successful push; the entry expires `ttlMs` after it. */
  usedAt: number;
  /** Client address that made it ('' for entries from before addresses were kept). */
  address: string;
  /** SHA-256 (base64url) of the owner's push secret, when one was given: it may replace the entry from anywhere. */
  ownerHash: string | null;
}

export interface StoreLimits {
  maxEntries: number;
  perAddress: number;
  ttlMs: number;
}

export type SetOutcome = 'ok' | 'full' | 'address-full';

/**
 * The store's bounds for one `set`, the same for the file and the Redis store: a new name needs room in the
 * store, and a subscription made from another address needs room in that address's share. `fromAddress`
 * counts the address's subscriptions; it is only asked when that bound applies.
 */
export function quotaRefusal(
  limits: Pick<StoreLimits, 'maxEntries' | 'perAddress'>,
  store: { size: number; current: StoreEntry | undefined },
  address: string,
  fromAddress: () => number,
): Exclude<SetOutcome, 'ok'> | null {
  if (store.current === undefined && store.size >= limits.maxEntries) return 'full';
  if (address !== '' && store.current?.address !== address && fromAddress() >= limits.perAddress) return 'address-full';
  return null;
}

/** Where subscriptions live: a file in the data directory (one server) or Redis (a cluster, cluster/push-store.ts). */
export interface SubscriptionStoreLike {
  /** Path of the store file; null when not kept in a file (memory only, or Redis). */
  readonly file: string | null;
  readonly size: number;
  get(room: string, name: string): StoreEntry | undefined;
  /** Stores or replaces room/name's subscription, made from `address`; says why not when a bound is reached. */
  set(
    room: string,
    name: string,
    subscription: StoredSubscription,
    address?: string,
    ownerHash?: string | null,
  ): SetOutcome;
  /** Records that room/name's subscription was used (a push went through): it does not expire yet. */
  touch(room: string, name: string): void;
  /** Deletes room/name's subscription; with `endpoint`, only if it is still that one. */
  delete(room: string, name: string, endpoint?: string): boolean;
  /** Resolves when every change so far is saved (or its failure reported). */
  flush(): Promise<void>;
}

const entrySchema = z.object({
  room: z.string(),
  name: z.string().min(1),
  subscription: subscriptionSchema,
  updatedAt: z.number(),
  usedAt: z.number().optional(),
  address: z.string().default(''),
  ownerHash: z.string().nullable().default(null),
});
const lineSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), entry: z.unknown() }),
  z.object({ op: z.literal('del'), room: z.string(), name: z.string() }),
  z.object({ op: z.literal('use'), room: z.string(), name: z.string(), at: z.number() }),
]);
const legacySchema = z.object({ version: z.literal(1), subscriptions: z.array(z.unknown()) });

export interface StoreDeps {
  now: () => number;
  logger: PushLogger;
  onProblem: (p: ServerProblem) => void;
  /** Read at each change; default: 10,000 entries, 16 per address, 30 days. */
  limits?: () => StoreLimits;
}

const defaultLimits: StoreLimits = { maxEntries: 10_000, perAddress: 16, ttlMs: 30 * 86_400_000 };
const keyOf = (room: string, name: string) => JSON.stringify([room, name]);
/** How often, at most, expired entries are looked for (on the next access). */
const sweepEveryMs = 60_000;

export class SubscriptionStore implements SubscriptionStoreLike {
  readonly #entries = new Map<string, StoreEntry>();
  readonly #perAddress = new Map<string, number>();
  readonly #file: string | null;
  readonly #deps: StoreDeps;
  #pending: string[] = [];
  /** Lines in the log file now; compaction starts when far above the entry count. */
  #lines = 0;
  /** The next write rewrites the whole log (after a failed append, damage, or migration). */
  #rewrite = false;
  #writing: Promise<void> | null = null;
  #housekeeping: Promise<unknown> = Promise.resolve();
  #lastWriteFailed = false;
  #lastSweep = -Infinity;
  /** The legacy file to rename once the migrated log is written. */
  #legacy: string | null = null;

  /**
   * Opens the store in `dataDir` (null: memory only), loading what is on disk synchronously.
   * Problems (a corrupt or unreadable file) go to `deps.onProblem`; the store works either way.
   */
  constructor(dataDir: string | null, deps: StoreDeps) {
    this.#deps = deps;
    this.#file = dataDir === null ? null : path.join(dataDir, storeFileName);
    if (this.#file !== null && !this.#load(this.#file)) this.#file = null;
    this.#sweep();
  }

  /** Path of the store file; null when kept in memory only. */
  get file(): string | null {
    return this.#file;
  }

  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  get(room: string, name: string): StoreEntry | undefined {
    this.#sweep();
    return this.#entries.get(keyOf(room, name));
  }

  /** Stores or replaces room/name's subscription, made from `address`; says why not when a bound is reached. */
  set(
    room: string,
    name: string,
    subscription: StoredSubscription,
    address = '',
    ownerHash: string | null = null,
  ): SetOutcome {
    this.#sweep();
    const key = keyOf(room, name);
    const current = this.#entries.get(key);
    const refused = quotaRefusal(
      this.#limits(),
      { size: this.#entries.size, current },
      address,
      () => this.#perAddress.get(address) ?? 0,
    );
    if (refused) return refused;
    const now = this.#deps.now();
    const entry: StoreEntry = { room, name, subscription, updatedAt: now, usedAt: now, address, ownerHash };
    this.#put(key, entry);
    this.#append({ op: 'put', entry });
    return 'ok';
  }

  /** Records that room/name's subscription was used (a push went through): it does not expire yet. */
  touch(room: string, name: string): void {
    const e = this.#entries.get(keyOf(room, name));
    if (e === undefined) return;
    e.usedAt = this.#deps.now();
    this.#append({ op: 'use', room, name, at: e.usedAt });
  }

  /** Deletes room/name's subscription; with `endpoint`, only if it is still that one. */
  delete(room: string, name: string, endpoint?: string): boolean {
    const key = keyOf(room, name);
    const entry = this.#entries.get(key);
    if (entry === undefined || (endpoint !== undefined && entry.subscription.endpoint !== endpoint)) return false;
    this.#remove(key);
    this.#append({ op: 'del', room, name });
    return true;
  }

  /** Resolves when everything changed so far is on disk (or its write failed and was reported). */
  async flush(): Promise<void> {
    await this.#housekeeping;
    while (this.#writing !== null) await this.#writing;
  }

  #limits(): StoreLimits {
    return this.#deps.limits?.() ?? defaultLimits;
  }

  #put(key: string, entry: StoreEntry): void {
    const old = this.#entries.get(key);
    if (old) this.#count(old.address, -1);
    this.#entries.set(key, entry);
    this.#count(entry.address, +1);
  }

  #remove(key: string): void {
    const old = this.#entries.get(key);
    if (!old) return;
    this.#entries.delete(key);
    this.#count(old.address, -1);
  }

  #count(address: string, d: 1 | -1): void {
    if (address === '') return;
    const n = (this.#perAddress.get(address) ?? 0) + d;
    if (n > 0) this.#perAddress.set(address, n);
    else this.#perAddress.delete(address);
  }

  // Expired entries go at most once a minute, on the next access: no timer to own or stop.
  #sweep(): void {
    const now = this.#deps.now();
    if (now - this.#lastSweep < sweepEveryMs) return;
    this.#lastSweep = now;
    const { ttlMs } = this.#limits();
    for (const [key, e] of this.#entries) {
      if (now - e.usedAt < ttlMs) continue;
      this.#remove(key);
      this.#append({ op: 'del', room: e.room, name: e.name });
    }
  }

  #append(line: object): void {
    if (this.#file === null) return;
    this.#pending.push(JSON.stringify(line));
    this.#schedule();
  }

  #schedule(): void {
    const file = this.#file;
    if (file === null) return;
    this.#writing ??= this.#drain(file).finally(() => {
      this.#writing = null;
    });
  }

  // One writer at a time; lines added during a write go out together in the next one.
  async #drain(file: string): Promise<void> {
    while (this.#pending.length > 0 || this.#rewrite) {
      const lines = this.#pending;
      this.#pending = [];
      const compact = this.#rewrite || this.#lines + lines.length > 2 * this.#entries.size + 64;
      try {
        if (compact) {
          const all = [header, ...[...this.#entries.values()].map((entry) => ({ op: 'put', entry }))];
          this.#rewrite = false;
          await writeFileAtomic(file, all.map((l) => `${JSON.stringify(l)}\n`).join(''));
          this.#lines = all.length;
          if (this.#legacy !== null) {
            // Migrated: the old file stays beside the log, renamed, in case anyone needs it.
            await rename(this.#legacy, `${this.#legacy}.migrated`).catch(() => {});
            this.#legacy = null;
          }
        } else {
          if (this.#lines === 0) lines.unshift(JSON.stringify(header));
          await appendFile(file, lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
          this.#lines += lines.length;
        }
        this.#lastWriteFailed = false;
      } catch (e) {
        // What is on disk may now miss changes: the next write rewrites the whole log.
        this.#rewrite = true;
        const message = `could not save push subscriptions to ${file} (${(e as Error).message}): they are kept in memory until the next change is saved; check the data directory's permissions and free space`;
        this.#deps.logger.error({ file }, 'push subscription store write failed');
        // One report per failure streak, not one per subscribe.
        if (!this.#lastWriteFailed) this.#deps.onProblem({ code: 'push-failed', message });
        this.#lastWriteFailed = true;
        if (this.#pending.length === 0) return;
      }
    }
  }

  /** Loads `file` (or migrates the legacy file); false when it could not be read at all (memory only). */
  #load(file: string): boolean {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch {
      // reported by the read or the first write
    }
    const text = this.#read(file);
    if (text === false) return false;
    this.#sweepTemps(file);
    if (text === null) return this.#migrate(file);
    const problem = this.#parseLog(text);
    if (problem !== null) this.#setAside(file, problem);
    return true;
  }

  /** The file's text; null when it does not exist; false when it exists and cannot be read (reported). */
  #read(file: string): string | null | false {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      // Not readable (permissions, a directory in the way): never overwrite what we could not read.
      this.#report(
        `could not read the push subscription store ${file} (${code ?? (e as Error).message}); push subscriptions are kept in memory only until it is fixed`,
      );
      return false;
    }
  }

  // The whole-file store of earlier versions: read it, write the log, keep the old file as *.migrated.
  #migrate(file: string): boolean {
    const legacy = path.join(path.dirname(file), legacyStoreFileName);
    const text = this.#read(legacy);
    if (text === false) return false;
    if (text === null) return true;
    this.#sweepTemps(legacy);
    const problem = this.#parseLegacy(text);
    if (problem !== null) {
      this.#setAside(legacy, problem);
      return true;
    }
    this.#rewrite = true;
    this.#legacy = legacy;
    this.#schedule();
    this.#deps.logger.info({ from: legacy, to: file }, 'push subscriptions migrated to the append log');
    return true;
  }

  /** Replays the log into the map; returns what was wrong with it, or null. */
  #parseLog(text: string): string | null {
    const lines = text.split('\n');
    // A last line without its newline is an append cut short by a crash: the change never happened.
    const torn = lines.pop() !== '';
    let first = true;
    let bad = 0;
    for (const raw of lines) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        bad++;
        continue;
      }
      if (first) {
        first = false;
        const h = json as Partial<typeof header>;
        if (h?.format !== header.format || h.version !== header.version)
          return 'it is not a rustysignal push subscription log (version 2)';
        continue;
      }
      const line = lineSchema.safeParse(json);
      if (!line.success) {
        bad++;
        continue;
      }
      const l = line.data;
      if (l.op === 'put') {
        const entry = entrySchema.safeParse(l.entry);
        if (!entry.success) bad++;
        else this.#put(keyOf(entry.data.room, entry.data.name), this.#complete(entry.data));
      } else if (l.op === 'del') this.#remove(keyOf(l.room, l.name));
      else {
        const e = this.#entries.get(keyOf(l.room, l.name));
        if (e) e.usedAt = l.at;
      }
    }
    if (first && lines.length > 0) return 'it is not a rustysignal push subscription log (version 2)';
    this.#lines = lines.length;
    this.#trim();
    if (torn) {
      this.#rewrite = true;
      this.#schedule();
    }
    return bad === 0 ? null : `${bad} of ${lines.length} lines were invalid and were dropped (the valid ones are kept)`;
  }

  /** Fills the map from the legacy file text; returns what was wrong with it, or null. */
  #parseLegacy(text: string): string | null {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return `it is not valid JSON (${(e as Error).message})`;
    }
    const file = legacySchema.safeParse(json);
    if (!file.success) return 'it is not a rustysignal push subscription list (version 1)';
    let bad = 0;
    for (const raw of file.data.subscriptions) {
      const entry = entrySchema.safeParse(raw);
      if (!entry.success) bad++;
      else this.#put(keyOf(entry.data.room, entry.data.name), this.#complete(entry.data));
    }
    this.#trim();
    return bad === 0
      ? null
      : `${bad} of ${file.data.subscriptions.length} entries were invalid and were dropped (the valid ones are kept)`;
  }

  #complete(e: z.output<typeof entrySchema>): StoreEntry {
    return { ...e, usedAt: e.usedAt ?? e.updatedAt };
  }

  // A store written under higher limits keeps its newest entries.
  #trim(): void {
    const { maxEntries } = this.#limits();
    if (this.#entries.size <= maxEntries) return;
    const oldest = [...this.#entries].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [key] of oldest.slice(0, this.#entries.size - maxEntries)) this.#remove(key);
    this.#rewrite = true;
    this.#schedule();
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
    // Save what was recovered so the next start reads a clean log.
    this.#lines = 0;
    if (this.#entries.size > 0) {
      this.#rewrite = true;
      this.#schedule();
    }
  }

  #sweepTemps(file: string): void {
    this.#housekeeping = this.#housekeeping.then(() =>
      removeStaleTempFiles(file).then((removed) => {
        if (removed.length > 0)
          this.#deps.logger.warn({ removed }, 'removed temp files left by an interrupted push store write');
      }),
    );
  }

  #report(message: string): void {
    this.#deps.logger.error({ file: this.#file }, message);
    this.#deps.onProblem({ code: 'push-store-corrupt', message });
  }
}
