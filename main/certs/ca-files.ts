// The CLI's copy of the local CA, in its data dir: `ca/ca.pem` (the certificate, public) and
// `ca/ca-key.pem` (the key, mode 0600 in a 0700 directory; encrypted PKCS#8 when
// RUSTYSIGNAL_CA_PASSPHRASE is set). The desktop app keeps its CA in the settings file instead, sealed
// with the OS keychain.
import { createPrivateKey } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../server/atomic-file.js';
import { CaFileError } from './ca-file-error.js';
import { createLocalCa, type CertAndKey } from './ca.js';

export { CaFileError };

export const caPaths = (dataDir: string) => {
  const dir = path.join(dataDir, 'ca');
  return { dir, cert: path.join(dir, 'ca.pem'), key: path.join(dir, 'ca-key.pem') };
};

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CaFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The CA certificate (PEM) of `dataDir`; throws CaFileError when there is none. */
export async function readCaCert(dataDir: string): Promise<string> {
  const p = caPaths(dataDir);
  const cert = await readText(p.cert);
  if (cert === null)
    throw new CaFileError(
      `no local CA in ${p.dir}: start the server once with --tls auto${dataDir ? ` --data-dir ${dataDir}` : ''} to create it`,
    );
  return cert;
}

/**
 * The CA of `dataDir`, created on first use. `passphrase` encrypts the key file (AES-256) and is needed to
 * open it again. `label` names the CA for people (the `.local` label).
 */
export async function loadOrCreateCa(
  dataDir: string,
  label: string,
  passphrase?: string,
): Promise<{ ca: CertAndKey; created: boolean }> {
  const p = caPaths(dataDir);
  const [cert, keyText] = [await readText(p.cert), await readText(p.key)];
  if (cert !== null && keyText !== null) {
    try {
      const key = createPrivateKey(passphrase === undefined ? keyText : { key: keyText, passphrase })
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
      return { ca: { cert, key }, created: false };
    } catch {
      throw new CaFileError(
        /ENCRYPTED/.test(keyText)
          ? `the CA key ${p.key} is encrypted: set RUSTYSIGNAL_CA_PASSPHRASE to the passphrase it was created with`
          : `the CA key ${p.key} cannot be read: restore it from a backup, or delete ${p.dir} to create a new CA (every device must then trust the new one)`,
      );
    }
  }
  if (cert !== null || keyText !== null)
    throw new CaFileError(
      `${p.dir} holds only half of the CA (${cert === null ? 'ca.pem' : 'ca-key.pem'} is missing): restore it, or delete the directory to create a new CA`,
    );
  const ca = await createLocalCa(label);
  const keyOut =
    passphrase === undefined
      ? ca.key
      : createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  await chmod(p.dir, 0o700);
  await writeFileAtomic(p.key, keyOut); // 0600
  await writeFileAtomic(p.cert, ca.cert);
  await chmod(p.cert, 0o644);
  return { ca, created: true };
}
