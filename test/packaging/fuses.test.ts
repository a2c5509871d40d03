// Finding 14: the packaged app's Electron is current and its fuses are set by electron-builder (the
// binary cannot be downloaded here, so the config is what is checked).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const root = path.resolve('.');

describe('Electron hardening', () => {
  it('sets the fuses: no run-as-node, NODE_OPTIONS or inspect; code only from an integrity-checked asar', () => {
    const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('does not rebuild native modules for installers: bufferutil ships N-API prebuilds', () => {
    const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    expect(config.npmRebuild).toBe(false);
    const prebuilds = readdirSync(path.join(root, 'node_modules', 'bufferutil', 'prebuilds'));
    for (const platform of ['darwin-arm64', 'darwin-x64', 'linux-x64', 'win32-x64'])
      expect(prebuilds).toContain(platform);
  });

  it('pins Electron 45.5.0 or later in the 45 line', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<
      'dependencies' | 'devDependencies',
      Record<string, string> | undefined
    >;
    const v = pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '';
    const [major, minor] = v.split('.').map(Number);
    expect(major).toBe(45);
    expect(minor).toBeGreaterThanOrEqual(5);
    expect((require('electron/package.json') as { version: string }).version).toBe(v);
  });
});
