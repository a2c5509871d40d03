// Hash routes (#/peers): they work from file:// inside Electron and need no server support.
import { requestRender } from './schedule.js';

export const routes = ['status', 'peers', 'rooms', 'certificates', 'push', 'network', 'settings', 'log'] as const;
export type Route = (typeof routes)[number];

export const routeTitles: Record<Route, string> = {
  status: 'Status',
  peers: 'Peers',
  rooms: 'Rooms',
  certificates: 'Certificates',
  push: 'Push',
  network: 'Network',
  settings: 'Settings',
  log: 'Log',
};

function parse(hash: string): Route | null {
  const name = hash.replace(/^#\/?/, '');
  return (routes as readonly string[]).includes(name) ? (name as Route) : null;
}

let current: Route = parse(location.hash) ?? 'status';
const listeners = new Set<(r: Route) => void>();

/** The view shown now. */
export function currentRoute(): Route {
  return current;
}

/** Calls `fn` after each route change (views load data or focus their heading). */
export function onRouteChange(fn: (r: Route) => void): void {
  listeners.add(fn);
}

window.addEventListener('hashchange', () => {
  const next = parse(location.hash);
  if (next === null || next === current) return;
  current = next;
  for (const fn of listeners) fn(next);
  requestRender();
});
