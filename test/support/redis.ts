// A real redis-server for cluster tests: 127.0.0.1, a free port, its own directory, nothing saved to disk.
// pause()/resume() stop and continue the process (SIGSTOP/SIGCONT), restart() kills it and starts an empty
// one on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestRedis {
  port: number;
  url: string;
  pid(): number;
  /** Sends one inline command and resolves with the raw reply. */
  command(line: string): Promise<string>;
  pause(): void;
  resume(): void;
  /** Kills it (SIGKILL) and starts an empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function inline(port: number, line: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => (sock.destroy(), reject(new Error(`redis did not answer ${line}`))), timeoutMs);
    sock.on('error', (e) => (clearTimeout(t), reject(e)));
    sock.on('connect', () => sock.write(`${line}\r\n`));
    sock.on('data', (d) => {
      out += d.toString();
      if (out.endsWith('\r\n')) {
        clearTimeout(t);
        sock.end();
        resolve(out.trimEnd());
      }
    });
  });
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rs-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        path.join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    const end = Date.now() + 10_000;
    for (;;) {
      const ok = await inline(port, 'PING', 500).then(
        (r) => r === '+PONG',
        () => false,
      );
      if (ok) return;
      if (Date.now() > end) throw new Error('redis-server did not start within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const exited = () =>
    new Promise<void>((r) =>
      child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
    );
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child.pid!,
    command: (line) => inline(port, line),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async restart() {
      child.kill('SIGKILL');
      await exited();
      await launch();
    },
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
