// Starting, watching and always ending the processes of a benchmark run.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createServer, connect } from 'node:net';

/** A process started by the bench; `output` keeps the tail of its stdout and stderr for error reports. */
export interface BenchProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  output(): string;
}

const live = new Set<ChildProcess>();
const OUTPUT_TAIL = 8 * 1024;

/** Kills (SIGKILL) every process the bench started that is still running. Safe to call from an 'exit' handler. */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface SpawnNodeOptions {
  /** Arguments for `node` (flags, script, script arguments). */
  args: string[];
  /** Open-files limit to ask for; raised up to the hard limit with `ulimit -n` in a shell before exec. */
  openFiles: number;
  /** Open an IPC channel (for load generators). */
  ipc?: boolean;
  cwd?: string;
}

/** Starts `node ARGS` as its own process, with `ulimit -n` raised first. The shell execs node, so pid is node's. */
export function spawnNode(name: string, opts: SpawnNodeOptions): BenchProcess {
  hookExit();
  // $0 is the wanted limit; fall back to the hard limit when the wish is above it.
  const script = 'ulimit -n "$0" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const stdio: StdioOptions = opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn('/bin/sh', ['-c', script, String(opts.openFiles), process.execPath, ...opts.args], {
    stdio,
    cwd: opts.cwd,
    serialization: 'advanced',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { name, child, pid: child.pid, exited, output: () => tail };
}

/** Kills the process (SIGKILL) and waits until it is gone, at most `timeoutMs`. */
export async function stop(p: BenchProcess, timeoutMs = 5000): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await withTimeout(p.exited, timeoutMs, `${p.name} did not exit after SIGKILL`);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts TCP connections; rejects after `timeoutMs` or when `p` exits. */
export async function waitForPort(port: number, p: BenchProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let gone = false;
  void p.exited.then(() => (gone = true));
  while (performance.now() < deadline) {
    if (gone) throw new Error(`${p.name} exited before listening on ${port}:\n${p.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${p.name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${p.output()}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} (timeout ${ms} ms)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
