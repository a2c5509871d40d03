// Decryption of Web Push messages written from the RFCs with node:crypto, independent of web-push and
// its bundled http_ece: RFC 8291 + RFC 8188 (aes128gcm) and the legacy draft "aesgcm" scheme
// (draft-ietf-webpush-encryption-04 with draft-ietf-httpbis-encryption-encoding-03).
import { createDecipheriv, hkdfSync, type ECDH } from 'node:crypto';

const hkdf = (ikm: Buffer, salt: Buffer, info: Buffer, len: number) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, len));

function aesGcmOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer {
  const d = createDecipheriv('aes-128-gcm', key, nonce);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

/** RFC 8291: one-record aes128gcm body -> plaintext. Throws if anything does not authenticate. */
export function decryptAes128gcm(body: Buffer, ua: ECDH, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (idlen !== 65 || records.length > rs)
    throw new Error(`unexpected header: idlen ${idlen}, rs ${rs}, ${records.length} bytes`);
  const ecdhSecret = ua.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]);
  const ikm = hkdf(ecdhSecret, authSecret, keyInfo, 32);
  const cek = hkdf(ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12);
  const padded = aesGcmOpen(cek, nonce, records);
  // The last record ends with the delimiter 0x02 followed by zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('last-record delimiter 0x02 missing');
  return padded.subarray(0, end);
}

/** Legacy aesgcm: body plus the `dh` (Crypto-Key) and `salt` (Encryption) header values -> plaintext. */
export function decryptAesgcm(body: Buffer, ua: ECDH, authSecret: Buffer, dh: string, salt: string): Buffer {
  const asPublic = Buffer.from(dh, 'base64url');
  const saltBytes = Buffer.from(salt, 'base64url');
  const ikm = hkdf(ua.computeSecret(asPublic), authSecret, Buffer.from('Content-Encoding: auth\0'), 32);
  const len = (b: Buffer) => Buffer.from([b.length >> 8, b.length & 0xff]);
  const uaPublic = ua.getPublicKey();
  const context = Buffer.concat([Buffer.from('P-256\0'), len(uaPublic), uaPublic, len(asPublic), asPublic]);
  const cek = hkdf(ikm, saltBytes, Buffer.concat([Buffer.from('Content-Encoding: aesgcm\0'), context]), 16);
  const nonce = hkdf(ikm, saltBytes, Buffer.concat([Buffer.from('Content-Encoding: nonce\0'), context]), 12);
  if (body.length > 4096 + 16) throw new Error('more than one record; this test expects one');
  const padded = aesGcmOpen(cek, nonce, body);
  // Each record starts with a two-byte pad length and that many zero bytes.
  const pad = padded.readUInt16BE(0);
  return padded.subarray(2 + pad);
}

/** Reads `name=value` out of a header like `dh=abc;p256ecdsa=def` or `salt=xyz`. */
export function headerParam(header: string | string[] | undefined, name: string): string {
  const text = Array.isArray(header) ? header.join(';') : (header ?? '');
  for (const part of text.split(/[;,]/)) {
    const [k, v] = part.trim().split('=');
    if (k === name && v !== undefined) return v;
  }
  throw new Error(`${name}= not found in "${text}"`);
}
