// The bench's side of a load-generator process: start it, send a command, await its answer.
import { join } from 'node:path';
import type { GeneratorCommand, GeneratorReply } from './generator/messages.js';
import { openFilesLimit } from './proc-stats.js';
import { spawnNode, stop, withTimeout, type BenchProcess } from './processes.js';
import { benchDir, repoRoot } from './servers.js';

/** A running load generator; commands run one at a time. */
export class Generator {
  private waiting: ((r: GeneratorReply) => void) | null = null;

  private constructor(readonly process: BenchProcess) {
    process.child.on('message', (r: GeneratorReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    });
  }

  /** Starts a generator with room for `openFiles` descriptors and waits for its hello. */
  static async start(openFiles: number): Promise<Generator> {
    const p = spawnNode('load generator', {
      args: ['--import', 'tsx', join(benchDir, 'generator/main.ts')],
      openFiles,
      ipc: true,
      cwd: repoRoot,
    });
    const g = new Generator(p);
    await g.reply(20_000, 'start');
    return g;
  }

  /** Open-files limit the generator actually got. */
  openFiles(): number {
    return openFilesLimit(this.process.pid);
  }

  /** Sends a command and resolves with its result; rejects on an error reply, an exit, or after `timeoutMs`. */
  async call<T>(cmd: GeneratorCommand, timeoutMs: number): Promise<T> {
    const answer = this.reply(timeoutMs, cmd.cmd);
    this.process.child.send(cmd);
    return (await answer) as T;
  }

  /** Closes the channel (the generator exits) and makes sure it is gone. */
  async close(): Promise<void> {
    if (this.process.child.connected) this.process.child.disconnect();
    await withTimeout(this.process.exited, 3000, 'generator exit').catch(() => stop(this.process));
  }

  private async reply(timeoutMs: number, what: string): Promise<unknown> {
    const r = await withTimeout(
      Promise.race([
        new Promise<GeneratorReply>((resolve) => (this.waiting = resolve)),
        this.process.exited.then((code): GeneratorReply => ({
          ok: false,
          error: `generator exited (${code}) during ${what}:\n${this.process.output()}`,
        })),
      ]),
      timeoutMs,
      `generator: no answer to ${what}`,
    );
    if (!r.ok) throw new Error(r.error);
    return r.result;
  }
}
