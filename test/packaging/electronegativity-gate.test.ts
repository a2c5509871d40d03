// The electronegativity gate's logic (the tool itself runs from .ci/run: node .electronegativity/run.mjs):
// a finding passes only with a justification row naming its check, file and code, and with a reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsFromCsv, gate, parseCsv, readJustified } from '../../.electronegativity/gate.mjs';

const csv = `issue, severity, confidence, filename, location, sample, description, url
OPEN_EXTERNAL_JS_CHECK,"MEDIUM","TENTATIVE","window.ts","32:57","if (ok(url)) void shell.openExternal(url);","Review the use of openExternal",https://x
CONTEXT_ISOLATION_JS_CHECK,"HIGH","FIRM","evil.ts","2:71","new BrowserWindow({ webPreferences: { contextIsolation: false } })","Review",https://y
CSP_GLOBAL_CHECK,"LOW","FIRM","index.html","6:0","default-src 'self'; script-src 'self', ""quoted""","One or more",https://z
`;

describe('electronegativity gate', () => {
  it('parses the CSV, quotes and doubled quotes included', () => {
    expect(parseCsv('a, b\n"x, y","say ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
    ]);
    const f = findingsFromCsv(csv);
    expect(f.map((x) => [x.check, x.file])).toEqual([
      ['OPEN_EXTERNAL_JS_CHECK', 'window.ts'],
      ['CONTEXT_ISOLATION_JS_CHECK', 'evil.ts'],
      ['CSP_GLOBAL_CHECK', 'index.html'],
    ]);
    expect(f[2]!.sample).toBe(`default-src 'self'; script-src 'self', "quoted"`);
  });

  it('refuses a report whose header was cut off instead of reading it', () => {
    // What a racing header write once left: the rows' start overwritten by the header's tail.
    const garbled = `pt-src 'self'; form-action 'none'","One or more",https://z
OPEN_EXTERNAL_JS_CHECK,"MEDIUM","TENTATIVE","main.ts","111:60","x","Review",https://x
`;
    expect(() => findingsFromCsv(garbled)).toThrow(/garbled/);
  });

  it("writes the tool's header and rows in call order (the ordered-writes shim)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rs-en-'));
    const out = path.join(dir, 'out.csv');
    const script = `const fs = require('node:fs');
      fs.writeFile(process.argv[1], 'header\\n', (e) => { if (e) throw e; });
      fs.writeFile(process.argv[1], 'row\\n'.repeat(5000), { flag: 'a' }, (e) => { if (e) throw e; });`;
    const r = spawnSync(
      process.execPath,
      ['--require', path.resolve('.electronegativity/ordered-writes-shim.cjs'), '-e', script, out],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('header\n' + 'row\n'.repeat(5000));
  });

  it('fails findings without a matching, reasoned justification and reports stale rows', () => {
    const justified = readJustified(`| check | file | code | why |
|---|---|---|---|
| OPEN_EXTERNAL_JS_CHECK | window.ts | \`void shell.openExternal(url)\` | guarded by ok() |
| CSP_GLOBAL_CHECK | index.html | * |  |
| SANDBOX_JS_CHECK | gone.ts | * | old |`);
    const { bad, unused } = gate(findingsFromCsv(csv), justified);
    expect(bad.map((b) => b.check)).toEqual(['CONTEXT_ISOLATION_JS_CHECK', 'CSP_GLOBAL_CHECK']);
    expect(unused.map((u) => u.file)).toEqual(['gone.ts']);
  });

  it("has a reason for every row of the project's justification file", () => {
    const rows = readJustified(readFileSync('.electronegativity/justified.md', 'utf8'));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.check).toMatch(/^[A-Z_]+_CHECK$/);
      expect(r.why.length).toBeGreaterThan(40);
    }
  });
});
