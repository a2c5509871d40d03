// Reads what the kernel accounts to a server process: CPU time and resident memory.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of the utime/stime fields in /proc/PID/stat (usually 100). */
export const clockTicksPerSecond: number = (() => {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(v) && v > 0 ? v : 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) the process has used so far, in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses; fields are counted after its last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so utime (field 14) is rest[11] and stime (field 15) is rest[12].
  const ticks = Number(rest[11]) + Number(rest[12]);
  return (ticks * 1e6) / clockTicksPerSecond;
}

/** Resident set size (VmRSS) of the process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}; did the process exit?`);
  return Number(m[1]) * 1024;
}

/** Soft limit on open files of a process (from /proc/PID/limits). */
export function openFilesLimit(pid: number | 'self'): number {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const m = /^Max open files\s+(\S+)/m.exec(limits);
  if (!m || m[1] === 'unlimited') return Number.MAX_SAFE_INTEGER;
  return Number(m[1]);
}

/** One reading of both counters, stamped with a monotonic time in ms. */
export interface ProcSample {
  atMs: number;
  cpuUs: number;
  rss: number;
}

/** Takes a ProcSample of the process now. */
export function sampleProc(pid: number): ProcSample {
  return { atMs: performance.now(), cpuUs: cpuMicros(pid), rss: rssBytes(pid) };
}

/**
 * CPU time all processes on the machine have used so far (all cores, /proc/stat: user + nice + system), in µs.
 * irq and softirq are left out: on loopback they are mostly the bench's own packets, which the kernel does
 * not charge to any process.
 */
export function machineBusyMicros(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0);
  return (busy * 1e6) / clockTicksPerSecond;
}

/** The server's counters plus what the generator and everything else on the machine used, for one instant. */
export interface WindowSample extends ProcSample {
  generatorCpuUs: number;
  machineBusyUs: number;
}

/** Samples the server, the load generator and the machine at once. */
export function sampleWindow(serverPid: number, generatorPid: number): WindowSample {
  return { ...sampleProc(serverPid), generatorCpuUs: cpuMicros(generatorPid), machineBusyUs: machineBusyMicros() };
}

/** CPU used by everything except the server and the generator between two samples, in % of one core. */
export function otherLoadPct(a: WindowSample, b: WindowSample): number {
  const other = b.machineBusyUs - a.machineBusyUs - (b.cpuUs - a.cpuUs) - (b.generatorCpuUs - a.generatorCpuUs);
  return Math.max(0, (other / ((b.atMs - a.atMs) * 1000)) * 100);
}
