// The subscription store on a real data directory: an append log (one line per change, compacted),
// crash safety (torn appends, leftover temp files), damaged logs set aside and reported, migration of
// the earlier whole-file store, and the bounds (per address, in total, by age).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPushService, type LocalPushService } from '../../../main/server/push/push-service.js';
import { generateVapidKey } from '../../../main/server/push/vapid.js';
import type { ServerProblem } from '../../../main/server/surface.js';
import { makeBrowserSubscription } from './support/browser-subscription.js';
import { decryptAes128gcm } from './support/ece.js';
import { startFakePushService, type FakePushService } from './support/fake-push-service.js';

const vapidPem = generateVapidKey().pem;
const fixedNow = Date.parse('2026-11-26T11:33:45.123Z');
let root: string;
let fake: FakePushService;
let n = 0;
const open: LocalPushService[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rs-push-store-'));
  fake = await startFakePushService();
});
afterAll(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function freshDir(): Promise<string> {
  const dir = path.join(root, `d${++n}`);
  await mkdir(dir);
  return dir;
}

function service(
  dataDir: string | null,
  problems: ServerProblem[] = [],
  extra: { now?: () => number; subscriptionsPerAddress?: number; subscriptionTtlMs?: number } = {},
) {
  const s = createPushService(
    {
      vapidPrivateKeyPem: vapidPem,
      subject: 'mailto:ops@example.org',
      encoding: 'aes128gcm',
      timeoutMs: 5000,
      allowHosts: [new URL(fake.origin).host],
      dataDir,
      ...(extra.subscriptionsPerAddress ? { subscriptionsPerAddress: extra.subscriptionsPerAddress } : {}),
      ...(extra.subscriptionTtlMs ? { subscriptionTtlMs: extra.subscriptionTtlMs } : {}),
    },
    { agent: fake.agent, now: extra.now ?? (() => fixedNow), onProblem: (p) => problems.push(p) },
  );
  open.push(s);
  return s;
}

async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((s) => s.close()));
}

const sub = (name: string) => makeBrowserSubscription(`${fake.origin}/push/${encodeURIComponent(name)}`);
const storeFile = (dir: string) => path.join(dir, 'push-subscriptions.jsonl');
const legacyFile = (dir: string) => path.join(dir, 'push-subscriptions.json');
/** Replays the log as the store does, to see what is on disk. */
const readStore = async (dir: string) => {
  const lines = (await readFile(storeFile(dir), 'utf8')).split('\n').filter(Boolean);
  expect(JSON.parse(lines[0]!)).toEqual({ format: 'rustysignal-push-subscriptions', version: 2 });
  const live = new Map<string, { room: string; name: string }>();
  type Line = { op: string; room: string; name: string; entry: { room: string; name: string } };
  for (const l of lines.slice(1).map((x) => JSON.parse(x) as Line)) {
    if (l.op === 'put') live.set(`${l.entry.room}/${l.entry.name}`, l.entry);
    if (l.op === 'del') live.delete(`${l.room}/${l.name}`);
  }
  return { lines: lines.length, subscriptions: [...live.values()] };
};
const names = (j: { subscriptions: Array<{ room: string; name: string }> }) =>
  j.subscriptions.map((e) => `${e.room}/${e.name}`).sort();
const who = (address: string) => ({ session: {}, address, secret: null });

describe('persistence', () => {
  it('subscriptions survive a new service on the same data directory, per room and name', async () => {
    const dir = await freshDir();
    const alice = sub('alice');
    const s1 = service(dir);
    s1.subscribe('', 'alice', alice.json);
    s1.subscribe('r2', 'bob', sub('bob').json);
    s1.subscribe('', 'tmp', sub('tmp').json);
    expect(s1.unsubscribe('', 'tmp')).toEqual({ ok: true });
    expect(s1.unsubscribe('', 'tmp')).toEqual({ ok: true });
    await closeAll();
    expect((await stat(storeFile(dir))).mode & 0o777).toBe(0o600);
    expect(names(await readStore(dir))).toEqual(['/alice', 'r2/bob']);

    const problems: ServerProblem[] = [];
    const s2 = service(dir, problems);
    expect(problems).toEqual([]);
    expect(s2.subscriptionCount()).toBe(2);
    expect(s2.isSubscribed('', 'alice')).toBe(true);
    expect(s2.isSubscribed('r2', 'bob')).toBe(true);
    expect(s2.isSubscribed('', 'bob')).toBe(false);
    // ... and a connection request to alice, who has not come back, still reaches her device.
    const arrived = fake.nextRequest();
    expect(await s2.connectionRequest('', 'carol', 'alice')).toEqual({ ok: true, status: 201, message: null });
    const payload = JSON.parse(decryptAes128gcm((await arrived).body, alice.ecdh, alice.authSecret).toString()) as {
      sender: unknown;
    };
    expect(payload.sender).toBe('carol');
  });

  it('dataDir null keeps everything in memory', () => {
    const s = service(null);
    expect(s.store.file).toBe(null);
    expect(s.subscribe('', 'x', sub('x').json)).toEqual({ ok: true });
    expect(s.subscriptionCount()).toBe(1);
  });

  it('many subscribes and unsubscribes in a burst all land on disk, with no temp files left', async () => {
    const dir = await freshDir();
    const s = service(dir);
    const expected = new Set<string>();
    for (let i = 0; i < 40; i++) {
      s.subscribe(`room${i % 3}`, `u${i}`, sub(`u${i}`).json);
      expected.add(`room${i % 3}/u${i}`);
    }
    // Let the first write start, then change more while it runs.
    await new Promise((r) => setImmediate(r));
    for (let i = 40; i < 80; i++) {
      s.subscribe(`room${i % 3}`, `u${i}`, JSON.stringify(sub(`u${i}`).json));
      expected.add(`room${i % 3}/u${i}`);
      if (i % 10 === 0) {
        s.unsubscribe(`room${(i - 5) % 3}`, `u${i - 5}`);
        expected.delete(`room${(i - 5) % 3}/u${i - 5}`);
      }
    }
    await s.store.flush();
    expect(names(await readStore(dir))).toEqual([...expected].sort());
    expect(await readdir(dir)).toEqual(['push-subscriptions.jsonl']);
  });

  it('a change appends one line instead of rewriting the file, and the log is compacted as it grows', async () => {
    const dir = await freshDir();
    const s = service(dir);
    for (const n of ['a', 'b', 'c']) s.subscribe('', n, sub(n).json);
    await s.store.flush();
    const before = await readFile(storeFile(dir), 'utf8');
    s.subscribe('', 'd', sub('d').json);
    await s.store.flush();
    const after = await readFile(storeFile(dir), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length).split('\n').filter(Boolean)).toHaveLength(1);
    // Churn on one name: the log stays within a small multiple of what it holds.
    for (let i = 0; i < 500; i++) s.subscribe('', 'churn', sub(`churn${i % 7}`).json);
    await s.store.flush();
    const j = await readStore(dir);
    expect(names(j)).toEqual(['/a', '/b', '/c', '/churn', '/d']);
    expect(j.lines).toBeLessThanOrEqual(2 * 5 + 64 + 1);
  });

  it('migrates the whole-file store of earlier versions and keeps the old file as .migrated', async () => {
    const dir = await freshDir();
    const entry = (name: string) => ({ room: '', name, subscription: sub(name).json, updatedAt: fixedNow - 1000 });
    const legacy = JSON.stringify({ version: 1, subscriptions: [entry('old1'), entry('old2')] });
    await writeFile(legacyFile(dir), legacy);
    const problems: ServerProblem[] = [];
    const s = service(dir, problems);
    expect(problems).toEqual([]);
    expect(s.subscriptionCount()).toBe(2);
    await s.store.flush();
    expect(names(await readStore(dir))).toEqual(['/old1', '/old2']);
    expect((await readdir(dir)).sort()).toEqual(['push-subscriptions.json.migrated', 'push-subscriptions.jsonl']);
    expect(await readFile(`${legacyFile(dir)}.migrated`, 'utf8')).toBe(legacy);
    await closeAll();
    expect(service(dir).isSubscribed('', 'old1')).toBe(true);
  });
});

describe('bounds', () => {
  it('one client address cannot fill the store: a quota per address, others unaffected', () => {
    const s = service(null, [], { subscriptionsPerAddress: 3 });
    for (const n of ['m1', 'm2', 'm3']) expect(s.subscribe('', n, sub(n).json, who('10.0.0.66'))).toEqual({ ok: true });
    expect(s.subscribe('', 'm4', sub('m4').json, who('10.0.0.66'))).toEqual({
      ok: false,
      code: 'push-refused',
      message: 'this device already made the maximum of 3 push subscriptions; unsubscribe some first',
    });
    expect(s.subscribe('', 'alice', sub('alice').json, who('10.0.0.7'))).toEqual({ ok: true });
    expect(s.unsubscribe('', 'm1')).toEqual({ ok: true });
    expect(s.subscribe('', 'm4', sub('m4').json, who('10.0.0.66'))).toEqual({ ok: true });
  });

  it('subscriptions nobody used for subscriptionTtlMs are deleted, on disk too; a push keeps one alive', async () => {
    const dir = await freshDir();
    let t = fixedNow;
    const day = 86_400_000;
    const s = service(dir, [], { now: () => t, subscriptionTtlMs: 10 * day });
    s.subscribe('', 'idle', sub('idle').json);
    s.subscribe('', 'active', sub('active').json);
    t += 6 * day;
    expect((await s.connectionRequest('', 'bob', 'active')).ok).toBe(true);
    t += 5 * day;
    expect(s.isSubscribed('', 'idle')).toBe(false);
    expect(s.isSubscribed('', 'active')).toBe(true);
    await s.store.flush();
    expect(names(await readStore(dir))).toEqual(['/active']);
  });
});

describe('damaged store files', () => {
  const aside = (dir: string) => `${storeFile(dir)}.corrupt-2026-11-26T11-33-45-123Z`;

  async function writeValidStore(dir: string, who: string[]): Promise<string> {
    const s = service(dir);
    for (const w of who) s.subscribe('', w, sub(w).json);
    await closeAll();
    return readFile(storeFile(dir), 'utf8');
  }

  it('a torn last line (a crash mid-append) is ignored silently and the log rewritten clean', async () => {
    const dir = await freshDir();
    const full = await writeValidStore(dir, ['a', 'b']);
    const torn = `${full}{"op":"put","entry":{"room":"","na`;
    await writeFile(storeFile(dir), torn);
    const problems: ServerProblem[] = [];
    const s = service(dir, problems);
    expect(problems).toEqual([]);
    expect(s.subscriptionCount()).toBe(2);
    await s.store.flush();
    expect(await readFile(storeFile(dir), 'utf8')).toBe(full);
    s.subscribe('', 'c', sub('c').json);
    await s.store.flush();
    expect(names(await readStore(dir))).toEqual(['/a', '/b', '/c']);
  });

  it('damaged lines inside the log are dropped, the valid ones kept and saved, the original kept aside', async () => {
    const dir = await freshDir();
    const lines = (await writeValidStore(dir, ['a', 'b', 'c'])).split('\n');
    const j = JSON.parse(lines[2]!) as { entry: { subscription: { keys: { auth: string } } } };
    j.entry.subscription.keys.auth = 'dG9vIHNob3J0'; // 9 bytes
    lines[2] = JSON.stringify(j);
    lines[3] = lines[3]!.slice(0, 10);
    const edited = lines.join('\n');
    await writeFile(storeFile(dir), edited);
    const problems: ServerProblem[] = [];
    const s = service(dir, problems);
    expect(problems).toEqual([
      {
        code: 'push-store-corrupt',
        message: `the push subscription store ${storeFile(dir)} was damaged: 2 of 4 lines were invalid and were dropped (the valid ones are kept). The original was moved to ${aside(dir)}; users whose subscriptions were lost must subscribe again`,
      },
    ]);
    expect(s.subscriptionCount()).toBe(1);
    await s.store.flush();
    expect(names(await readStore(dir))).toEqual(['/a']);
    expect(await readFile(aside(dir), 'utf8')).toBe(edited);
  });

  it('a file that is not a subscription log is set aside as a whole', async () => {
    const dir = await freshDir();
    await writeFile(storeFile(dir), '[1,2,3]\n');
    const problems: ServerProblem[] = [];
    service(dir, problems);
    expect(problems).toEqual([
      {
        code: 'push-store-corrupt',
        message: `the push subscription store ${storeFile(dir)} was damaged: it is not a rustysignal push subscription log (version 2). The original was moved to ${aside(dir)}; users whose subscriptions were lost must subscribe again`,
      },
    ]);
    expect(await readdir(dir)).toEqual([path.basename(aside(dir))]);
  });

  it('a temp file left by a crashed compaction is ignored and removed; the last complete log is read', async () => {
    const dir = await freshDir();
    const full = await writeValidStore(dir, ['a', 'b']);
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    const leftover = `${storeFile(dir)}.tmp-${dead.pid}-7`;
    await writeFile(leftover, full.slice(0, 20));
    const alive = `${storeFile(dir)}.tmp-${process.ppid}-1`; // a live process: maybe mid-write, keep it
    await writeFile(alive, '{');
    const problems: ServerProblem[] = [];
    const s = service(dir, problems);
    expect(problems).toEqual([]);
    expect(s.subscriptionCount()).toBe(2);
    await s.store.flush();
    expect((await readdir(dir)).sort()).toEqual(['push-subscriptions.jsonl', path.basename(alive)]);
  });

  it('an unreadable store is reported and never overwritten; push keeps working in memory', async () => {
    const dir = await freshDir();
    await mkdir(storeFile(dir)); // a directory where the file should be
    const problems: ServerProblem[] = [];
    const s = service(dir, problems);
    expect(problems).toEqual([
      {
        code: 'push-store-corrupt',
        message: `could not read the push subscription store ${storeFile(dir)} (EISDIR); push subscriptions are kept in memory only until it is fixed`,
      },
    ]);
    expect(s.store.file).toBe(null);
    expect(s.subscribe('', 'a', sub('a').json)).toEqual({ ok: true });
    await s.store.flush();
    expect((await stat(storeFile(dir))).isDirectory()).toBe(true);
  });

  it('a failing save is reported once per streak, and the next good save catches up', async () => {
    const dir = await freshDir();
    const problems: ServerProblem[] = [];
    const s = service(dir, problems);
    await rm(dir, { recursive: true });
    s.subscribe('', 'a', sub('a').json);
    await s.store.flush();
    s.subscribe('', 'b', sub('b').json);
    await s.store.flush();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe('push-failed');
    expect(problems[0]!.message).toMatch(
      new RegExp(
        `^could not save push subscriptions to ${escape(storeFile(dir))} \\(ENOENT: .+\\): they are kept in memory until the next change is saved; check the data directory's permissions and free space$`,
      ),
    );
    await mkdir(dir);
    s.subscribe('', 'c', sub('c').json);
    await s.store.flush();
    expect(names(await readStore(dir))).toEqual(['/a', '/b', '/c']);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
