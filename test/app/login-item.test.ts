// Start at login: the XDG autostart entry on Linux (real files in a temp HOME), Electron's login-item API
// elsewhere (electron double), and the safeStorage encryptor's fallback.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  autostartDir,
  desktopEntry,
  entryEnabled,
  linuxAutostart,
  quoteExecArg,
} from '../../main/app/autostart-linux.js';
import { recorded, resetElectronDouble } from '../support/electron-double.js';

vi.mock('electron', async () => (await import('../support/electron-double.js')).electronModule());
const { loginItem } = await import('../../main/app/login-item.js');
const { safeStorageEncryptor } = await import('../../main/app/safe-storage.js');

let home: string;
beforeEach(() => {
  resetElectronDouble();
  home = mkdtempSync(path.join(os.tmpdir(), 'rs-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('XDG autostart', () => {
  it('follows XDG_CONFIG_HOME when absolute, else ~/.config', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/autostart');
    expect(autostartDir({}, '/home/u')).toBe('/home/u/.config/autostart');
  });

  it('quotes Exec arguments as the Desktop Entry spec says', () => {
    expect(quoteExecArg('/opt/rustysignal/rustysignal')).toBe('/opt/rustysignal/rustysignal');
    expect(quoteExecArg('/home/me/My Apps/rs.AppImage')).toBe('"/home/me/My Apps/rs.AppImage"');
    expect(quoteExecArg('a"b$c`d\\e')).toBe('"a\\"b\\$c\\`d\\\\e"');
    expect(quoteExecArg('100%')).toBe('100%%');
    expect(quoteExecArg('')).toBe('""');
  });

  it('writes, reads fresh and removes the entry', async () => {
    const item = linuxAutostart({
      name: 'rustysignal',
      displayName: 'rustysignal',
      exec: '/apps/rs app/rs.AppImage',
      args: ['--hidden'],
      env: {},
      homedir: home,
    });
    expect(item.file).toBe(path.join(home, '.config', 'autostart', 'rustysignal.desktop'));
    expect(await item.get()).toBe(false);
    await item.set(true);
    expect(await item.get()).toBe(true);
    expect(readFileSync(item.file, 'utf8')).toBe(
      desktopEntry({
        name: 'rustysignal',
        displayName: 'rustysignal',
        exec: '/apps/rs app/rs.AppImage',
        args: ['--hidden'],
      }),
    );
    expect(readFileSync(item.file, 'utf8')).toContain('Exec="/apps/rs app/rs.AppImage" --hidden\n');
    // The user turns it off in their desktop's settings: we see it the next time we look.
    writeFileSync(
      item.file,
      readFileSync(item.file, 'utf8').replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'),
    );
    expect(await item.get()).toBe(false);
    await item.set(false);
    expect(await item.get()).toBe(false);
    await item.set(false); // removing twice is fine
    expect(entryEnabled('[Desktop Entry]\nHidden=true\n')).toBe(false);
  });
});

describe('login item per platform', () => {
  it('uses the autostart entry on Linux, with $APPIMAGE as the program when packaged as an AppImage', async () => {
    vi.stubEnv('XDG_CONFIG_HOME', home);
    vi.stubEnv('APPIMAGE', '/apps/rustysignal.AppImage');
    try {
      const item = loginItem('linux');
      await item.set(true);
      const text = readFileSync(path.join(home, 'autostart', 'rustysignal.desktop'), 'utf8');
      expect(text).toContain('Exec=/apps/rustysignal.AppImage /app --hidden\n');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("uses Electron's login-item settings on macOS and Windows", async () => {
    const item = loginItem('win32');
    expect(await item.get()).toBe(false);
    await item.set(true);
    expect(recorded.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'] });
    expect(await item.get()).toBe(true);
  });
});

describe('safeStorage encryptor', () => {
  it('encrypts with the keychain when there is one', () => {
    const e = safeStorageEncryptor('/cfg/settings.json');
    expect(e.available).toBe(true);
    const c = e.encrypt('secret');
    expect(c).not.toContain('secret');
    expect(e.decrypt(c)).toBe('secret');
  });

  it("treats Linux's basic_text backend and a missing keychain as unavailable, saying where secrets are", () => {
    if (process.platform === 'linux') {
      recorded.storageBackend = 'basic_text';
      const e = safeStorageEncryptor('/cfg/settings.json');
      expect(e.available).toBe(false);
      expect(e.unavailableMessage).toBe(
        'No system keychain is available (install and unlock GNOME Keyring or KWallet), so the TLS key, push key and access key are stored unencrypted in /cfg/settings.json, readable by your user account only.',
      );
    }
    recorded.storageBackend = 'gnome_libsecret';
    recorded.encryptionAvailable = false;
    expect(safeStorageEncryptor('/cfg/settings.json').available).toBe(false);
  });
});
