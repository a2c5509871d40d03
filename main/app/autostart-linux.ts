// Start at login on Linux: an XDG autostart entry (~/.config/autostart/NAME.desktop), which GNOME, KDE,
// Xfce and most other desktops honour. Electron's login-item API covers macOS and Windows only.
import { mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../server/atomic-file.js';
import type { LoginItem } from '../ipc/deps.js';

export interface AutostartOptions {
  /** Desktop file base name, e.g. `rustysignal`. */
  name: string;
  /** Shown by session managers. */
  displayName: string;
  /** The program to run; inside an AppImage pass $APPIMAGE (the mounted path changes each run). */
  exec: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  homedir?: string;
}

/** `$XDG_CONFIG_HOME/autostart` (default `~/.config/autostart`). */
export function autostartDir(env: NodeJS.ProcessEnv = process.env, homedir = os.homedir()): string {
  const base =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir, '.config');
  return path.join(base, 'autostart');
}

/** Quotes one Exec argument as the Desktop Entry spec requires. */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'`$\\<>~|&;*?#()]/.test(escaped) && escaped !== '') return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The .desktop file text for the entry. */
export function desktopEntry(o: AutostartOptions): string {
  const exec = [o.exec, ...(o.args ?? [])].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${o.displayName}`,
    'Comment=WebRTC signaling server for the local network',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** True when the entry text would start the program (not `Hidden=true`, not disabled for GNOME). */
export function entryEnabled(text: string): boolean {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  return !lines.includes('Hidden=true') && !lines.includes('X-GNOME-Autostart-enabled=false');
}

/** A LoginItem backed by the XDG autostart entry; `get` reads the file every time. */
export function linuxAutostart(o: AutostartOptions): LoginItem & { readonly file: string } {
  const file = path.join(autostartDir(o.env, o.homedir), `${o.name}.desktop`);
  return {
    file,
    async get() {
      try {
        return entryEnabled(await readFile(file, 'utf8'));
      } catch {
        return false;
      }
    },
    async set(enabled) {
      if (!enabled) return rm(file, { force: true });
      await mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, desktopEntry(o), { mode: 0o644 });
    },
  };
}
