// `npm start`'s launcher: one clear line when the Electron binary is missing, and the app launched with
// the project folder when it is there.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const script = path.resolve('scripts/start.mjs');
let dist: string;
beforeEach(() => {
  dist = mkdtempSync(path.join(os.tmpdir(), 'rs-electron-'));
});
afterEach(() => rmSync(dist, { recursive: true, force: true }));

const run = (args: string[] = []) =>
  spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist },
    timeout: 10_000,
  });

describe('scripts/start.mjs', () => {
  it('prints one line and exits 1 when the Electron binary is missing', () => {
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "Electron's binary is not installed here and could not be downloaded (it needs internet once); run the headless server instead: npm run serve\n",
    );
  });

  it('launches Electron with the project folder and passes arguments and the exit code through', () => {
    const fake = path.join(dist, 'electron');
    writeFileSync(fake, `#!/bin/sh\necho "electron $*"\nexit 7\n`);
    chmodSync(fake, 0o755);
    const r = run(['--hidden']);
    expect(r.stdout).toBe(`electron ${path.resolve('.')} --hidden\n`);
    expect(r.status).toBe(7);
  });
});
