// Debian's avahi (an independent mDNS/DNS-SD implementation) for tests: a system D-Bus, one avahi-daemon
// inside a test host's namespace, and the avahi-browse / avahi-publish clients. The clients talk to the
// daemon over D-Bus only, so they may run in any namespace; all multicast stays in the daemon's.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Host } from './netns.js';

const PID_FILE = '/run/dbus/pid';

function busAnswers(): boolean {
  return spawnSync('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetId'], { stdio: 'ignore', timeout: 5000 }).status === 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export interface SystemBus {
  /** False when a system bus was already running (then stop() leaves it alone). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

/** Starts a system D-Bus unless one answers already; avahi-daemon needs one. */
export function ensureSystemBus(): SystemBus {
  if (busAnswers()) return { startedHere: false, stop: async () => {} };
  mkdirSync('/run/dbus', { recursive: true });
  // A pid file left by a bus that is gone would stop dbus-daemon from starting.
  if (existsSync(PID_FILE) && !alive(Number(readFileSync(PID_FILE, 'utf8').trim()))) rmSync(PID_FILE);
  const pid = Number(execFileSync('dbus-daemon', ['--system', '--fork', '--print-pid'], { encoding: 'utf8', timeout: 10_000 }).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('dbus-daemon did not print its pid');
  return {
    startedHere: true,
    async stop() {
      if (alive(pid)) process.kill(pid, 'SIGTERM');
      await waitGone(pid, 3000);
      rmSync(PID_FILE, { force: true });
      rmSync('/run/dbus/system_bus_socket', { force: true });
    },
  };
}

/** True when some avahi-daemon already owns its D-Bus name (only one per bus can). */
export function avahiOnBus(): boolean {
  const r = spawnSync('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.Avahi'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout.includes('boolean true');
}

export interface AvahiDaemon {
  readonly hostName: string;
  stop(): Promise<void>;
}

/** Starts avahi-daemon in `host`'s namespace as `HOSTNAME.local`, IPv4 only; resolves once it runs. */
export async function startAvahi(host: Host, hostName: string): Promise<AvahiDaemon> {
  if (avahiOnBus()) throw new Error('an avahi-daemon already runs on this system bus; stop it first (only one can own org.freedesktop.Avahi)');
  const dir = mkdtempSync(path.join(tmpdir(), 'rs-avahi-'));
  const conf = path.join(dir, 'avahi-daemon.conf');
  writeFileSync(
    conf,
    [
      '[server]',
      `host-name=${hostName}`,
      'use-ipv4=yes',
      'use-ipv6=no',
      ...(host.iface ? [`allow-interfaces=${host.iface}`] : []),
      '[wide-area]',
      'enable-wide-area=no',
      '[publish]',
      'publish-hinfo=no',
      'publish-workstation=no',
      '',
    ].join('\n'),
  );
  // avahi refuses to start while its pid file names a live process; a stale one is ours to remove.
  mkdirSync('/run/avahi-daemon', { recursive: true });
  const pidFile = '/run/avahi-daemon/pid';
  if (existsSync(pidFile) && !alive(Number(readFileSync(pidFile, 'utf8').trim()))) rmSync(pidFile);

  const proc = host.spawn('avahi-daemon', ['-f', conf, '--no-drop-root', '--no-chroot', '--no-rlimits', '--no-proc-title'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const exited = once(proc, 'exit');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`avahi-daemon did not start within 10 s:\n${log.join('\n')}`)), 10_000);
    const onLine = (line: string) => {
      log.push(line);
      if (line.includes('Server startup complete')) {
        clearTimeout(timer);
        resolve();
      }
    };
    createInterface({ input: proc.stderr! }).on('line', onLine);
    createInterface({ input: proc.stdout! }).on('line', onLine);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`avahi-daemon exited with ${code}:\n${log.join('\n')}`));
    });
  });
  return {
    hostName,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One line of `avahi-browse -p` output: `+` (new), `-` (gone), `=` (resolved). */
export interface BrowseLine {
  event: '+' | '-' | '=';
  iface: string;
  protocol: string;
  name: string;
  type: string;
  domain: string;
  /** Only on `=` lines. */
  host?: string;
  address?: string;
  port?: number;
  /** TXT strings, sorted (avahi prints them in reverse). */
  txt?: string[];
}

/** avahi-browse -p escapes non-alphanumerics in names as `\DDD` (decimal) or `\.`. */
function unescape(s: string): string {
  return s.replace(/\\(\d{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(Number(e)) : e));
}

export function parseBrowseLine(line: string): BrowseLine | null {
  const f = line.split(';');
  const ev = f[0];
  if ((ev !== '+' && ev !== '-' && ev !== '=') || f.length < 6) return null;
  const base: BrowseLine = { event: ev, iface: f[1]!, protocol: f[2]!, name: unescape(f[3]!), type: f[4]!, domain: f[5]! };
  if (ev !== '=') return base;
  const txt = [...(f.slice(9).join(';').matchAll(/"((?:[^"\\]|\\.)*)"/g) ?? [])].map((m) => m[1]!).sort();
  return { ...base, host: f[6]!, address: f[7]!, port: Number(f[8]), txt };
}

/** A running `avahi-browse -rp TYPE` (not terminating), collecting parsed lines. */
export interface AvahiBrowse {
  readonly lines: BrowseLine[];
  waitFor(what: string, match: (l: BrowseLine) => boolean, timeoutMs?: number): Promise<BrowseLine>;
  stop(): Promise<void>;
}

/** Run it inside the daemon's host so that interface names resolve (elsewhere avahi prints `(null)`). */
export function avahiBrowse(type: string, host?: Host): AvahiBrowse {
  const args = ['-rp', type];
  const opts = { stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  const proc = host ? host.spawn('avahi-browse', args, opts) : spawn('avahi-browse', args, opts);
  return watchLines(proc);
}

function watchLines(proc: ChildProcess): AvahiBrowse {
  const lines: BrowseLine[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    raw.push(line);
    const parsed = parseBrowseLine(line);
    if (parsed) lines.push(parsed);
    for (const w of [...waiters]) w();
  });
  const exited = once(proc, 'exit');
  return {
    lines,
    waitFor(what, match, timeoutMs = 8000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find(match);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; avahi-browse printed:\n${raw.join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A running `avahi-publish -s NAME TYPE PORT TXT...`; resolves once avahi established the name. */
export async function avahiPublish(name: string, type: string, port: number, txt: string[]): Promise<{ name: string; stop(): Promise<void> }> {
  const proc = spawn('avahi-publish', ['-s', name, type, String(port), ...txt], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const exited = once(proc, 'exit');
  const established = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`avahi-publish did not establish ${name} within 8 s:\n${out.join('\n')}`)), 8000);
    const onLine = (line: string) => {
      out.push(line);
      const m = /Established under name '(.*)'/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    createInterface({ input: proc.stdout! }).on('line', onLine);
    createInterface({ input: proc.stderr! }).on('line', onLine);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`avahi-publish exited with ${code}:\n${out.join('\n')}`));
    });
  });
  return {
    name: established,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
