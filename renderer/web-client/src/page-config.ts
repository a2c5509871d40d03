// What the page learns from its address and remembers between visits.

export interface PageConfig {
  /** From a one-segment path (`/class1`) or `?room=` (a QR code can carry either); "" is the default room. */
  room: string;
  /** From `?key=`, when the server needs an access key. */
  key: string | null;
  /** From `?code=`, when the room has an access code. */
  code: string | null;
  /** From `?connect=` (set by a notification's Allow): connect to this peer once joined. */
  connect: string | null;
}

export function readPageConfig(href: string): PageConfig {
  const u = new URL(href);
  const q = u.searchParams;
  return {
    room: q.get('room') ?? roomFromPath(u.pathname) ?? '',
    key: q.get('key'),
    code: q.get('code'),
    connect: q.get('connect'),
  };
}

/** `/class1` → `class1` (the server serves the page for such paths); null for `/`, `/index.html` and deeper paths. */
export function roomFromPath(pathname: string): string | null {
  const m = /^\/([^/.]+)$/.exec(pathname);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}

/** The address of `room` on this server: `/ROOM` when it can be a path, else `/?room=ROOM`; keeps `?key=`. */
export function roomAddress(href: string, room: string, key: string | null): string {
  const u = new URL(href);
  const path = room !== '' && /^[^/.]+$/.test(room) ? encodeURIComponent(room) : '';
  const next = new URL(`./${path}`, u);
  if (room !== '' && path === '') next.searchParams.set('room', room);
  if (key !== null) next.searchParams.set('key', key);
  return next.toString();
}

/** Drops one-shot parameters (`connect`) from the address bar without reloading. */
export function forgetConnectParam(): void {
  const u = new URL(location.href);
  if (!u.searchParams.has('connect')) return;
  u.searchParams.delete('connect');
  history.replaceState(null, '', u);
}

const NAME_KEY = 'rustysignal.name';

/** localStorage can throw (private mode, disabled storage): the page still works, it just forgets. */
function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

export const storedName = {
  get: (): string | null => safe(() => localStorage.getItem(NAME_KEY), null),
  set: (name: string): void => safe(() => localStorage.setItem(NAME_KEY, name), undefined),
  clear: (): void => safe(() => localStorage.removeItem(NAME_KEY), undefined),
};

/** The resume token lives per tab (sessionStorage): a reload gets its name back, a second tab does not steal it. */
export const storedToken = {
  get: (room: string, name: string): string | null =>
    safe(() => sessionStorage.getItem(`rustysignal.token:${room}:${name}`), null),
  set: (room: string, name: string, token: string | null): void =>
    safe(
      () =>
        token === null
          ? sessionStorage.removeItem(`rustysignal.token:${room}:${name}`)
          : sessionStorage.setItem(`rustysignal.token:${room}:${name}`, token),
      undefined,
    ),
};

/** Whether this browser opted in to push for a name in a room. */
export const storedPushOptIn = {
  get: (room: string, name: string): boolean =>
    safe(() => localStorage.getItem(`rustysignal.push:${room}:${name}`) === '1', false),
  set: (room: string, name: string, on: boolean): void =>
    safe(
      () =>
        on
          ? localStorage.setItem(`rustysignal.push:${room}:${name}`, '1')
          : localStorage.removeItem(`rustysignal.push:${room}:${name}`),
      undefined,
    ),
};
