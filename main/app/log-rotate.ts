// Log rotation for the app log: when the file is full it becomes NAME.1.log, older archives shift up,
// and the oldest beyond `keep` is deleted. Plain Node; electron-log calls it as its archiveLogFn.
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/** The archive path number `n` for `file` (`main.log` -> `main.1.log`). */
export function archiveName(file: string, n: number): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.${n}${ext}`);
}

/** Shifts `file` into the archives, keeping at most `keep` (default 5). Missing archives are skipped. */
export function rotateLogFiles(file: string, keep = 5): void {
  rmSync(archiveName(file, keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    try {
      renameSync(archiveName(file, n), archiveName(file, n + 1));
    } catch {
      // that archive does not exist yet
    }
  }
  try {
    renameSync(file, archiveName(file, 1));
  } catch {
    // nothing to archive
  }
}
