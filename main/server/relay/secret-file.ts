// The TURN secret of a headless server: generated once and kept in the data directory (mode 0600), so
// credentials minted before a restart stay valid after it.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

export const TURN_SECRET_FILE = 'turn-secret';

/** Reads the secret from `dataDir`, or makes and stores a new one (32 random bytes, base64url). */
export async function loadOrCreateTurnSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, TURN_SECRET_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (text.length >= 16) return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${secret}\n`);
  return secret;
}
