// Packaging, as far as it can be checked without the Electron binary: electron-builder validates the
// config against its schema, and a Linux `dir` build (a stand-in Electron via electronDist) yields an
// app.asar holding exactly the runtime files: compiled main, built renderer, tray icons, package.json
// and the production dependency tree, nothing else.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isIsolated } from '../support/netns.js';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as typeof import('@electron/asar');
const root = path.resolve('.');
const builder = path.join(root, 'node_modules', 'electron-builder', 'cli.js');

// electron-builder looks things up on the internet when it lacks something: only run where nothing can leave.
const runnable = isIsolated;
if (!runnable) {
  if (process.env.CI === 'true')
    throw new Error("packaging tests must run inside npm test's network namespace under CI");
  console.warn("skipping packaging tests: not inside npm test's network namespace");
}

const fuseSentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rs-pack-'));
  mkdirSync(path.join(tmp, 'electron'));
  // A stand-in that carries a fuse wire as Electron 45 ships it (v1, 8 fuses, defaults), so electron-builder
  // can flip the fuses the config asks for and the test can read them back.
  writeFileSync(path.join(tmp, 'electron', 'electron'), `#!/bin/sh\nexit 0\n#${fuseSentinel}\x01\x08${'10110001'}\n`);
  chmodSync(path.join(tmp, 'electron', 'electron'), 0o755);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function build(extra: string[]) {
  return spawnSync(
    process.execPath,
    [
      builder,
      '--linux',
      'dir',
      `-c.electronDist=${path.join(tmp, 'electron')}`,
      `-c.directories.output=${path.join(tmp, 'out')}`,
      '-c.npmRebuild=false',
      ...extra,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, CI: 'true' },
    },
  );
}

function walk(dir: string, prefix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}/${e.name}`) : [`${prefix}/${e.name}`],
  );
}

/** Where Node would find package `name` when required from the package folder `from`. */
function resolvePackage(from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const cand = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(cand, 'package.json'))) return cand;
    if (dir === root) return null;
    // Climb to the enclosing package: strip the last `/node_modules/<pkg>`.
    const i = dir.lastIndexOf(`${path.sep}node_modules${path.sep}`);
    dir = i < 0 ? root : dir.slice(0, i);
  }
}

/** name@version of every package production code can load: dependencies, transitively, as npm installed them. */
const manifest = z.object({
  name: z.string(),
  version: z.string(),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
});
/** The fields of a package.json the tree walk reads (checked: any installed package could be malformed). */
function readManifest(dir: string): z.infer<typeof manifest> {
  return manifest.parse(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')));
}

function productionTree(): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (from: string, name: string, optional: boolean) => {
    const dir = resolvePackage(from, name);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} (needed from ${from}) is not installed`);
    }
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = readManifest(dir);
    out.add(`${pkg.name}@${pkg.version}`);
    for (const d of Object.keys(pkg.dependencies ?? {})) visit(dir, d, false);
    for (const d of Object.keys(pkg.optionalDependencies ?? {})) visit(dir, d, true);
  };
  const pkg = readManifest(root);
  for (const d of Object.keys(pkg.dependencies ?? {})) visit(root, d, false);
  for (const d of Object.keys(pkg.optionalDependencies ?? {})) visit(root, d, true);
  return out;
}

describe.runIf(runnable)('electron-builder', () => {
  it('rejects a config that does not match its schema (so the real one is really validated)', () => {
    const bad = path.join(tmp, 'bad.yml');
    writeFileSync(bad, `${readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')}\nnotAnOption: true\n`);
    const r = build(['--config', bad]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('Invalid configuration object');
  }, 150_000);

  it('builds an app.asar with exactly the runtime files', () => {
    expect(existsSync(path.join(root, 'dist', 'main', 'app', 'main.js')), 'run `npm run build` first').toBe(true);
    const r = build([]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const archive = path.join(tmp, 'out', 'linux-unpacked', 'resources', 'app.asar');
    expect(existsSync(path.join(tmp, 'out', 'linux-unpacked', 'rustysignal'))).toBe(true);
    // The fuses were flipped in the packaged binary: run-as-node, cookie encryption (untouched), NODE_OPTIONS,
    // inspect off; asar integrity and asar-only on; V8 snapshot untouched; file:// privileges off.
    const bin = readFileSync(path.join(tmp, 'out', 'linux-unpacked', 'rustysignal'), 'latin1');
    const wire = bin.indexOf(fuseSentinel) + fuseSentinel.length;
    expect(bin.slice(wire + 2, wire + 10)).toBe('00001100');

    const entries = asar.listPackage(archive, { isPack: false });
    const files = entries.filter((p) => !('files' in (asar.statFile(archive, p.slice(1)) as object)));
    const own = files.filter((p) => !p.startsWith('/node_modules/')).sort();
    const expected = [
      '/package.json',
      ...walk(path.join(root, 'dist', 'main'), '/dist/main'),
      ...walk(path.join(root, 'dist', 'renderer'), '/dist/renderer'),
      ...walk(path.join(root, 'assets', 'tray'), '/assets/tray'),
    ]
      .filter((p) => !p.endsWith('.map') && !/\.d\.c?ts$/.test(p))
      .sort();
    expect(own).toEqual(expected);
    for (const must of [
      '/dist/main/app/main.js',
      '/dist/main/app/preload.cjs',
      '/dist/main/cli.js',
      '/assets/tray/runningTemplate@2x.png',
    ])
      expect(own).toContain(must);
    expect(own.filter((p) => /\.(ts|cts|mts)$/.test(p) || p.startsWith('/test/') || p.startsWith('/main/'))).toEqual(
      [],
    );

    const packaged = new Set(
      files
        .filter((p) => /\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(p))
        .map((p) => JSON.parse(asar.extractFile(archive, p.slice(1)).toString()) as { name?: string; version?: string })
        .filter((pkg) => pkg.name && pkg.version)
        .map((pkg) => `${pkg.name}@${pkg.version}`),
    );
    expect([...packaged].sort()).toEqual([...productionTree()].sort());
    for (const dev of ['electron', 'typescript', 'vitest', 'vite', 'playwright-core', 'electron-builder', 'lit']) {
      expect(
        [...packaged].some((p) => p.startsWith(`${dev}@`)),
        dev,
      ).toBe(false);
    }
    expect(statSync(archive).size).toBeGreaterThan(100_000);
  }, 150_000);
});
