// Load-generator process: runs the commands the bench sends over IPC, one at a time, and answers each.
import { adapters } from '../wire.js';
import { BroadcastTraffic } from './broadcast.js';
import { IdleClients } from './idle.js';
import type { GeneratorCommand, GeneratorReply } from './messages.js';
import { PairTraffic } from './pairs.js';

let pairs: PairTraffic | null = null;
let broadcast: BroadcastTraffic | null = null;
let idle: IdleClients | null = null;

async function handle(c: GeneratorCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'pairs-setup': {
      const { traffic, setup } = await PairTraffic.open(adapters[c.dialect], c.port, c.pairs);
      pairs = traffic;
      return setup;
    }
    case 'closed-loop':
      return need(pairs, c.cmd).closedLoop(c.ms, c.inFlight, c.frameBytes);
    case 'fixed-rate':
      return need(pairs, c.cmd).fixedRate(c.ms, c.rate, c.frameBytes);
    case 'broadcast-setup': {
      const { traffic, setup } = await BroadcastTraffic.open(adapters[c.dialect], c.port, c.receivers);
      broadcast = traffic;
      return setup;
    }
    case 'broadcast':
      return need(broadcast, c.cmd).run(c.ms, c.rate, c.frameBytes);
    case 'idle-connect':
      idle ??= new IdleClients(adapters[c.dialect], c.port);
      return idle.connectUpTo(c.upTo, c.concurrency);
    case 'idle-probe':
      return need(idle, c.cmd).probe(c.samples, c.frameBytes);
    case 'idle-pings':
      return { pings: need(idle, c.cmd).pings };
  }
}

function need<T>(x: T | null, cmd: string): T {
  if (!x) throw new Error(`${cmd} before its setup command`);
  return x;
}

let queue = Promise.resolve();
process.on('message', (c: GeneratorCommand) => {
  queue = queue.then(async () => {
    let reply: GeneratorReply;
    try {
      reply = { ok: true, result: await handle(c) };
    } catch (err) {
      reply = { ok: false, error: (err as Error).stack ?? String(err) };
    }
    process.send?.(reply);
  });
});
// The bench ends generators by closing the channel (or by SIGKILL); never outlive it.
process.on('disconnect', () => {
  pairs?.close();
  broadcast?.close();
  idle?.close();
  process.exit(0);
});
process.send?.({ ok: true, result: 'ready' } satisfies GeneratorReply);
