// Sizes and durations by name. Import-free, so the dashboard bundle may use it too.
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const SECOND_MS = 1000;
export const DAY_MS = 86_400 * SECOND_MS;
