// Certificates made in the test: a CA and leaves (EC P-256, SHA-256) with @peculiar/x509.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Pem {
  cert: string;
  key: string;
}

async function pkcs8(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

export interface TestCa extends Pem {
  issue(opts?: { cn?: string; dns?: string[]; ips?: string[]; notBefore?: Date; notAfter?: Date }): Promise<Pem>;
}

/** A throwaway CA; `issue` signs leaves for 127.0.0.1/localhost by default. */
export async function makeCa(name = 'rustysignal test CA'): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 90 * 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  let serial = 2;
  return {
    cert: caCert.toString('pem'),
    key: await pkcs8(keys.privateKey),
    async issue(o = {}) {
      const leafKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
      const names = [
        ...(o.dns ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
        ...(o.ips ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
      ];
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        subject: `CN=${o.cn ?? 'localhost'}`,
        issuer: caCert.subject,
        notBefore: o.notBefore ?? new Date(Date.now() - 3_600_000),
        notAfter: o.notAfter ?? new Date(Date.now() + 90 * 86_400_000),
        signingKey: keys.privateKey,
        publicKey: leafKeys.publicKey,
        signingAlgorithm: alg,
        extensions: [
          new x509.SubjectAlternativeNameExtension(names),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ],
      });
      return { cert: leaf.toString('pem'), key: await pkcs8(leafKeys.privateKey) };
    },
  };
}
