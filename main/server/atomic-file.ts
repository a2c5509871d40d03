// Crash-safe replacement of a small file: write a temp file beside it, fsync, rename over the target,
// fsync the directory. A crash at any point leaves either the old or the new content, never a mix.
// The one way the tree writes a file atomically (settings, push subscriptions, CA, TURN secret, autostart
// entry). Not the write-file-atomic package: it does not fsync the directory, and its temp names carry no
// process id, so the temp files of a crashed writer could not be told from a live one's.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

let counter = 0;
const tempMarker = '.tmp-';
const tempName = (file: string) => `${file}${tempMarker}${process.pid}-${++counter}`;

export interface AtomicWriteOptions {
  /** Permission bits of the new file; default 0600 (the files it writes may hold secrets). */
  mode?: number;
}

/** Replaces `file` with `text` atomically. Rejects on I/O errors; the target is then unchanged. */
export async function writeFileAtomic(file: string, text: string, opts: AtomicWriteOptions = {}): Promise<void> {
  const tmp = tempName(file);
  try {
    const fh = await open(tmp, 'wx', opts.mode ?? 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDirectory(path.dirname(file));
}

/** writeFileAtomic for callers that must finish before returning (the settings store). Throws on I/O errors. */
export function writeFileAtomicSync(file: string, text: string, opts: AtomicWriteOptions = {}): void {
  const tmp = tempName(file);
  try {
    const fd = openSync(tmp, 'wx', opts.mode ?? 0o600);
    try {
      writeFileSync(fd, text, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  let fd: number | undefined;
  try {
    fd = openSync(path.dirname(file), 'r');
    fsyncSync(fd);
  } catch {
    // As in syncDirectory.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// Without this the rename may not survive a power loss on some file systems (ext4 without auto_da_alloc).
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    await fh?.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files that a crashed writer of `file` left behind (those of live processes are kept).
 * Returns the names removed.
 */
export async function removeStaleTempFiles(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const prefix = path.basename(file) + tempMarker;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => {
    if (!n.startsWith(prefix)) return false;
    const pid = Number(n.slice(prefix.length).split('-')[0]);
    return !Number.isInteger(pid) || pid === process.pid ? false : !isAlive(pid);
  });
  await Promise.all(stale.map((n) => rm(path.join(dir, n), { force: true })));
  return stale;
}
