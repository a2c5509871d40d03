// wss from PEM material made in the test; live certificate swap; clear errors for bad material.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkTls, TlsError } from '../../main/server/tls.js';
import { createSignalServer } from '../../main/server/signal-server.js';
import { connect } from '../support/clients.js';
import { makeCa, type Pem, type TestCa } from '../support/certs.js';
import { startServer, type Running } from '../support/server.js';

let ca: TestCa;
let leaf: Pem;
let s: Running | undefined;
beforeAll(async () => {
  ca = await makeCa();
  leaf = await ca.issue();
});
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('wss', () => {
  it('serves wss and https with a certificate for 127.0.0.1', async () => {
    s = await startServer({ tls: leaf });
    expect(s.server.status().urls[0]!.url).toBe(`wss://127.0.0.1:${s.port}/`);
    const a = await connect(s.url('user=a'), { ca: ca.cert });
    a.send('{"protocol":"one-to-self"}');
    expect(await a.next()).toBe('{"protocol":"one-to-self"}');
    await expect(connect(s.url('user=b'))).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await a.close();
  });

  it('swaps certificate and key live: open connections keep working, new ones see the new certificate', async () => {
    s = await startServer({ tls: leaf });
    const a = await connect(s.url('user=a'), { ca: ca.cert });
    const otherCa = await makeCa('second CA');
    const next = await otherCa.issue();
    await s.server.reconfigure({ tls: next });
    a.send('{"protocol":"one-to-self","still":"open"}');
    expect(await a.next()).toBe('{"protocol":"one-to-self","still":"open"}');
    await expect(connect(s.url('user=b'), { ca: ca.cert })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const b = await connect(s.url('user=b'), { ca: otherCa.cert });
    b.send('{"protocol":"one-to-one","endpoint":"a"}');
    expect(await a.next()).toBe('{"protocol":"one-to-one","endpoint":"a"}');
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps the current certificate when a swap is refused', async () => {
    s = await startServer({ tls: leaf });
    const other = await ca.issue();
    await expect(s.server.reconfigure({ tls: { cert: leaf.cert, key: other.key } })).rejects.toThrow(/does not match/);
    const a = await connect(s.url('user=a'), { ca: ca.cert });
    await a.close();
  });

  it('refuses to start with bad material and says why', async () => {
    const server = createSignalServer({
      host: '127.0.0.1',
      port: 0,
      tls: { cert: leaf.cert, key: (await ca.issue()).key },
      mdns: { enabled: false },
    });
    await expect(server.start()).rejects.toMatchObject({ problem: { code: 'tls-invalid' } });
    expect(server.status().state).toBe('stopped');
  });
});

describe('checkTls', () => {
  it('describes the certificate', () => {
    const c = checkTls(leaf);
    expect(c.info.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(c.info.issuer).toBe('CN=rustysignal test CA');
    expect(c.info.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(c.expiryWarning).toBeNull();
  });

  it('names each problem', async () => {
    const expired = await ca.issue({ notBefore: new Date('2020-01-01'), notAfter: new Date('2021-03-01') });
    const future = await ca.issue({ notBefore: new Date('2099-01-01'), notAfter: new Date('2100-01-01') });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const encrypted = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string;
    expect(() => checkTls(expired)).toThrow(
      new TlsError('the certificate expired on 2021-03-01: load a renewed certificate'),
    );
    expect(() => checkTls(future)).toThrow(
      "the certificate is not valid before 2099-01-01: check this computer's clock or load another certificate",
    );
    expect(() => checkTls({ cert: leaf.cert, key: rsa })).toThrow(
      /^the private key does not match the certificate \(CN=localhost\)/,
    );
    expect(() => checkTls({ cert: leaf.key, key: leaf.key })).toThrow(
      /^the certificate is not a readable PEM certificate/,
    );
    expect(() => checkTls({ cert: leaf.cert, key: encrypted })).toThrow(
      'the private key is encrypted and the passphrase is missing or wrong: give the right passphrase',
    );
    expect(() => checkTls({ cert: leaf.cert, key: encrypted, passphrase: 'nope' })).toThrow(
      /passphrase is missing or wrong/,
    );
    const soon = await ca.issue({ notAfter: new Date(Date.now() + 3 * 86_400_000) });
    expect(checkTls(soon).expiryWarning).toMatch(
      /^the TLS certificate expires on \d{4}-\d\d-\d\d \(in 2 days\): renew it soon$/,
    );
  });
});
