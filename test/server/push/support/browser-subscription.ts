// A PushSubscription made the way a browser makes one: an ECDH P-256 key pair and a 16-byte auth secret.
import { createECDH, randomBytes, type ECDH } from 'node:crypto';

export interface BrowserSubscription {
  /** What `subscription.toJSON()` gives in a browser. */
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  /** The user agent's private side, to decrypt what arrives. */
  ecdh: ECDH;
  authSecret: Buffer;
}

export function makeBrowserSubscription(endpoint: string): BrowserSubscription {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return {
    json: {
      endpoint,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
    },
    ecdh,
    authSecret,
  };
}
