// Lifts a settings file written by an older version of the app to the current layout, one version at a
// time. Version 1 is the first layout; add `N: (v_N) => v_N+1` entries here when the layout changes.
import { SETTINGS_VERSION } from './schema.js';

/** Turns a version-N object into a version-(N+1) object. Pure: returns a new object. */
export type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** The app's migrations, keyed by the version they upgrade FROM. */
export const migrations: Readonly<Record<number, Migration>> = {};

export type MigrationOutcome =
  | { kind: 'current'; data: Record<string, unknown> }
  | { kind: 'migrated'; from: number; data: Record<string, unknown> }
  /** Written by a newer app: left untouched so a downgrade cannot destroy it. */
  | { kind: 'too-new'; version: number }
  | { kind: 'invalid'; message: string };

/** Brings `raw` (parsed JSON, or undefined for no file) to `target` using `table`. */
export function migrate(
  raw: unknown,
  table: Readonly<Record<number, Migration>> = migrations,
  target = SETTINGS_VERSION,
): MigrationOutcome {
  if (raw === undefined || raw === null) return { kind: 'current', data: { version: target } };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { kind: 'invalid', message: 'the settings file does not hold an object' };
  const version = (raw as { version?: unknown }).version;
  if (version === undefined && Object.keys(raw).length === 0) return { kind: 'current', data: { version: target } };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { kind: 'invalid', message: `the settings file has no valid version (found ${JSON.stringify(version)})` };
  }
  if (version > target) return { kind: 'too-new', version };
  let data = structuredClone(raw) as Record<string, unknown>;
  for (let v = version; v < target; v++) {
    const step = table[v];
    if (!step) return { kind: 'invalid', message: `no migration from settings version ${v}` };
    data = { ...step(data), version: v + 1 };
  }
  return version === target ? { kind: 'current', data } : { kind: 'migrated', from: version, data };
}
