// STUN message codec (RFC 8489 §5, §14, §15): parse a datagram into method, class, transaction id and
// attributes (kept as views on the received bytes, so MESSAGE-INTEGRITY is checked over exactly what
// arrived), and build responses with MESSAGE-INTEGRITY and FINGERPRINT. Never throws on bad input.
import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_BYTES = 20;

export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

export const Class = { Request: 0x000, Indication: 0x010, Success: 0x100, Error: 0x110 } as const;
export type MessageClass = (typeof Class)[keyof typeof Class];

export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  MessageIntegritySha256: 0x001c,
  PasswordAlgorithm: 0x001d,
  UserHash: 0x001e,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  AdditionalAddressFamily: 0x8000,
  PasswordAlgorithms: 0x8002,
  Software: 0x8022,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
} as const;

/** Comprehension-required attributes (type < 0x8000) this server understands; others get a 420. */
const understood = new Set<number>([
  Attr.MappedAddress,
  Attr.Username,
  Attr.MessageIntegrity,
  Attr.ErrorCode,
  Attr.UnknownAttributes,
  Attr.ChannelNumber,
  Attr.Lifetime,
  Attr.XorPeerAddress,
  Attr.Data,
  Attr.Realm,
  Attr.Nonce,
  Attr.XorRelayedAddress,
  Attr.RequestedAddressFamily,
  Attr.EvenPort,
  Attr.RequestedTransport,
  Attr.DontFragment,
  Attr.MessageIntegritySha256,
  Attr.PasswordAlgorithm,
  Attr.UserHash,
  Attr.XorMappedAddress,
  Attr.ReservationToken,
  Attr.Priority,
  Attr.UseCandidate,
]);

const FINGERPRINT_XOR = 0x5354554e;

export interface Attribute {
  type: number;
  value: Buffer;
  /** Offset of the attribute header in the message. */
  offset: number;
}

export interface StunMessage {
  method: number;
  cls: MessageClass;
  transactionId: Buffer;
  attributes: Attribute[];
  raw: Buffer;
  /** Offset of the MESSAGE-INTEGRITY attribute, or -1. */
  integrityAt: number;
  /** Offset of the FINGERPRINT attribute, or -1. */
  fingerprintAt: number;
}

export interface TransportAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

/** True when the buffer starts like a STUN message (first two bits zero, magic cookie in place). */
export function looksLikeStun(buf: Buffer): boolean {
  return buf.length >= HEADER_BYTES && (buf[0]! & 0xc0) === 0 && buf.readUInt32BE(4) === MAGIC_COOKIE;
}

export function messageType(method: number, cls: number): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | cls;
}

/** Parses one whole STUN message; null when it is not a well-formed one. */
export function parseStun(buf: Buffer): StunMessage | null {
  if (!looksLikeStun(buf)) return null;
  const length = buf.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== buf.length) return null;
  const t = buf.readUInt16BE(0);
  const msg: StunMessage = {
    method: (t & 0x000f) | ((t >> 1) & 0x0070) | ((t >> 2) & 0x0f80),
    cls: (t & 0x0110) as MessageClass,
    transactionId: buf.subarray(8, 20),
    attributes: [],
    raw: buf,
    integrityAt: -1,
    fingerprintAt: -1,
  };
  let at = HEADER_BYTES;
  while (at < buf.length) {
    if (at + 4 > buf.length) return null;
    const type = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    const end = at + 4 + len;
    if (end > buf.length) return null;
    if (msg.fingerprintAt >= 0) return null; // FINGERPRINT must be last
    if (type === Attr.Fingerprint) {
      if (len !== 4) return null;
      msg.fingerprintAt = at;
    } else if (msg.integrityAt >= 0) {
      // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are ignored.
    } else {
      if (type === Attr.MessageIntegrity) {
        if (len !== 20) return null;
        msg.integrityAt = at;
      }
      msg.attributes.push({ type, value: buf.subarray(at + 4, end), offset: at });
    }
    at = end + ((4 - (len % 4)) % 4);
  }
  if (at !== buf.length) return null;
  if (msg.fingerprintAt >= 0 && buf.readUInt32BE(msg.fingerprintAt + 4) !== fingerprintOf(buf, msg.fingerprintAt))
    return null;
  return msg;
}

export function attr(msg: StunMessage, type: number): Buffer | undefined {
  for (const a of msg.attributes) if (a.type === type) return a.value;
  return undefined;
}

/** Comprehension-required attribute types in `msg` this server does not understand. */
export function unknownRequired(msg: StunMessage): number[] {
  return msg.attributes.filter((a) => a.type < 0x8000 && !understood.has(a.type)).map((a) => a.type);
}

function fingerprintOf(buf: Buffer, at: number): number {
  const header = Buffer.from(buf.subarray(0, 4));
  header.writeUInt16BE(at + 8 - HEADER_BYTES, 2);
  return (crc32(buf.subarray(4, at), crc32(header)) ^ FINGERPRINT_XOR) >>> 0;
}

function integrityOf(buf: Buffer, at: number, key: Buffer): Buffer {
  const header = Buffer.from(buf.subarray(0, 4));
  header.writeUInt16BE(at + 24 - HEADER_BYTES, 2);
  return createHmac('sha1', key).update(header).update(buf.subarray(4, at)).digest();
}

/** Checks MESSAGE-INTEGRITY (HMAC-SHA1) with the long-term key; false when absent or wrong. */
export function integrityMatches(msg: StunMessage, key: Buffer): boolean {
  if (msg.integrityAt < 0) return false;
  const expected = integrityOf(msg.raw, msg.integrityAt, key);
  return expected.equals(msg.raw.subarray(msg.integrityAt + 4, msg.integrityAt + 24));
}

/** Decodes an (XOR-)address attribute; null when malformed. */
export function readAddress(value: Buffer, transactionId: Buffer, xor: boolean): TransportAddress | null {
  if (value.length < 4) return null;
  const fam = value[1];
  const port = value.readUInt16BE(2) ^ (xor ? MAGIC_COOKIE >>> 16 : 0);
  if (fam === 0x01 && value.length === 8) {
    const a = value.readUInt32BE(4) ^ (xor ? MAGIC_COOKIE : 0);
    return { family: 4, port, address: `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}` };
  }
  if (fam === 0x02 && value.length === 20) {
    const bytes = Buffer.from(value.subarray(4, 20));
    if (xor) {
      const mask = Buffer.alloc(16);
      mask.writeUInt32BE(MAGIC_COOKIE, 0);
      transactionId.copy(mask, 4);
      for (let i = 0; i < 16; i++) bytes[i]! ^= mask[i]!;
    }
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return { family: 6, port, address: compressIpv6(groups.join(':')) };
  }
  return null;
}

function compressIpv6(full: string): string {
  // The longest run of zero groups becomes '::', as Node and browsers write IPv6 addresses.
  const best = /(?:^|:)(0(?::0)+)(?::|$)/g;
  let longest = '';
  for (const m of full.matchAll(best)) if (m[1]!.length > longest.length) longest = m[1]!;
  if (!longest) return full;
  const i = full.indexOf(longest);
  const head = full.slice(0, i).replace(/:$/, '');
  const tail = full.slice(i + longest.length).replace(/^:/, '');
  return `${head}::${tail}`;
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Encodes an (XOR-)address attribute value. */
export function addressValue(a: TransportAddress, transactionId: Buffer, xor: boolean): Buffer {
  const v = Buffer.alloc(a.family === 4 ? 8 : 20);
  v[1] = a.family === 4 ? 0x01 : 0x02;
  v.writeUInt16BE(a.port ^ (xor ? MAGIC_COOKIE >>> 16 : 0), 2);
  if (a.family === 4) {
    const n = a.address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    v.writeUInt32BE((n ^ (xor ? MAGIC_COOKIE : 0)) >>> 0, 4);
  } else {
    const bytes = ipv6Bytes(a.address);
    if (xor) {
      const mask = Buffer.alloc(16);
      mask.writeUInt32BE(MAGIC_COOKIE, 0);
      transactionId.copy(mask, 4);
      for (let i = 0; i < 16; i++) bytes[i]! ^= mask[i]!;
    }
    bytes.copy(v, 4);
  }
  return v;
}

export function errorCodeValue(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const v = Buffer.alloc(4 + text.length);
  v[2] = Math.floor(code / 100);
  v[3] = code % 100;
  text.copy(v, 4);
  return v;
}

/** Reads an ERROR-CODE value: { code, reason }. */
export function readErrorCode(value: Buffer): { code: number; reason: string } | null {
  if (value.length < 4) return null;
  return { code: (value[2]! & 7) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Builds one STUN message; `finish` appends MESSAGE-INTEGRITY (when a key is given) and FINGERPRINT. */
export class StunBuilder {
  readonly #parts: Buffer[] = [];
  #length = 0;

  constructor(
    readonly method: number,
    readonly cls: MessageClass,
    readonly transactionId: Buffer,
  ) {}

  add(type: number, value: Buffer): this {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(value.length, 2);
    const pad = (4 - (value.length % 4)) % 4;
    this.#parts.push(head, value);
    if (pad) this.#parts.push(Buffer.alloc(pad));
    this.#length += 4 + value.length + pad;
    return this;
  }

  finish(key: Buffer | null, fingerprint = true): Buffer {
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt16BE(messageType(this.method, this.cls), 0);
    header.writeUInt32BE(MAGIC_COOKIE, 4);
    this.transactionId.copy(header, 8, 0, 12);
    const extra = (key ? 24 : 0) + (fingerprint ? 8 : 0);
    const out = Buffer.alloc(HEADER_BYTES + this.#length + extra);
    header.copy(out);
    out.writeUInt16BE(this.#length + extra, 2);
    let at = HEADER_BYTES;
    for (const p of this.#parts) at += p.copy(out, at);
    if (key) {
      out.writeUInt16BE(Attr.MessageIntegrity, at);
      out.writeUInt16BE(20, at + 2);
      integrityOf(out, at, key).copy(out, at + 4);
      at += 24;
    }
    if (fingerprint) {
      out.writeUInt16BE(Attr.Fingerprint, at);
      out.writeUInt16BE(4, at + 2);
      out.writeUInt32BE(fingerprintOf(out, at), at + 4);
    }
    return out;
  }
}
