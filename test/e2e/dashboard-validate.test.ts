// The dashboard's form checks (renderer/dashboard/src/validate.ts), run in Node: what the window
// refuses before anything is sent, and the exact messages it shows next to the field.
import { describe, expect, test } from 'vitest';
import type { SettingsValues } from '../../main/ipc/contract.js';
import { numberLimits } from '../../main/server/option-limits.js';
import { applyPatch } from '../../main/settings/editable.js';
import {
  draftOf,
  hostnameError,
  isIpLiteral,
  parseInteger,
  parseSettings,
  pemError,
  subjectError,
  type SettingsDraft,
} from '../../renderer/dashboard/src/validate.js';

const values: SettingsValues = {
  host: '0.0.0.0',
  port: 3012,
  accessKey: null,
  maxConnections: 10_000,
  maxPayloadBytes: 65_536,
  rateLimit: { perSecond: 200, burst: 400 },
  offlineTtlMs: 15_000,
  offlineQueueMax: 32,
  offlineQueueBytes: 32 * 1024 * 1024,
  offlineQueueSenderBytes: 2 * 1024 * 1024,
  allowedOrigins: [],
  pingIntervalMs: 30_000,
  mdns: { enabled: true, name: null, interface: null },
  relay: { port: 3478, relayPortsMin: 49160, relayPortsMax: 49300 },
  serveWebClient: true,
  startServerOnLaunch: true,
  startAtLogin: false,
  startHidden: false,
};

describe('dashboard form checks', () => {
  test('a draft of stored values parses back to the same values', () => {
    expect(parseSettings(draftOf(values))).toEqual({ values, errors: null });
  });

  test('empty optional texts become null; numbers are read from text', () => {
    const d = {
      ...draftOf(values),
      accessKey: 'sesame',
      port: ' 8443 ',
      'rateLimit.perSecond': '0.5',
      'mdns.name': '  ',
      'mdns.interface': 'wlan0',
    };
    expect(parseSettings(d)).toEqual({
      values: {
        ...values,
        accessKey: 'sesame',
        port: 8443,
        rateLimit: { perSecond: 0.5, burst: 400 },
        mdns: { enabled: true, name: null, interface: 'wlan0' },
      },
      errors: null,
    });
  });

  test('every bad field gets its own message', () => {
    const d = {
      ...draftOf(values),
      port: '70000',
      host: 'my-laptop',
      maxPayloadBytes: '100',
      'rateLimit.burst': '1.5',
      offlineQueueMax: '0',
      accessKey: ' x',
      'mdns.interface': 'wi fi',
    };
    expect(parseSettings(d)).toEqual({
      values: null,
      errors: {
        port: 'Port must be from 0 to 65535; 70000 is out of range.',
        host: 'Enter an IP address of this computer, 0.0.0.0 (every IPv4 interface), :: (every interface) or localhost.',
        maxPayloadBytes: 'Largest message must be from 256 to 67108864; 100 is out of range.',
        'rateLimit.burst': 'Burst must be a whole number, at least 1.',
        offlineQueueMax: 'Offline queue size must be from 1 to 10000; 0 is out of range.',
        accessKey: 'The access key cannot start or end with a space.',
        'mdns.interface': 'An interface name has no spaces (e.g. wlan0, eth0, en0).',
      },
    });
  });

  test('the form refuses exactly what the settings (the server option table) refuse', () => {
    const fields = [
      'port',
      'maxConnections',
      'maxPayloadBytes',
      'rateLimit.perSecond',
      'rateLimit.burst',
      'offlineTtlMs',
      'offlineQueueMax',
      'offlineQueueBytes',
      'offlineQueueSenderBytes',
      'pingIntervalMs',
    ] as const satisfies ReadonlyArray<keyof SettingsDraft & keyof typeof numberLimits>;
    const patchOf = (field: string, n: number) =>
      field.startsWith('rateLimit.') ? { rateLimit: { [field.slice(10)]: n } } : { [field]: n };
    for (const field of fields) {
      const l: { min: number; max?: number } = numberLimits[field];
      const probes = [l.min, l.min - 1, ...(l.max === undefined ? [] : [l.max, l.max + 1])];
      for (const n of probes) {
        const form = parseSettings({ ...draftOf(values), [field]: String(n) });
        const settings = applyPatch(values, patchOf(field, n));
        expect([field, n, form.errors === null], 'form').toEqual([field, n, settings.ok]);
      }
    }
    expect(parseSettings({ ...draftOf(values), maxConnections: '5000000' }).errors).toBeNull();
  });

  test('integers: text that is not a whole number in range is refused', () => {
    expect(parseInteger('0', 0, 65535, 'Port')).toBe(0);
    expect(parseInteger('65535', 0, 65535, 'Port')).toBe(65535);
    expect(parseInteger('-1', 0, 65535, 'Port')).toBe('Port must be from 0 to 65535; -1 is out of range.');
    expect(parseInteger('', 0, 65535, 'Port')).toBe('Port must be a whole number from 0 to 65535.');
    expect(parseInteger('3e3', 0, 65535, 'Port')).toBe('Port must be a whole number from 0 to 65535.');
  });

  test('IP literals', () => {
    for (const ok of [
      '0.0.0.0',
      '192.168.1.20',
      '::',
      '::1',
      'fe80::1',
      '2001:db8::8a2e:370:7334',
      '::ffff:192.0.2.1',
      '1:2:3:4:5:6:7:8',
    ])
      expect(isIpLiteral(ok), ok).toBe(true);
    for (const bad of ['256.1.1.1', '1.2.3', 'localhost', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1.2.3.4.5', ''])
      expect(isIpLiteral(bad), bad).toBe(false);
  });

  test('push subject, PEM shapes, certificate host names', () => {
    expect(subjectError('mailto:ops@example.org')).toBeNull();
    expect(subjectError('https://example.org/contact')).toBeNull();
    expect(subjectError('  ')).toBe('Enter a contact for push services: mailto:you@example.org or an https:// URL.');
    expect(subjectError('ops@example.org')).toBe(
      '"ops@example.org" is not a mailto: or https: URL. Use e.g. mailto:you@example.org.',
    );
    expect(subjectError('http://example.org')).not.toBeNull();

    expect(pemError('-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----', 'certificate')).toBeNull();
    expect(pemError('-----BEGIN EC PRIVATE KEY-----\nAAA', 'private key')).toBeNull();
    expect(pemError('-----BEGIN PRIVATE KEY-----\nAAA', 'private key')).toBeNull();
    expect(pemError('-----BEGIN PRIVATE KEY-----', 'certificate')).toBe(
      'This is not a PEM certificate: it must contain -----BEGIN CERTIFICATE-----.',
    );
    expect(pemError('', 'private key')).toBe('Paste the private key (PEM text starting with -----BEGIN).');

    expect(hostnameError('')).toBeNull();
    expect(hostnameError('lab-pc')).toBeNull();
    expect(hostnameError('lab-pc.local')).toBeNull();
    expect(hostnameError('-lab')).toBe(
      'Use letters, digits and hyphens only (up to 63), not starting or ending with a hyphen.',
    );
    expect(hostnameError('lab_pc')).not.toBeNull();
  });
});
