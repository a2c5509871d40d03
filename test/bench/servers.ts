// The servers under test and the client dialect each subject speaks to them.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOptions } from '../../main/server/options.js';
import type { SubjectId } from './config.js';
import { openFilesLimit } from './proc-stats.js';
import { freePort, spawnNode, stop, waitForPort, withTimeout, type BenchProcess } from './processes.js';
import type { Dialect } from './wire.js';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(benchDir, '../..');
/** The rustysignal CLI under test; `--cli` points it at another build (e.g. of an older commit). */
export let cliPath = join(repoRoot, 'dist/main/cli.js');
export function useCli(path: string): void {
  cliPath = resolve(path);
}

export type ServerId = 'rustysignal' | 'bare' | 'peerjs';

export interface Subject {
  id: SubjectId;
  label: string;
  server: ServerId;
  dialect: Dialect;
}

export const subjects: Record<SubjectId, Subject> = {
  rustysignal: { id: 'rustysignal', label: 'rustysignal (v1)', server: 'rustysignal', dialect: 'rustysignal-v1' },
  'rustysignal-v2': {
    id: 'rustysignal-v2',
    label: 'rustysignal v2 (stamped)',
    server: 'rustysignal',
    dialect: 'rustysignal-v2',
  },
  bare: { id: 'bare', label: 'bare ws relay', server: 'bare', dialect: 'bare' },
  peerjs: { id: 'peerjs', label: 'PeerJS server 1.0.2', server: 'peerjs', dialect: 'peerjs' },
};

/**
 * How often each server, as the bench runs it, does heartbeat work for every connection, in ms; null: never.
 * rustysignal pings every connection (the default pingIntervalMs; ws clients answer with a pong). The bare
 * relay sends nothing. PeerJS expects the client to send a HEARTBEAT (its browser client: every 5 s); the
 * bench's clients send none, so PeerJS only runs its 300 ms scan of every client's last heartbeat.
 */
export const heartbeatMs: Record<ServerId, number | null> = {
  rustysignal: defaultOptions.pingIntervalMs,
  bare: null,
  peerjs: null,
};

/** Command line of each server, as run by the bench. */
const serverArgs: Record<ServerId, (port: number) => string[]> = {
  rustysignal: (port) => [
    cliPath,
    `127.0.0.1:${port}`,
    '--rate-limit',
    '0',
    '--max-connections',
    '0',
    '--no-mdns',
    '--log-level',
    'warn',
  ],
  bare: (port) => [join(benchDir, 'servers/bare-relay.mjs'), String(port)],
  peerjs: (port) => [join(benchDir, 'servers/peerjs-server.mjs'), String(port)],
};

/** Why a server cannot run in this checkout, or null when it can. */
export function serverUnavailable(id: ServerId): string | null {
  if (id === 'rustysignal' && !existsSync(cliPath)) return `${cliPath} is missing: run npm run build first`;
  return null;
}

export interface RunningServer {
  process: BenchProcess;
  port: number;
  /** Open-files limit the server process actually got. */
  openFiles: number;
  /** Runs with --cpu-prof: must end with SIGTERM (a clean exit writes the profile), and costs more CPU. */
  profiled: boolean;
}

/** Ends a server: SIGTERM and a wait when profiled (so the profile is written), else SIGKILL. */
export async function stopServer(s: RunningServer): Promise<void> {
  if (s.profiled) {
    s.process.child.kill('SIGTERM');
    const exited = await withTimeout(s.process.exited, 15_000, 'profiled server exit').then(
      () => true,
      () => false,
    );
    if (exited) return;
  }
  await stop(s.process);
}

/** Starts a fresh server on a free 127.0.0.1 port and waits until it accepts connections. */
export async function startServer(
  id: ServerId,
  openFiles: number,
  profile: { dir: string; name: string } | null,
): Promise<RunningServer> {
  const port = await freePort();
  const prof = profile
    ? ['--cpu-prof', '--cpu-prof-dir', resolve(repoRoot, profile.dir), '--cpu-prof-name', `${profile.name}.cpuprofile`]
    : [];
  const p = spawnNode(id, { args: [...prof, ...serverArgs[id](port)], openFiles, cwd: repoRoot });
  await waitForPort(port, p);
  return { process: p, port, openFiles: openFilesLimit(p.pid), profiled: profile !== null };
}

/** The exact command line of a server, for the report. */
export function describeServer(id: ServerId): string {
  return ['node', ...serverArgs[id](0).map((a) => a.replace(repoRoot + '/', ''))]
    .join(' ')
    .replace('127.0.0.1:0', '127.0.0.1:PORT')
    .replace(/ 0$/, ' PORT');
}
