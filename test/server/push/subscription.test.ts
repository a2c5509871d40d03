// What `subscribe-push` accepts as subscriptionData, through the PushService seam the router calls.
import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createPushService } from '../../../main/server/push/push-service.js';
import { generateVapidKey } from '../../../main/server/push/vapid.js';
import { makeBrowserSubscription } from './support/browser-subscription.js';

const s = createPushService({
  vapidPrivateKeyPem: generateVapidKey().pem,
  subject: 'mailto:ops@example.org',
  encoding: 'aes128gcm',
  timeoutMs: 1000,
  dataDir: null,
});
afterAll(() => s.close());

const good = () => makeBrowserSubscription('https://push.example.net/send/abc123').json;
const invalid = (message: string) => ({ ok: false, code: 'invalid-subscription', message });

describe('subscriptionData', () => {
  it('is accepted as an object and as JSON text, and stored per room and name', () => {
    expect(s.subscribe('', 'obj', good())).toEqual({ ok: true });
    expect(s.subscribe('', 'txt', JSON.stringify(good()))).toEqual({ ok: true });
    expect(s.subscribe('other', 'obj', { ...good(), somethingElse: 1 })).toEqual({ ok: true });
    expect(s.isSubscribed('', 'obj') && s.isSubscribed('', 'txt') && s.isSubscribed('other', 'obj')).toBe(true);
    expect(s.isSubscribed('other', 'txt')).toBe(false);
  });

  it('keeps base64url keys unpadded even when a client padded them', () => {
    const g = good();
    const padded = { ...g, keys: { p256dh: g.keys.p256dh + '=', auth: g.keys.auth + '==' } };
    expect(s.subscribe('', 'padded', padded)).toEqual({ ok: true });
    expect(s.store.get('', 'padded')?.subscription.keys).toEqual(g.keys);
  });

  it('rejects what is not a subscription, saying what is wrong', () => {
    const g = good();
    const offCurve = Buffer.from(g.keys.p256dh, 'base64url');
    offCurve[64] = offCurve[64]! ^ 1;
    const cases: Array<[unknown, string]> = [
      [
        '{"endpoint":',
        'subscriptionData is not valid JSON: send JSON.stringify(subscription) or the subscription object',
      ],
      [null, 'subscriptionData must be a PushSubscription (an object with endpoint and keys, or its JSON text)'],
      [undefined, 'subscriptionData must be a PushSubscription (an object with endpoint and keys, or its JSON text)'],
      [[g], 'subscriptionData must be a PushSubscription (an object with endpoint and keys, or its JSON text)'],
      [
        '"just a string"',
        'subscriptionData must be a PushSubscription (an object with endpoint and keys, or its JSON text)',
      ],
      [{ keys: g.keys }, 'subscription endpoint is missing'],
      [{ ...g, endpoint: 'http://push.example.net/send/abc' }, 'subscription endpoint must be an https: URL'],
      [{ ...g, endpoint: 'not a url' }, 'subscription endpoint must be an https: URL'],
      [{ ...g, endpoint: 'https://user:pw@push.example.net/x' }, 'subscription endpoint must be an https: URL'],
      [
        { ...g, endpoint: `https://push.example.net/${'a'.repeat(2048)}` },
        'subscription endpoint is longer than 2048 characters',
      ],
      [{ endpoint: g.endpoint }, 'subscription keys are missing (keys.p256dh and keys.auth)'],
      [{ ...g, keys: { auth: g.keys.auth } }, 'subscription keys.p256dh is missing'],
      [
        { ...g, keys: { ...g.keys, p256dh: g.keys.p256dh.slice(0, 40) } },
        'subscription keys.p256dh must be a base64url P-256 public key (65-byte uncompressed point)',
      ],
      [
        { ...g, keys: { ...g.keys, p256dh: offCurve.toString('base64url') } },
        'subscription keys.p256dh must be a base64url P-256 public key (65-byte uncompressed point)',
      ],
      [
        { ...g, keys: { ...g.keys, p256dh: createECDH('prime256v1').generateKeys('base64url', 'compressed') } },
        'subscription keys.p256dh must be a base64url P-256 public key (65-byte uncompressed point)',
      ],
      [
        { ...g, keys: { ...g.keys, auth: randomBytes(12).toString('base64url') } },
        'subscription keys.auth must be base64url of 16 bytes',
      ],
      [{ ...g, keys: { ...g.keys, auth: 'not/base64url+' } }, 'subscription keys.auth must be base64url of 16 bytes'],
      [{ ...g, keys: { p256dh: g.keys.p256dh } }, 'subscription keys.auth is missing'],
      ['x'.repeat(5000), 'subscriptionData is longer than 4096 characters'],
    ];
    for (const [data, message] of cases) expect(s.subscribe('', 'bad', data), message).toEqual(invalid(message));
    expect(s.isSubscribed('', 'bad')).toBe(false);
  });
});
