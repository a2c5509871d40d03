// The rules of a generated LAN certificate, as plain data: generate.ts, the IPC handler and the dashboard
// form all check against these. Import-free, so the dashboard bundle imports it.

/** Validity of a generated certificate in days. 825 is the longest that Apple platforms accept. */
export const certificateDays = { min: 1, max: 825, default: 397 } as const;

/** One DNS label (the HOST of HOST.local): letters, digits and inner hyphens, at most 63. */
export const hostLabelPattern = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
