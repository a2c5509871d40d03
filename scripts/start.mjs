#!/usr/bin/env node
// `npm start` (after the build): launches the desktop app with the Electron binary from node_modules.
// Electron fetches its binary lazily; when it is not there this says so in one line, instead of the
// download attempt and stack trace `require('electron')` would produce.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'node_modules', 'electron');

/** The Electron executable electron's own index.js would use, or null when it is not on disk. */
function electronBinary() {
  const pathFile = path.join(pkg, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = dist ? path.join(dist, rel || 'electron') : rel ? path.join(pkg, 'dist', rel) : null;
  return bin && existsSync(bin) ? bin : null;
}

const headless = 'run the headless server instead: npm run serve';
if (!existsSync(pkg)) {
  console.error(`Electron is not installed here (run \`npm install\`); ${headless}`);
  process.exit(1);
}
let bin = electronBinary();
// electron fetches its binary on first use. Try that once, quietly (its own failure is a stack trace),
// unless downloads are turned off or a local Electron build is named.
if (!bin && !process.env.ELECTRON_OVERRIDE_DIST_PATH && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log("Downloading Electron's binary (first start only)...");
  spawnSync(process.execPath, [path.join(pkg, 'install.js')], { stdio: 'ignore', timeout: 600_000 });
  bin = electronBinary();
}
if (!bin) {
  console.error(
    `Electron's binary is not installed here and could not be downloaded (it needs internet once); ${headless}`,
  );
  process.exit(1);
}
if (!existsSync(path.join(root, 'dist', 'main', 'app', 'main.js'))) {
  console.error('The app is not built: run `npm run build` first (npm start does it for you)');
  process.exit(1);
}

const child = spawn(bin, [root, ...process.argv.slice(2)], { stdio: 'inherit', windowsHide: false });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (err) => {
  console.error(`Electron could not be started (${err.message}); ${headless}`);
  process.exit(1);
});
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
