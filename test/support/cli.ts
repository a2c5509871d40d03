// Runs the built CLI (dist/main/cli.js) as a child process, as a user would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const cliPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/main/cli.js');

export interface RunningCli {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves when stderr/stdout has printed a line matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

/**
 * The relay stays off unless a test asks for it (suites must not collide on UDP/TCP 3478, nor write a
 * TURN secret into the user's data directory); subcommands take no such flag.
 */
function withRelayOff(args: string[]): string[] {
  if (args[0] === 'vapid' || args[0] === 'discover' || args.some((a) => a.startsWith('--turn-port'))) return args;
  return [...args, '--turn-port', '0'];
}

/** Runs the CLI to completion (for commands that exit). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...withRelayOff(args)], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts the CLI and resolves once it printed its listening banner. `netns`: run it inside that network
 * namespace (`ip netns exec`, which execs in place, so the child is the CLI itself).
 */
export async function startCli(
  args: string[],
  options: { netns?: string; timeoutMs?: number } = {},
): Promise<RunningCli> {
  const argv = [cliPath, ...withRelayOff(args)];
  const child = options.netns
    ? spawn('ip', ['netns', 'exec', options.netns, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers: Array<() => void> = [];
  const onData = () => watchers.forEach((w) => w());
  child.stdout.on('data', (d) => ((out += d), onData()));
  child.stderr.on('data', (d) => ((err += d), onData()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = (re: RegExp, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out + err);
        if (m) {
          watchers.splice(watchers.indexOf(check), 1);
          clearTimeout(t);
          resolve(m[0]);
        }
      };
      const t = setTimeout(
        () => reject(new Error(`CLI did not print ${re} within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)),
        timeoutMs,
      );
      watchers.push(check);
      check();
      void exited.then(() => setImmediate(check));
    });
  // The text banner, or with --json-logs the `listening` record's first URL.
  const banner = await waitFor(/listening on \S+:\d+|"urls":\["wss?:\/\/[^"]*?:\d+\//, options.timeoutMs).catch(
    (err: Error) => {
      child.kill('SIGKILL'); // a CLI that never came up must not outlive the test
      throw err;
    },
  );
  return {
    child,
    port: Number(/:(\d+)\/?$/.exec(banner)![1]),
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor,
  };
}
