// The one "is this PEM of that kind" rule and the one VAPID subject rule, shared by server, settings,
// IPC and dashboard.
import { describe, expect, it } from 'vitest';
import { isPem, pemLabels } from '../../main/server/pem.js';
import { vapidSubjectProblem } from '../../main/server/push/subject.js';

describe('PEM kinds', () => {
  it('reads the BEGIN labels in order', () => {
    expect(
      pemLabels('-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----'),
    ).toEqual(['CERTIFICATE', 'EC PRIVATE KEY']);
    expect(pemLabels('no pem here')).toEqual([]);
  });

  it('knows a certificate from every kind of private key', () => {
    for (const label of ['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'])
      expect([label, isPem(`-----BEGIN ${label}-----\n`, 'private key')]).toEqual([label, true]);
    expect(isPem('-----BEGIN CERTIFICATE-----\n', 'private key')).toBe(false);
    expect(isPem('-----BEGIN PUBLIC KEY-----\n', 'private key')).toBe(false);
    expect(isPem('-----BEGIN CERTIFICATE-----\n', 'certificate')).toBe(true);
    expect(isPem('-----BEGIN PRIVATE KEY-----\n', 'certificate')).toBe(false);
    expect(isPem('-----BEGIN ', 'certificate')).toBe(false);
    expect(isPem('-----BEGIN PUBLIC KEY-----\n')).toBe(true);
    expect(isPem('-----BEGIN \n')).toBe(false);
  });
});

describe('VAPID subject', () => {
  it('accepts a mailto: address or an https: URL, nothing else', () => {
    expect(vapidSubjectProblem('mailto:ops@example.org')).toBeNull();
    expect(vapidSubjectProblem('https://example.org/contact')).toBeNull();
    for (const bad of ['', 'ops@example.org', 'mailto:ops', 'http://example.org', 'https://', 'mailto:a b@c'])
      expect([bad, vapidSubjectProblem(bad)]).not.toEqual([bad, null]);
  });
});
