// LAN certificates: what gets generated (EC P-256, SHA-256, the SANs), and what inspection says about
// certificates that are expired, expiring, weak, mismatched or missing a LAN name.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { generateLanCertificate } from '../../main/certs/generate.js';
import { CertificateError, inspectCertificate } from '../../main/certs/inspect.js';
import { lanAddresses, lanCertificateNames, mdnsHostLabel } from '../../main/certs/lan.js';

const DAY = 86_400_000;

describe('LAN names', () => {
  it('names HOST.local, localhost and every address, leaving out IPv6 link-local', () => {
    const ifaces = {
      lo: [
        { address: '127.0.0.1', family: 'IPv4', internal: true } as never,
        { address: '::1', family: 'IPv6', internal: true } as never,
      ],
      wlan0: [
        { address: '192.168.1.20', family: 'IPv4', internal: false } as never,
        { address: 'fe80::1', family: 'IPv6', internal: false } as never,
      ],
    };
    const addrs = lanAddresses(ifaces);
    expect(addrs.map((a) => a.address)).toEqual(['127.0.0.1', '::1', '192.168.1.20']);
    expect(lanCertificateNames('Teacher-PC.lan', addrs)).toEqual({
      dns: ['teacher-pc.local', 'localhost'],
      ip: ['127.0.0.1', '::1', '192.168.1.20'],
    });
    expect(mdnsHostLabel('Mein Rechner_2')).toBe('mein-rechner-2');
    expect(mdnsHostLabel('---')).toBe('rustysignal');
    // The name the mDNS advertisement uses too (it used to keep `Büro-PC` while the certificate said `b-ro-pc`).
    expect(mdnsHostLabel('Büro-PC')).toBe('buro-pc');
  });
});

describe('generateLanCertificate', () => {
  it('makes an EC P-256 / SHA-256 server certificate with the SANs, its key, and the validity asked for', async () => {
    const now = new Date('2026-01-10T12:00:00Z');
    const g = await generateLanCertificate({
      dns: ['box.local', 'localhost'],
      ip: ['127.0.0.1', '192.168.1.20', '::1'],
      days: 30,
      now,
    });
    const c = new X509Certificate(g.cert);
    expect(c.subjectAltName).toBe(
      'DNS:box.local, DNS:localhost, IP Address:127.0.0.1, IP Address:192.168.1.20, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(c.subject).toBe('CN=box.local\nO=rustysignal LAN certificate');
    expect(c.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(c.checkPrivateKey(createPrivateKey(g.key))).toBe(true);
    expect(new Date(c.validFrom).toISOString()).toBe('2026-01-10T11:00:00.000Z');
    expect(new Date(c.validTo).toISOString()).toBe('2026-02-09T11:00:00.000Z');
    expect(c.ca).toBe(false);
    const parsed = new x509.X509Certificate(g.cert);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(parsed.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    expect(g.key.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
  });

  it('is accepted by openssl as a self-signed TLS server certificate for its IP', async () => {
    const g = await generateLanCertificate({ dns: ['box.local'], ip: ['127.0.0.1'] });
    const d = mkdtempSync(path.join(os.tmpdir(), 'rs-cert-'));
    try {
      writeFileSync(path.join(d, 'c.pem'), g.cert);
      const out = execFileSync(
        'openssl',
        [
          'verify',
          '-CAfile',
          path.join(d, 'c.pem'),
          '-purpose',
          'sslserver',
          '-verify_ip',
          '127.0.0.1',
          path.join(d, 'c.pem'),
        ],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toBe(`${path.join(d, 'c.pem')}: OK`);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('refuses validity outside 1..825 days and an empty name list', async () => {
    await expect(generateLanCertificate({ dns: ['a'], ip: [], days: 826 })).rejects.toThrow(
      'days must be a whole number from 1 to 825',
    );
    await expect(generateLanCertificate({ dns: [], ip: [] })).rejects.toThrow('at least one DNS name is needed');
  });
});

describe('inspectCertificate', () => {
  it('gives subject, SANs, validity, fingerprint and the warnings for this LAN', async () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const g = await generateLanCertificate({
      dns: ['box.local'],
      ip: ['192.168.1.20'],
      days: 20,
      now: new Date(now.getTime() - 5 * DAY),
    });
    const d = inspectCertificate(g.cert, {
      keyPem: g.key,
      now,
      expected: { dns: ['box.local', 'other.local'], ip: ['192.168.1.20', '10.0.0.5'] },
    });
    expect(d).toMatchObject({
      subject: 'CN=box.local, O=rustysignal LAN certificate',
      issuer: 'CN=box.local, O=rustysignal LAN certificate',
      selfSigned: true,
      subjectAltNames: ['DNS:box.local', 'IP:192.168.1.20'],
      validFrom: '2026-02-23T23:00:00.000Z',
      validTo: '2026-03-15T23:00:00.000Z',
      daysLeft: 14,
      keyType: 'EC P-256',
      fingerprint256: new X509Certificate(g.cert).fingerprint256,
    });
    expect(d.warnings).toEqual([
      { code: 'expires-soon', message: 'The certificate expires on 2026-03-15 (in 14 days): renew it soon' },
      {
        code: 'self-signed',
        message:
          'The certificate is self-signed: each device must trust it once (export it from Certificates and install it)',
      },
      {
        code: 'san-missing',
        message:
          'other.local is not named in the certificate: devices connecting by that name will reject it (generate a LAN certificate to cover it)',
      },
      {
        code: 'san-missing',
        message:
          '10.0.0.5 is not named in the certificate: devices connecting to that address will reject it (generate a LAN certificate to cover it)',
      },
    ]);
  });

  it('warns about expired and not-yet-valid certificates', async () => {
    const g = await generateLanCertificate({
      dns: ['box.local'],
      ip: [],
      days: 10,
      now: new Date('2026-01-01T01:00:00Z'),
    });
    expect(inspectCertificate(g.cert, { now: new Date('2026-02-01T00:00:00Z') }).warnings[0]).toEqual({
      code: 'expired',
      message: 'The certificate expired on 2026-01-11: generate or import a new one',
    });
    expect(inspectCertificate(g.cert, { now: new Date('2025-12-01T00:00:00Z') }).warnings[0]).toEqual({
      code: 'not-yet-valid',
      message: "The certificate is valid only from 2026-01-01: check this computer's clock",
    });
  });

  it('flags weak keys and SHA-1 signatures', async () => {
    const keys = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' },
      true,
      ['sign', 'verify'],
    );
    const weak = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=old',
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 400 * DAY),
      keys,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
    });
    const codes = inspectCertificate(weak.toString('pem')).warnings.map((w) => w.code);
    expect(codes).toEqual(['self-signed', 'weak-key', 'weak-signature']);
  });

  it('refuses a key that does not match, a key given as the certificate, and a wrong passphrase', async () => {
    const a = await generateLanCertificate({ dns: ['a.local'], ip: [] });
    const b = await generateLanCertificate({ dns: ['b.local'], ip: [] });
    const fieldOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(CertificateError);
        return [(e as CertificateError).field, (e as Error).message];
      }
      throw new Error('did not throw');
    };
    expect(fieldOf(() => inspectCertificate(a.cert, { keyPem: b.key }))).toEqual([
      'key',
      'The private key does not belong to this certificate: choose the key that was created with it',
    ]);
    expect(fieldOf(() => inspectCertificate(a.key))).toEqual([
      'cert',
      'This is not a PEM certificate (expected -----BEGIN CERTIFICATE-----): choose the certificate file, not the key',
    ]);
    expect(fieldOf(() => inspectCertificate(a.cert, { keyPem: a.cert }))[0]).toBe('key');
    const enc = createPrivateKey(a.key)
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'right' })
      .toString();
    expect(fieldOf(() => inspectCertificate(a.cert, { keyPem: enc }))).toEqual([
      'passphrase',
      'The private key is encrypted: enter its passphrase',
    ]);
    expect(fieldOf(() => inspectCertificate(a.cert, { keyPem: enc, passphrase: 'wrong' }))).toEqual([
      'passphrase',
      'The passphrase does not decrypt the private key',
    ]);
    expect(inspectCertificate(a.cert, { keyPem: enc, passphrase: 'right' }).keyType).toBe('EC P-256');
  });
});
