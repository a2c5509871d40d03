// Sizes and durations on the command line: plain numbers are bytes / milliseconds; suffixes are accepted.

const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  k: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  m: 1024 ** 2,
};
const timeUnits: Record<string, number> = {
  '': 1,
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function parseWithUnits(text: string, units: Record<string, number>, what: string, examples: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? units[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new Error(`"${text}" is not a ${what} (examples: ${examples})`);
  const n = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(n)) throw new Error(`"${text}" is too large`);
  return n;
}

/** Bytes from `65536`, `64KiB`, `1MiB`, `64kB`. */
export const parseSize = (text: string) => parseWithUnits(text, sizeUnits, 'size', '65536, 64KiB, 1MiB');
/** Milliseconds from `30000`, `30s`, `2m`, `500ms`, `30d`. */
export const parseDuration = (text: string) =>
  parseWithUnits(text, timeUnits, 'duration', '30000, 30s, 2m, 500ms, 30d');

/** A non-negative integer. */
export function parseCount(text: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new Error(`"${text}" is not a whole number`);
  return Number(text);
}

/** `HOST:PORT` or `[IPv6]:PORT`, as the original rustysignal took its address. */
export function parseAddr(text: string): { host: string; port: number } {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535)
    throw new Error(`"${text}" is not an address: use HOST:PORT, e.g. 0.0.0.0:3012 or [::1]:3012`);
  return { host: m[1]!, port };
}

/** `MIN-MAX`, a range of ports such as 49160-49300. */
export function parsePortRange(text: string): { min: number; max: number } {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  const [min, max] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || min > max || max > 65535) throw new Error(`"${text}" is not a port range: use MIN-MAX, e.g. 49160-49300`);
  return { min, max };
}

/** A comma-separated list, e.g. CIDRs (each checked by the options table). */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
