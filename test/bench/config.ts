// Command-line options of the bench and the two presets (full and --quick).
import { parseArgs } from 'node:util';

export type SubjectId = 'rustysignal' | 'rustysignal-v2' | 'bare' | 'peerjs';
export type ScenarioId = 'one-to-one' | 'latency' | 'class' | 'broadcast' | 'idle';

export const allSubjects: SubjectId[] = ['rustysignal', 'rustysignal-v2', 'bare', 'peerjs'];
export const allScenarios: ScenarioId[] = ['one-to-one', 'latency', 'class', 'broadcast', 'idle'];

export interface BenchConfig {
  quick: boolean;
  repeats: number;
  subjects: SubjectId[];
  scenarios: ScenarioId[];
  outDir: string;
  /** Re-run (at most twice) a run during which other processes used more than this % of one core; null: never. */
  calmPct: number | null;
  /** rustysignal CLI to run (default dist/main/cli.js). */
  cli: string | null;
  /** Directory for V8 CPU profiles of the servers (node --cpu-prof), or null. Profiled runs cost more CPU. */
  profileDir: string | null;
  /** Closed-loop one-to-one: pairs, messages in flight per pair, frame sizes in bytes, measured ms. */
  pairs: number;
  inFlight: number;
  frameSizes: number[];
  throughputMs: number;
  /** One-to-one at a fixed rate (messages/s in total) after each closed loop: CPU per message under the same
   *  offered load for every server, which the closed loop cannot give (see docs/performance.md). */
  steadyRate: number;
  steadyMs: number;
  /** Traffic before each measured window (JIT, buffers), in ms; not counted. */
  warmupMs: number;
  /** Open-loop latency: total rate in messages/s and measured ms. */
  latencyRate: number;
  latencyMs: number;
  /** A class setting up calls: sender→receiver pairs (two clients each), total open-loop rate, measured ms. */
  classPairs: number;
  classRate: number;
  classMs: number;
  broadcastReceivers: number;
  broadcastRate: number;
  broadcastMs: number;
  /** Idle clients at each checkpoint, ascending. */
  idleCounts: number[];
  /** Idle clients opened before the "before" RSS reading, so start-up allocations are not counted per connection. */
  idleWarm: number;
  idleConcurrency: number;
  /** Rest window at the last idle checkpoint, in ms: at least this long, and (unless quick) one heartbeat
   *  interval of the server + 1 s, so a full heartbeat round of rustysignal falls inside it. */
  restMinMs: number;
  restCoversHeartbeat: boolean;
  /** The relay comparison against coturn (test/bench/relay); false with --skip-relay. */
  relay: boolean;
  /** Only the relay comparison (--relay-only). */
  relayOnly: boolean;
}

const usage = `Usage: node --import tsx test/bench/run.ts [options]   (or: npm run bench -- [options])

  --quick               about two minutes: 1 repeat, short windows, 1,000/2,000 idle clients,
                        a 3 s rest window (too short to see a heartbeat of rustysignal)
  --repeats N           runs of every scenario and server, interleaved (default 3, quick 1)
  --only LIST           servers: rustysignal,rustysignal-v2,bare,peerjs (default all)
  --scenarios LIST      one-to-one,latency,class,broadcast,idle (default all)
  --out DIR             where JSON and markdown results go (default bench-results)
  --calm PCT            re-run, at most twice, a run during which other processes used more than
                        PCT % of one core (shared machines); the calmest attempt is kept
  --cli FILE            the rustysignal CLI to run (default dist/main/cli.js), e.g. a build of
                        another commit, to compare versions of the server
  --profile             also write a V8 CPU profile of every server run into OUT/profiles
  --profile-dir DIR     ... into DIR instead; summarise a profile with
                        node --import tsx test/bench/profile-summary.ts FILE
  --skip-relay          leave out the relay (TURN) comparison against coturn
  --relay-only          run only the relay (TURN) comparison against coturn
  -h, --help            this text
`;

/** Parses argv into a config; prints usage and exits on --help or a bad option. */
export function parseConfig(argv: string[]): BenchConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        repeats: { type: 'string' },
        only: { type: 'string' },
        scenarios: { type: 'string' },
        out: { type: 'string', default: 'bench-results' },
        cli: { type: 'string' },
        calm: { type: 'string' },
        profile: { type: 'boolean', default: false },
        'profile-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        'skip-relay': { type: 'boolean', default: false },
        'relay-only': { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick;
  const repeats = values.repeats === undefined ? (quick ? 1 : 3) : Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20)
    fail(`--repeats must be 1 to 20, got ${values.repeats}`);
  if (values.calm !== undefined && !(Number(values.calm) >= 0)) fail(`--calm must be a percentage, got ${values.calm}`);
  const list = <T extends string>(raw: string | undefined, all: T[], flag: string): T[] => {
    if (raw === undefined) return all;
    const items = raw.split(',').map((s) => s.trim()) as T[];
    const bad = items.filter((i) => !all.includes(i));
    if (bad.length) fail(`${flag}: unknown ${bad.join(', ')}; choose from ${all.join(', ')}`);
    return items;
  };
  return {
    quick,
    repeats,
    subjects: list(values.only, allSubjects, '--only'),
    scenarios: list(values.scenarios, allScenarios, '--scenarios'),
    outDir: values.out,
    cli: values.cli ?? null,
    calmPct: values.calm === undefined ? null : Number(values.calm),
    profileDir: values.profile || values['profile-dir'] ? (values['profile-dir'] ?? `${values.out}/profiles`) : null,
    pairs: 50,
    inFlight: 16,
    frameSizes: [200, 2000],
    throughputMs: quick ? 1500 : 4000,
    steadyRate: 5000,
    steadyMs: quick ? 1500 : 4000,
    warmupMs: quick ? 400 : 1000,
    latencyRate: 2000,
    latencyMs: quick ? 2500 : 8000,
    classPairs: 15,
    classRate: 500,
    classMs: quick ? 2500 : 8000,
    broadcastReceivers: 200,
    broadcastRate: 100,
    broadcastMs: quick ? 1500 : 5000,
    idleCounts: quick ? [1000, 2000] : [5000, 10000],
    idleWarm: 100,
    idleConcurrency: 100,
    restMinMs: 3000,
    restCoversHeartbeat: !quick,
    relay: !values['skip-relay'],
    relayOnly: values['relay-only'],
  };
}

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}
