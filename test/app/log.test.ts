// Reading the app log back (electron-log's line format) and rotating it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileLogSource, memoryLogSource, parseLogText } from '../../main/app/log-reader.js';
import { archiveName, rotateLogFiles } from '../../main/app/log-rotate.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rs-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('log reader', () => {
  it('parses records, keeping continuation lines with their record', () => {
    expect(
      parseLogText('[2026-11-26 11:31:00.123] [info]  listening\n[2026-11-26 11:31:01.000] [error] boom\n    at x\n\n'),
    ).toEqual([
      { time: '2026-11-26T11:31:00.123', level: 'info', message: 'listening' },
      { time: '2026-11-26T11:31:01.000', level: 'error', message: 'boom\n    at x' },
    ]);
    expect(parseLogText('stray')).toEqual([{ time: '', level: 'info', message: 'stray' }]);
  });

  it('returns the newest lines of the file, oldest first', async () => {
    const file = path.join(dir, 'main.log');
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => `[2026-11-26 11:31:00.000] [info] line ${i}`).join('\n'));
    const src = fileLogSource(file);
    expect(src.folder).toBe(dir);
    expect((await src.recent(3)).map((l) => l.message)).toEqual(['line 47', 'line 48', 'line 49']);
    expect(await fileLogSource(path.join(dir, 'none.log')).recent(5)).toEqual([]);
  });

  it('keeps a bounded memory log and tells listeners', async () => {
    const m = memoryLogSource('/x', 3);
    const seen: string[] = [];
    const off = m.onLine!((l) => seen.push(l.message));
    for (const i of [1, 2, 3, 4]) m.logger.info({ i }, 'n');
    off();
    m.write('warn', 'after');
    expect((await m.recent(10)).map((l) => l.message)).toEqual(['n {"i":3}', 'n {"i":4}', 'after']);
    expect(seen).toEqual(['n {"i":1}', 'n {"i":2}', 'n {"i":3}', 'n {"i":4}']);
  });
});

describe('log rotation', () => {
  it('shifts archives and drops the oldest beyond the limit', () => {
    const file = path.join(dir, 'main.log');
    expect(archiveName(file, 2)).toBe(path.join(dir, 'main.2.log'));
    for (let round = 1; round <= 4; round++) {
      writeFileSync(file, `round ${round}`);
      rotateLogFiles(file, 3);
    }
    expect(existsSync(file)).toBe(false);
    expect([1, 2, 3].map((n) => readFileSync(archiveName(file, n), 'utf8'))).toEqual(['round 4', 'round 3', 'round 2']);
    expect(existsSync(archiveName(file, 4))).toBe(false);
  });
});
