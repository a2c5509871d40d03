// Numbers and times as people read them. Locale-aware where the OS locale matters (dates), fixed
// where tests and screenshots need stable text (durations).

/** `3 d 04 h`, `2 h 05 min`, `4 min 09 s`, `12 s` for a duration in ms (negative counts as 0). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${two(h)} h`;
  if (h > 0) return `${h} h ${two(m)} min`;
  if (m > 0) return `${m} min ${two(sec)} s`;
  return `${sec} s`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

/** Clock time of a timestamp (ms since epoch), e.g. `14:03:27`. */
export function formatTime(ms: number): string {
  return timeFmt.format(ms);
}

/** Date and time of a timestamp or ISO string, e.g. `26 Nov 2026, 14:03`. */
export function formatDateTime(t: number | string): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : dateTimeFmt.format(d);
}

/** A date alone, e.g. `26 November 2026`. */
export function formatDate(t: number | string): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : dateFmt.format(d);
}

/** `1 peer`, `3 peers`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** Whole numbers with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString();
}

/** Bytes as `64 KiB`, `1.5 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
}
