// Debian's avahi (an independent mDNS/DNS-SD implementation) for tests: an avahi-daemon inside a test
// host's namespace, and the avahi-browse / avahi-publish clients.
//
// avahi-daemon needs a system D-Bus, and only one daemon can own its name on a bus. Rather than the
// machine's /run/dbus (which a developer's desktop already runs, with its own avahi), each test run starts
// a private bus on a socket in a temp directory and points avahi at it with DBUS_SYSTEM_BUS_ADDRESS. The
// daemon's pid file directory is a private tmpfs, so several runs (or a system avahi) do not collide.
// The clients talk to the daemon over that bus only; all multicast stays in the daemon's namespace.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Host } from './netns.js';

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

/** A running `avahi-browse -rp TYPE` (not terminating), collecting parsed lines. */
export interface AvahiBrowse {
  readonly lines: BrowseLine[];
  waitFor(what: string, match: (l: BrowseLine) => boolean, timeoutMs?: number): Promise<BrowseLine>;
  stop(): Promise<void>;
}

export interface AvahiPublish {
  /** The name avahi established (it may differ after a conflict). */
  readonly name: string;
  /** Ends avahi-publish; avahi sends goodbyes for the service. */
  stop(): Promise<void>;
}

export interface Avahi {
  readonly hostName: string;
  /** Runs avahi-browse in the daemon's namespace (elsewhere interface names print as `(null)`). */
  browse(type: string): AvahiBrowse;
  /** Publishes a service through the daemon; resolves once avahi established it. */
  publish(name: string, type: string, port: number, txt: string[]): Promise<AvahiPublish>;
  /** Stops every client started here, the daemon and the bus. */
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a private D-Bus of type "system" in `dir`; returns its address and pid. */
function startPrivateBus(dir: string): { address: string; pid: number } {
  const conf = path.join(dir, 'bus.conf');
  writeFileSync(
    conf,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${path.join(dir, 'bus.socket')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`,
  );
  const out = execFileSync('dbus-daemon', [`--config-file=${conf}`, '--fork', '--print-address=1', '--print-pid=1'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const [address, pid] = out
    .trim()
    .split('\n')
    .map((s) => s.trim());
  if (!address?.startsWith('unix:') || !Number.isInteger(Number(pid)))
    throw new Error(`dbus-daemon printed no address and pid: ${out}`);
  return { address, pid: Number(pid) };
}

/** Waits for the first line matching `done` on stdout or stderr; rejects on exit or after timeoutMs. */
function untilLine(
  proc: ChildProcess,
  what: string,
  done: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: nothing after ${timeoutMs} ms:\n${seen.join('\n')}`)),
      timeoutMs,
    );
    const onLine = (line: string) => {
      seen.push(line);
      if (!done(line)) return;
      clearTimeout(timer);
      resolve(line);
    };
    createInterface({ input: proc.stdout! }).on('line', onLine);
    createInterface({ input: proc.stderr! }).on('line', onLine);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what}: exited with ${code}:\n${seen.join('\n')}`));
    });
  });
}

async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(kill);
}

/** Starts avahi-daemon in `host`'s namespace as `HOSTNAME.local`, IPv4 only, on a private bus. */
export async function startAvahi(host: Host, hostName: string): Promise<Avahi> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rs-avahi-'));
  const bus = startPrivateBus(dir);
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address };
  const clients = new Set<ChildProcess>();
  const pipes: SpawnOptions = { env, stdio: ['ignore', 'pipe', 'pipe'] };
  let daemon: ChildProcess | null = null;

  const stop = async () => {
    await Promise.all([...clients].map(terminate));
    if (daemon) await terminate(daemon);
    if (alive(bus.pid)) process.kill(bus.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const conf = path.join(dir, 'avahi-daemon.conf');
    const iface = host.iface ? [`allow-interfaces=${host.iface}`] : [];
    writeFileSync(
      conf,
      [
        '[server]',
        `host-name=${hostName}`,
        'use-ipv4=yes',
        'use-ipv6=no',
        ...iface,
        '[wide-area]',
        'enable-wide-area=no',
        '[publish]',
        'publish-hinfo=no',
        'publish-workstation=no',
        '',
      ].join('\n'),
    );
    // `ip netns exec` gives the command its own mount namespace, so this tmpfs hides only from avahi the
    // pid file another avahi-daemon may hold.
    const args = ['-f', conf, '--no-drop-root', '--no-chroot', '--no-rlimits', '--no-proc-title'];
    daemon = host.spawn(
      'sh',
      [
        '-c',
        'mkdir -p /run/avahi-daemon && mount -t tmpfs rs-avahi /run/avahi-daemon && exec avahi-daemon "$@"',
        'sh',
        ...args,
      ],
      pipes,
    );
    await untilLine(daemon, 'avahi-daemon start', (l) => l.includes('Server startup complete'), 10_000);
  } catch (err) {
    await stop();
    throw err;
  }

  const client = (cmd: string, args: string[], inHost?: Host) => {
    const proc = inHost ? inHost.spawn(cmd, args, pipes) : spawn(cmd, args, pipes);
    clients.add(proc);
    proc.once('exit', () => clients.delete(proc));
    return proc;
  };

  return {
    hostName,
    browse: (type) => watchBrowse(client('avahi-browse', ['-rp', type], host)),
    async publish(name, type, port, txt) {
      const proc = client('avahi-publish', ['-s', name, type, String(port), ...txt]);
      const line = await untilLine(proc, `avahi-publish ${name}`, (l) => l.startsWith('Established under name'), 8000);
      return { name: /'(.*)'/.exec(line)?.[1] ?? name, stop: () => terminate(proc) };
    },
    stop,
  };
}

/** avahi-browse -p escapes non-alphanumerics in names as `\DDD` (decimal) or `\.`. */
function unescape(s: string): string {
  return s.replace(/\\(\d{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(Number(e)) : e));
}

export function parseBrowseLine(line: string): BrowseLine | null {
  const f = line.split(';');
  const ev = f[0];
  if ((ev !== '+' && ev !== '-' && ev !== '=') || f.length < 6) return null;
  const base: BrowseLine = {
    event: ev,
    iface: f[1]!,
    protocol: f[2]!,
    name: unescape(f[3]!),
    type: f[4]!,
    domain: f[5]!,
  };
  if (ev !== '=') return base;
  const txt = [
    ...f
      .slice(9)
      .join(';')
      .matchAll(/"((?:[^"\\]|\\.)*)"/g),
  ]
    .map((m) => m[1]!)
    .sort();
  return { ...base, host: f[6]!, address: f[7]!, port: Number(f[8]), txt };
}

function watchBrowse(proc: ChildProcess): AvahiBrowse {
  const lines: BrowseLine[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    raw.push(line);
    const parsed = parseBrowseLine(line);
    if (parsed) lines.push(parsed);
    for (const w of [...waiters]) w();
  });
  let errors = '';
  proc.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
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
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; avahi-browse printed:\n${raw.join('\n')}\n${errors}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => terminate(proc),
  };
}
