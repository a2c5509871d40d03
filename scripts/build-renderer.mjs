#!/usr/bin/env node
// Builds each browser bundle (dashboard, web client) with its own Vite config into dist/renderer/.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
for (const app of ['dashboard', 'web-client']) {
  const config = path.join(root, 'renderer', app, 'vite.config.ts');
  if (!existsSync(config)) continue;
  const r = spawnSync(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], {
    stdio: 'inherit',
    cwd: root,
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
