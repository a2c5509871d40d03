#!/usr/bin/env node
// Runs @doyensec/electronegativity over the desktop shell (main/app plus the page it loads) and fails on
// any finding not justified in .electronegativity/justified.md. The tool exits 0 whatever it finds, so
// this gates on its CSV output. It also tries the network (translations, Electron releases): this
// script re-runs itself in a fresh network namespace without a route when it is not in one already.
//   node .electronegativity/run.mjs [--keep DIR] [--input DIR]     (exit 0: clean; 1: unjustified findings or tool failure)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findingsFromCsv, gate, readJustified } from './gate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep') ? path.resolve(args[args.indexOf('--keep') + 1] ?? 'electronegativity-out') : null;
// --input DIR scans DIR instead of main/app (to see the gate catch something).
const input = args.includes('--input') ? path.resolve(args[args.indexOf('--input') + 1] ?? '.') : null;

if (process.env.RUSTYSIGNAL_TEST_NETNS !== '1' && process.env.RUSTYSIGNAL_ELECTRONEGATIVITY_NETNS !== '1') {
  if (process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0) {
    console.error(
      'electronegativity tries the internet; run this as root (it isolates itself with unshare --net) or inside npm test',
    );
    process.exit(1);
  }
  const r = spawnSync(
    'unshare',
    [
      '--net',
      '--',
      'sh',
      '-c',
      'ip link set lo up && exec "$@"',
      'sh',
      process.execPath,
      fileURLToPath(import.meta.url),
      ...args,
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, RUSTYSIGNAL_ELECTRONEGATIVITY_NETNS: '1' },
    },
  );
  process.exit(r.status ?? 1);
}

// Stage what runs in Electron: the main-process sources and the dashboard page (for its CSP meta tag).
const stage = mkdtempSync(path.join(os.tmpdir(), 'rs-electronegativity-'));
const src = path.join(stage, 'app');
mkdirSync(src);
for (const f of readdirSync(path.join(root, 'main', 'app')))
  if (/\.(ts|cts)$/.test(f)) copyFileSync(path.join(root, 'main', 'app', f), path.join(src, f));
const page = [
  path.join(root, 'dist', 'renderer', 'dashboard', 'index.html'),
  path.join(root, 'renderer', 'dashboard', 'index.html'),
].find(existsSync);
if (page) copyFileSync(page, path.join(src, 'index.html'));

const electronVersion = JSON.parse(
  readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
).version;
const out = path.join(stage, 'out.csv');
const tool = path.join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
const r = spawnSync(
  process.execPath,
  [
    '--require',
    path.join(here, 'commander-shim.cjs'),
    '--require',
    path.join(here, 'ordered-writes-shim.cjs'),
    tool,
    '-i',
    input ?? src,
    '-r',
    '-e',
    electronVersion,
    '-o',
    out,
  ],
  { cwd: root, encoding: 'utf8', timeout: 120_000 },
);
if (!existsSync(out)) {
  console.error(`electronegativity produced no report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  process.exit(1);
}
let findings;
try {
  findings = findingsFromCsv(readFileSync(out, 'utf8'));
} catch (e) {
  console.error(`${e.message}:\n${readFileSync(out, 'utf8')}`);
  process.exit(1);
}
const { bad, unused } = gate(findings, readJustified(readFileSync(path.join(here, 'justified.md'), 'utf8')));
if (keep) {
  mkdirSync(keep, { recursive: true });
  copyFileSync(out, path.join(keep, 'electronegativity.csv'));
}
rmSync(stage, { recursive: true, force: true });
for (const a of unused) console.log(`note: justified entry no longer found: ${a.check} ${a.file} "${a.sample}"`);
for (const f of bad) console.log(`UNJUSTIFIED ${f.check} (${f.severity}) ${f.file}:${f.location} ${f.sample}`);
console.log(
  `electronegativity ${electronVersion}: ${findings.length} findings, ${findings.length - bad.length} justified, ${bad.length} unjustified`,
);
process.exit(bad.length === 0 ? 0 : 1);
