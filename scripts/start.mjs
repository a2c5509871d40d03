#!/usr/bin/env node
// `npm start` (after the build): launches the desktop app with the Electron binary from node_modules.
// Electron fetches its binary lazily; when it is not there this says so in one line, instead of the
// download attempt and stack trace `require('electron')` would produce.
import { spawn } from 'node:child_process';
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

const bin = electronBinary();
if (!existsSync(pkg)) {
  console.error('Electron is not installed here (run `npm install`); run the headless server instead: npx rustysignal');
  process.exit(1);
}
if (!bin) {
  console.error(
    "Electron's binary is not installed here (it downloads once with internet: node node_modules/electron/install.js); run the headless server instead: npx rustysignal",
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
  console.error(`Electron could not be started (${err.message}); run the headless server instead: npx rustysignal`);
  process.exit(1);
});
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
