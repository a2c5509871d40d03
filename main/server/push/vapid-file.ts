// VAPID key files for the CLI and the desktop app: create one (never clobbering a key by accident,
// since every stored subscription depends on it) and load one with errors that name the file.
import { readFile, writeFile } from 'node:fs/promises';
import { generateVapidKey, parseVapidPrivateKey, VapidError, type VapidKeys } from './vapid.js';

/** A loaded key file: the PEM text (for PushOptions.vapidPrivateKeyPem) and the derived keys. */
export interface VapidKeyFile extends VapidKeys {
  pem: string;
}

/**
 * Writes a new P-256 key as SEC1 PEM ("EC PRIVATE KEY") to `outPath` with mode 0600 and returns its
 * public key (base64url). Refuses to replace an existing file unless `overwrite` is true.
 */
export async function generateVapidKeyFile(outPath: string, opts: { overwrite?: boolean } = {}): Promise<string> {
  const key = generateVapidKey();
  try {
    await writeFile(outPath, key.pem, { mode: 0o600, flag: opts.overwrite ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new VapidError(
        `${outPath} already exists: it may be the key your users subscribed with; choose another file or pass --force to replace it`,
      );
    }
    throw new VapidError(`could not write the VAPID key to ${outPath} (${code ?? (e as Error).message})`);
  }
  return key.publicKey;
}

/** Reads a PEM EC P-256 private key from `path`. Throws VapidError naming the file and what is wrong. */
export async function loadVapidKeyFile(path: string): Promise<VapidKeyFile> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new VapidError(
        `VAPID key file ${path} does not exist: create one with "rustysignal vapid generate --out ${path}"`,
      );
    throw new VapidError(`could not read VAPID key file ${path} (${code ?? (e as Error).message})`);
  }
  try {
    return { pem, ...parseVapidPrivateKey(pem) };
  } catch (e) {
    throw new VapidError(`${path}: ${(e as Error).message}`);
  }
}
