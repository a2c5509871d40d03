#!/usr/bin/env node
// Runs every test inside a fresh loopback-only network namespace (when root), so nothing a test
// does (mDNS, Chromium, tools that try the internet) can leave the machine, then prints one honest
// "N passed, N failed, N skipped" line from vitest's JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const isolated = process.env.RUSTYSIGNAL_TEST_NETNS === '1';
const canIsolate = process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0;

if (!isolated && canIsolate) {
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
    { stdio: 'inherit', env: { ...process.env, RUSTYSIGNAL_TEST_NETNS: '1' } },
  );
  process.exit(r.status ?? 1);
}
if (!isolated) {
  const why = canIsolate ? 'unknown' : 'not root or no unshare(1)';
  if (process.env.CI === 'true') {
    console.error(`tests must run in an isolated network namespace under CI, and could not (${why})`);
    process.exit(1);
  }
  console.warn(`note: not isolated in a network namespace (${why}); tests that need one will skip and say so`);
}

const outDir = path.join(root, 'test-artifacts');
mkdirSync(outDir, { recursive: true });
// One report per run: two runs side by side must not read each other's counts.
const report = path.join(outDir, `vitest-report-${process.pid}.json`);
rmSync(report, { force: true });
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
  { stdio: 'inherit', cwd: root },
);
if (!existsSync(report)) {
  console.log('0 passed, 1 failed');
  process.exit(r.status || 1);
}
const j = JSON.parse(readFileSync(report, 'utf8'));
const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
// A file that failed outside its tests (import error, beforeAll) has no failed test: count the file.
const failedSuites = (j.testResults ?? []).filter(
  (t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
console.log(`${j.numPassedTests} passed, ${j.numFailedTests + failedSuites} failed, ${skipped} skipped`);
rmSync(report, { force: true });
process.exit(r.status ?? 1);
