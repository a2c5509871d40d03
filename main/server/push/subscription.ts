// What a browser's PushSubscription must look like before the server stores it (RFC 8030 endpoint,
// RFC 8291 keys). Used for what clients send and again for what is read back from disk.
import { ECDH } from 'node:crypto';
import { z } from 'zod';

/** A validated subscription, keys as base64url without padding. */
export interface StoredSubscription {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}

const maxEndpointChars = 2048;
/** Upper bound on `subscriptionData` text; a real subscription is a few hundred characters. */
const maxDataChars = 4096;

const base64url = /^[A-Za-z0-9_-]+={0,2}$/;

function decode(s: string): Buffer | null {
  return base64url.test(s) ? Buffer.from(s.replace(/=+$/, ''), 'base64url') : null;
}

function isP256Point(s: string): boolean {
  const b = decode(s);
  if (b === null || b.length !== 65 || b[0] !== 4) return false;
  try {
    ECDH.convertKey(b, 'prime256v1'); // throws when the point is not on the curve
    return true;
  } catch {
    return false;
  }
}

function isHttpsUrl(s: string): boolean {
  try {
    const u = new URL(s);
    // web-push only speaks HTTPS, so an http: endpoint could never be delivered to.
    return u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const unpadded = (s: string) => s.replace(/=+$/, '');

/** Schema of one PushSubscription; unknown members are dropped. */
export const subscriptionSchema = z.object({
  endpoint: z
    .string({ error: 'subscription endpoint is missing' })
    .max(maxEndpointChars, { error: `subscription endpoint is longer than ${maxEndpointChars} characters` })
    .refine(isHttpsUrl, { error: 'subscription endpoint must be an https: URL' }),
  expirationTime: z
    .number()
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  keys: z.object(
    {
      p256dh: z
        .string({ error: 'subscription keys.p256dh is missing' })
        .refine(isP256Point, {
          error: 'subscription keys.p256dh must be a base64url P-256 public key (65-byte uncompressed point)',
        })
        .transform(unpadded),
      auth: z
        .string({ error: 'subscription keys.auth is missing' })
        .refine((s) => decode(s)?.length === 16, { error: 'subscription keys.auth must be base64url of 16 bytes' })
        .transform(unpadded),
    },
    { error: 'subscription keys are missing (keys.p256dh and keys.auth)' },
  ),
});

export type ParsedSubscription = { ok: true; subscription: StoredSubscription } | { ok: false; message: string };

/**
 * Validates what a client sent as `subscriptionData`: a PushSubscription as JSON text (what the
 * original server required) or as an object (what `subscription.toJSON()` gives).
 */
export function parseSubscriptionData(data: unknown): ParsedSubscription {
  let value = data;
  if (typeof data === 'string') {
    if (data.length > maxDataChars)
      return { ok: false, message: `subscriptionData is longer than ${maxDataChars} characters` };
    try {
      value = JSON.parse(data);
    } catch {
      return {
        ok: false,
        message: 'subscriptionData is not valid JSON: send JSON.stringify(subscription) or the subscription object',
      };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      message: 'subscriptionData must be a PushSubscription (an object with endpoint and keys, or its JSON text)',
    };
  }
  const r = subscriptionSchema.safeParse(value);
  if (!r.success) return { ok: false, message: r.error.issues[0]?.message ?? 'invalid subscription' };
  return { ok: true, subscription: r.data };
}
