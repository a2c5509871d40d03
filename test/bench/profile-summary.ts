// Where a server's CPU time went, from a V8 .cpuprofile (node --cpu-prof): self time by function and by
// package, and total (inclusive) time of the busiest functions. Usage:
//   node --import tsx test/bench/profile-summary.ts FILE.cpuprofile [--top N] [--from-ms MS] [--to-ms MS]
// --from-ms / --to-ms keep only samples in that span of the profile (e.g. leave out start-up and setup).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    'from-ms': { type: 'string', default: '0' },
    'to-ms': { type: 'string', default: 'Infinity' },
  },
});
const file = positionals[0];
if (!file) {
  console.error(
    'usage: node --import tsx test/bench/profile-summary.ts FILE.cpuprofile [--top N] [--from-ms MS] [--to-ms MS]',
  );
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const fromUs = Number(values['from-ms']) * 1000;
const toUs = Number(values['to-ms']) * 1000;
const selfUs = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, i) => {
  const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
  at += dt;
  if (at >= fromUs && at < toUs) selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
});

/** Where a function lives, shortened: a package name, node:internal, or a path inside the repo. */
function place(url: string): string {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + 14);
  const repo = u.indexOf('/dist/');
  return repo >= 0 ? u.slice(repo + 1) : u;
}
function key(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = place(url);
  return where ? `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}` : functionName;
}
function category(n: ProfileNode): string {
  const { functionName, url } = n.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  if (url.includes('/node_modules/')) return `pkg ${place(url).split('/')[0]}`;
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/main/')) return 'rustysignal';
  return place(url);
}

const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
  .reduce((a, [, t]) => a + t, 0);
const busy = total - idle;
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;

const self = new Map<string, number>();
const cats = new Map<string, number>();
for (const [id, t] of selfUs) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(idle)') continue;
  self.set(key(n), (self.get(key(n)) ?? 0) + t);
  cats.set(category(n), (cats.get(category(n)) ?? 0) + t);
}

// Inclusive time per function, counting a recursive function once per stack.
const inclusive = new Map<string, number>();
const subtree = (n: ProfileNode, active: Map<string, number>): number => {
  const k = key(n);
  active.set(k, (active.get(k) ?? 0) + 1);
  let t = selfUs.get(n.id) ?? 0;
  for (const c of n.children ?? []) t += subtree(byId.get(c)!, active);
  active.set(k, active.get(k)! - 1);
  if (active.get(k) === 0 && n.callFrame.functionName !== '(idle)' && n.callFrame.functionName !== '(root)')
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  return t;
};
subtree(profile.nodes[0]!, new Map());

const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
console.log(
  `${file}${fromUs || Number.isFinite(toUs) ? ` (${values['from-ms']} ms to ${values['to-ms']} ms)` : ''}\nsampled ${ms(total)}, idle ${ms(idle)}, busy ${ms(busy)} (percentages are of busy time)\n`,
);
console.log('self time by package / area:');
for (const [k, t] of sorted(cats)) console.log(`  ${pct(t)} ${ms(t)}  ${k}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, t] of sorted(self).slice(0, top)) console.log(`  ${pct(t)} ${ms(t)}  ${k}`);
console.log(`\ntop ${top} functions by total time (self + callees):`);
for (const [k, t] of sorted(inclusive).slice(0, top)) console.log(`  ${pct(t)} ${ms(t)}  ${k}`);
