// Checks the dashboard's forms before anything is sent, with messages that say what to enter.
// The main process validates again (the contract's `fields` errors land on the same fields). The limits
// and rules are the server's own (import-free modules under main/), only the wording is the form's.
import { certificateDays, hostLabelPattern } from '../../../main/certs/limits.js';
import type { SettingsValues } from '../../../main/ipc/contract.js';
import { numberLimits, textLimits, type NumberOption } from '../../../main/server/option-limits.js';
import { isOriginPattern } from '../../../main/server/origin-pattern.js';
import { isPem, pemBeginLine } from '../../../main/server/pem.js';
import { vapidSubjectProblem } from '../../../main/server/push/subject.js';

/** Field path (`port`, `rateLimit.burst`) → message. */
export type FieldErrors = Record<string, string>;

const range = (min: number, max: number | undefined) =>
  max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
const afterNoun = (min: number, max: number | undefined) =>
  max === undefined ? `, at least ${min}` : ` from ${min} to ${max}`;

/** A whole number in [min, max] (no upper bound when max is undefined) from form text, or an error message. */
export function parseInteger(text: string, min: number, max: number | undefined, what: string): number | string {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return `${what} must be a whole number${afterNoun(min, max)}.`;
  const n = Number(t);
  if (n < min || (max !== undefined && n > max)) return `${what} must be ${range(min, max)}; ${t} is out of range.`;
  return n;
}

/** A number (fractions allowed) in [min, max] from form text, or an error message. */
export function parseNumber(text: string, min: number, max: number | undefined, what: string): number | string {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) return `${what} must be a number${afterNoun(min, max)}.`;
  if (n < min || (max !== undefined && n > max)) return `${what} must be ${range(min, max)}; ${t} is out of range.`;
  return n;
}

/** A server option's number from form text, checked against the server's own limits. */
function parseOption(text: string, option: NumberOption, what: string): number | string {
  const l: { min: number; max?: number; integer: boolean } = numberLimits[option];
  return (l.integer ? parseInteger : parseNumber)(text, l.min, l.max, what);
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
  'relay.port': string;
  'relay.relayPortsMin': string;
  'relay.relayPortsMax': string;
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
    'relay.port': String(v.relay.port),
    'relay.relayPortsMin': String(v.relay.relayPortsMin),
    'relay.relayPortsMax': String(v.relay.relayPortsMax),
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
  if (accessKey.length > textLimits.accessKey.maxLength)
    errors.accessKey = `The access key can be at most ${textLimits.accessKey.maxLength} characters.`;
  if (accessKey !== '' && accessKey.trim() !== accessKey)
    errors.accessKey = 'The access key cannot start or end with a space.';
  const mdnsName = d['mdns.name'].trim();
  if (mdnsName.length > textLimits['mdns.name'].maxLength)
    errors['mdns.name'] = `The LAN name can be at most ${textLimits['mdns.name'].maxLength} characters.`;
  const iface = d['mdns.interface'].trim();
  if (/\s/.test(iface)) errors['mdns.interface'] = 'An interface name has no spaces (e.g. wlan0, eth0, en0).';
  const allowedOrigins = d.allowedOrigins.split(/[\s,]+/).filter(Boolean);
  const badOrigin = allowedOrigins.find((o) => !isOriginPattern(o));
  if (badOrigin !== undefined)
    errors.allowedOrigins = `"${badOrigin}" is not an origin: enter * or scheme://host[:port], e.g. https://app.example.org.`;
  const values: SettingsValues = {
    host,
    port: num('port', parseOption(d.port, 'port', 'Port')),
    accessKey: accessKey === '' ? null : accessKey,
    maxConnections: num('maxConnections', parseOption(d.maxConnections, 'maxConnections', 'Connection limit')),
    maxPayloadBytes: num('maxPayloadBytes', parseOption(d.maxPayloadBytes, 'maxPayloadBytes', 'Largest message')),
    rateLimit: {
      perSecond: num(
        'rateLimit.perSecond',
        parseOption(d['rateLimit.perSecond'], 'rateLimit.perSecond', 'Messages per second'),
      ),
      burst: num('rateLimit.burst', parseOption(d['rateLimit.burst'], 'rateLimit.burst', 'Burst')),
    },
    offlineTtlMs: num('offlineTtlMs', parseOption(d.offlineTtlMs, 'offlineTtlMs', 'Offline hold time')),
    offlineQueueMax: num('offlineQueueMax', parseOption(d.offlineQueueMax, 'offlineQueueMax', 'Offline queue size')),
    offlineQueueBytes: num(
      'offlineQueueBytes',
      parseOption(d.offlineQueueBytes, 'offlineQueueBytes', 'Offline queue memory'),
    ),
    offlineQueueSenderBytes: num(
      'offlineQueueSenderBytes',
      parseOption(d.offlineQueueSenderBytes, 'offlineQueueSenderBytes', 'Offline queue memory per address'),
    ),
    allowedOrigins,
    pingIntervalMs: num('pingIntervalMs', parseOption(d.pingIntervalMs, 'pingIntervalMs', 'Ping interval')),
    mdns: {
      enabled: d['mdns.enabled'],
      name: mdnsName === '' ? null : mdnsName,
      interface: iface === '' ? null : iface,
    },
    relay: {
      port: num('relay.port', parseOption(d['relay.port'], 'relay.port', 'Relay port')),
      relayPortsMin: num(
        'relay.relayPortsMin',
        parseOption(d['relay.relayPortsMin'], 'relay.relayPorts', 'First relay port'),
      ),
      relayPortsMax: num(
        'relay.relayPortsMax',
        parseOption(d['relay.relayPortsMax'], 'relay.relayPorts', 'Last relay port'),
      ),
    },
    serveWebClient: d.serveWebClient,
    startServerOnLaunch: d.startServerOnLaunch,
    startAtLogin: d.startAtLogin,
    startHidden: d.startHidden,
  };
  if (!errors['relay.relayPortsMax'] && values.relay.relayPortsMin > values.relay.relayPortsMax)
    errors['relay.relayPortsMax'] = 'The last relay port must not be below the first.';
  return Object.keys(errors).length ? { values: null, errors } : { values, errors: null };
}

/** Error for a VAPID contact subject, or null when it is usable. */
export function subjectError(subject: string): string | null {
  const s = subject.trim();
  if (s === '') return 'Enter a contact for push services: mailto:you@example.org or an https:// URL.';
  if (vapidSubjectProblem(s) !== null) return `"${s}" is not a mailto: or https: URL. Use e.g. mailto:you@example.org.`;
  return null;
}

/** Error for pasted PEM text of the given kind, or null when it looks right. */
export function pemError(text: string, kind: 'certificate' | 'private key'): string | null {
  const t = text.trim();
  if (t === '') return `Paste the ${kind} (PEM text starting with -----BEGIN).`;
  return isPem(t, kind) ? null : `This is not a PEM ${kind}: it must contain ${pemBeginLine[kind]}.`;
}

/** Error for a host name for a generated certificate (without .local), or null. Empty is allowed. */
export function hostnameError(name: string): string | null {
  const n = name.trim().replace(/\.local\.?$/i, '');
  if (n === '') return null;
  if (!hostLabelPattern.test(n)) {
    return 'Use letters, digits and hyphens only (up to 63), not starting or ending with a hyphen.';
  }
  return null;
}

/** The validity of a generated certificate, in days, or an error message. */
export function parseCertificateDays(text: string): number | string {
  return parseInteger(text, certificateDays.min, certificateDays.max, 'Validity');
}
