// Checks the dashboard's forms before anything is sent, with messages that say what to enter.
// The main process validates again (the contract's `fields` errors land on the same fields).
import type { SettingsValues } from '../../../main/ipc/contract.js';

/** Field path (`port`, `rateLimit.burst`) → message. */
export type FieldErrors = Record<string, string>;

/** A whole number in [min, max] from form text, or an error message. */
export function parseInteger(text: string, min: number, max: number, what: string): number | string {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return `${what} must be a whole number from ${min} to ${max}.`;
  const n = Number(t);
  if (n < min || n > max) return `${what} must be from ${min} to ${max}; ${t} is out of range.`;
  return n;
}

/** A number (fractions allowed) in [min, max] from form text, or an error message. */
export function parseNumber(text: string, min: number, max: number, what: string): number | string {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) return `${what} must be a number from ${min} to ${max}.`;
  if (n < min || n > max) return `${what} must be from ${min} to ${max}; ${t} is out of range.`;
  return n;
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for an IPv4 or IPv6 literal (IPv6 checked loosely: hex groups, at most one `::`). */
export function isIpLiteral(s: string): boolean {
  if (ipv4.test(s)) return true;
  if (!s.includes(':') || /[^0-9a-fA-F:.]/.test(s)) return false;
  const doubles = s.split('::').length - 1;
  if (doubles > 1) return false;
  const groups = s.split(':').filter((g) => g !== '');
  const last = groups.at(-1) ?? '';
  const v4Tail = last.includes('.') ? (ipv4.test(last) ? 1 : -1) : 0;
  if (v4Tail < 0) return false;
  const hexGroups = groups.length - v4Tail;
  if (!groups.slice(0, hexGroups).every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const width = hexGroups + v4Tail * 2;
  return doubles === 1 ? width < 8 : width === 8;
}

/** `*`, `null`, or scheme://host[:port] with no path (what a browser sends as Origin). */
export function isOriginText(s: string): boolean {
  if (s === '*' || s === 'null') return true;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** The text of each settings field, as typed. */
export interface SettingsDraft {
  host: string;
  port: string;
  accessKey: string;
  maxConnections: string;
  maxPayloadBytes: string;
  'rateLimit.perSecond': string;
  'rateLimit.burst': string;
  offlineTtlMs: string;
  offlineQueueMax: string;
  offlineQueueBytes: string;
  offlineQueueSenderBytes: string;
  /** Origins separated by spaces (or commas). */
  allowedOrigins: string;
  pingIntervalMs: string;
  'mdns.enabled': boolean;
  'mdns.name': string;
  'mdns.interface': string;
  serveWebClient: boolean;
  startServerOnLaunch: boolean;
  startAtLogin: boolean;
  startHidden: boolean;
}

/** The form's starting text for stored values. */
export function draftOf(v: SettingsValues): SettingsDraft {
  return {
    host: v.host,
    port: String(v.port),
    accessKey: v.accessKey ?? '',
    maxConnections: String(v.maxConnections),
    maxPayloadBytes: String(v.maxPayloadBytes),
    'rateLimit.perSecond': String(v.rateLimit.perSecond),
    'rateLimit.burst': String(v.rateLimit.burst),
    offlineTtlMs: String(v.offlineTtlMs),
    offlineQueueMax: String(v.offlineQueueMax),
    offlineQueueBytes: String(v.offlineQueueBytes),
    offlineQueueSenderBytes: String(v.offlineQueueSenderBytes),
    allowedOrigins: v.allowedOrigins.join(' '),
    pingIntervalMs: String(v.pingIntervalMs),
    'mdns.enabled': v.mdns.enabled,
    'mdns.name': v.mdns.name ?? '',
    'mdns.interface': v.mdns.interface ?? '',
    serveWebClient: v.serveWebClient,
    startServerOnLaunch: v.startServerOnLaunch,
    startAtLogin: v.startAtLogin,
    startHidden: v.startHidden,
  };
}

/** Turns the form's text into values, or returns an error for every bad field. */
export function parseSettings(
  d: SettingsDraft,
): { values: SettingsValues; errors: null } | { values: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const num = (key: keyof SettingsDraft, r: number | string): number => {
    if (typeof r === 'string') errors[key] = r;
    return typeof r === 'number' ? r : 0;
  };
  const host = d.host.trim();
  if (host !== 'localhost' && !isIpLiteral(host)) {
    errors.host =
      'Enter an IP address of this computer, 0.0.0.0 (every IPv4 interface), :: (every interface) or localhost.';
  }
  const accessKey = d.accessKey;
  if (accessKey.length > 256) errors.accessKey = 'The access key can be at most 256 characters.';
  if (accessKey !== '' && accessKey.trim() !== accessKey)
    errors.accessKey = 'The access key cannot start or end with a space.';
  const mdnsName = d['mdns.name'].trim();
  if (mdnsName.length > 63) errors['mdns.name'] = 'The LAN name can be at most 63 characters.';
  const iface = d['mdns.interface'].trim();
  if (/\s/.test(iface)) errors['mdns.interface'] = 'An interface name has no spaces (e.g. wlan0, eth0, en0).';
  const allowedOrigins = d.allowedOrigins.split(/[\s,]+/).filter(Boolean);
  const badOrigin = allowedOrigins.find((o) => !isOriginText(o));
  if (badOrigin !== undefined)
    errors.allowedOrigins = `"${badOrigin}" is not an origin: enter * or scheme://host[:port], e.g. https://app.example.org.`;
  const values: SettingsValues = {
    host,
    port: num('port', parseInteger(d.port, 0, 65535, 'Port')),
    accessKey: accessKey === '' ? null : accessKey,
    maxConnections: num('maxConnections', parseInteger(d.maxConnections, 0, 1_000_000, 'Connection limit')),
    maxPayloadBytes: num('maxPayloadBytes', parseInteger(d.maxPayloadBytes, 256, 64 * 1024 * 1024, 'Largest message')),
    rateLimit: {
      perSecond: num('rateLimit.perSecond', parseNumber(d['rateLimit.perSecond'], 0, 1_000_000, 'Messages per second')),
      burst: num('rateLimit.burst', parseInteger(d['rateLimit.burst'], 1, 1_000_000, 'Burst')),
    },
    offlineTtlMs: num('offlineTtlMs', parseInteger(d.offlineTtlMs, 0, 86_400_000, 'Offline hold time')),
    offlineQueueMax: num('offlineQueueMax', parseInteger(d.offlineQueueMax, 1, 10_000, 'Offline queue size')),
    offlineQueueBytes: num(
      'offlineQueueBytes',
      parseInteger(d.offlineQueueBytes, 65_536, 1024 * 1024 * 1024, 'Offline queue memory'),
    ),
    offlineQueueSenderBytes: num(
      'offlineQueueSenderBytes',
      parseInteger(d.offlineQueueSenderBytes, 65_536, 1024 * 1024 * 1024, 'Offline queue memory per address'),
    ),
    allowedOrigins,
    pingIntervalMs: num('pingIntervalMs', parseInteger(d.pingIntervalMs, 50, 86_400_000, 'Ping interval')),
    mdns: {
      enabled: d['mdns.enabled'],
      name: mdnsName === '' ? null : mdnsName,
      interface: iface === '' ? null : iface,
    },
    serveWebClient: d.serveWebClient,
    startServerOnLaunch: d.startServerOnLaunch,
    startAtLogin: d.startAtLogin,
    startHidden: d.startHidden,
  };
  return Object.keys(errors).length ? { values: null, errors } : { values, errors: null };
}

/** Error for a VAPID contact subject, or null when it is usable. */
export function subjectError(subject: string): string | null {
  const s = subject.trim();
  if (s === '') return 'Enter a contact for push services: mailto:you@example.org or an https:// URL.';
  if (!/^mailto:\S+@\S+$/.test(s) && !/^https:\/\/\S+$/.test(s)) {
    return `"${s}" is not a mailto: or https: URL. Use e.g. mailto:you@example.org.`;
  }
  return null;
}

/** Error for pasted PEM text of the given kind, or null when it looks right. */
export function pemError(text: string, kind: 'certificate' | 'private key'): string | null {
  const t = text.trim();
  if (t === '') return `Paste the ${kind} (PEM text starting with -----BEGIN).`;
  const ok =
    kind === 'certificate'
      ? t.includes('-----BEGIN CERTIFICATE-----')
      : /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/.test(t);
  if (!ok) {
    return kind === 'certificate'
      ? 'This is not a PEM certificate: it must contain -----BEGIN CERTIFICATE-----.'
      : 'This is not a PEM private key: it must contain -----BEGIN PRIVATE KEY----- (or EC/RSA PRIVATE KEY).';
  }
  return null;
}

/** Error for a host name for a generated certificate (without .local), or null. Empty is allowed. */
export function hostnameError(name: string): string | null {
  const n = name.trim().replace(/\.local\.?$/i, '');
  if (n === '') return null;
  if (n.length > 63 || !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(n)) {
    return 'Use letters, digits and hyphens only (up to 63), not starting or ending with a hyphen.';
  }
  return null;
}
