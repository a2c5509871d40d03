// `rustysignal ca show` and `rustysignal ca export`: the local CA that `--tls auto` created in a data dir.
import { writeFile } from 'node:fs/promises';
import { caDer, describeCa } from './certs/ca.js';
import { caPaths, readCaCert } from './certs/ca-files.js';

/** Prints the CA's fingerprint, constraints and validity. */
export async function runCaShow(dataDir: string, json: boolean, out: (s: string) => void): Promise<void> {
  const pem = await readCaCert(dataDir);
  const d = describeCa(pem);
  if (json) return out(`${JSON.stringify({ file: caPaths(dataDir).cert, ...d })}\n`);
  out(
    [
      `local CA: ${caPaths(dataDir).cert}`,
      `subject:  ${d.subject}`,
      `SHA-256:  ${d.fingerprint256}`,
      `valid:    ${d.validFrom.slice(0, 10)} to ${d.validTo.slice(0, 10)}`,
      `may certify names: ${d.constraints.dns.map((n) => (n === 'localhost' ? n : `*.${n}`)).join(', ')}`,
      `may certify addresses: ${d.constraints.ip.join(', ')}`,
      '',
    ].join('\n'),
  );
}

/** Writes the CA certificate to `file`: DER for .crt/.cer/.der, else PEM. Refuses to overwrite unless `force`. */
export async function runCaExport(dataDir: string, file: string, force: boolean): Promise<string> {
  const pem = await readCaCert(dataDir);
  const der = /\.(crt|cer|der)$/i.test(file);
  try {
    await writeFile(file, der ? caDer(pem) : pem, { flag: force ? 'w' : 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`${file} already exists: choose another file or add --force`, { cause: err });
    throw new Error(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
  return `wrote the local CA (${der ? 'DER' : 'PEM'}) to ${file}\nSHA-256: ${describeCa(pem).fingerprint256}\n`;
}
