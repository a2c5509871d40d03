// `node --import tsx test/bench/relay/main.ts [--quick]`: the relay comparison alone (npm run bench runs it too).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { relayTable, runRelayBench } from './run-relay.js';

const quick = process.argv.includes('--quick');
const cfg = {
  allocations: 30,
  rate: 1000,
  size: 1200,
  warmupMs: quick ? 1000 : 2000,
  measureMs: quick ? 3000 : 8000,
  repeats: quick ? 1 : 3,
  cli: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/main/cli.js'),
};
const runs = await runRelayBench(cfg, console.log);
console.log('\n' + relayTable(runs, cfg));
