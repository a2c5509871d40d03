// The library speaking v1 (rustysignal 2.0.2's dialect) next to v2 clients, and the push calls.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushServiceFactory } from '../../main/server/push/factory.js';
import { makeBrowserSubscription } from '../server/push/support/browser-subscription.js';
import { startFakePushService, type FakePushService } from '../server/push/support/fake-push-service.js';
import { startServerWithClients, type ServerWithClients } from './helpers.js';

describe('v1 dialect', () => {
  let env: ServerWithClients;
  beforeAll(async () => {
    env = await startServerWithClients();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('talks both ways with a v2 client, claims its name, and gets its own broadcast back', async () => {
    const old = env.client({ name: 'old', dialect: 1 });
    const neu = env.client({ name: 'neu' });
    expect(await old.connect()).toBeNull();
    expect(old.state).toBe('open');
    expect(old.name).toBe('old');
    await neu.connect();

    const atNew = neu.next('message');
    await expect(old.send('neu', 'offer', { sdp: 'x' })).resolves.toEqual({ status: 'relayed' });
    expect((await atNew)[0]).toMatchObject({ from: 'old', fromVerified: true, action: 'offer', data: { sdp: 'x' } });

    const atOld = old.next('message');
    await neu.send('old', 'answer', { sdp: 'y' });
    // A v1 recipient gets the bytes as sent: the name is the sender's own claim.
    expect((await atOld)[0]).toMatchObject({
      protocol: 'one-to-one',
      from: 'neu',
      fromVerified: false,
      action: 'answer',
      data: { sdp: 'y' },
    });

    const seen: string[] = [];
    old.on('message', (m) => seen.push(`old:${m.action}`));
    neu.on('message', (m) => seen.push(`neu:${m.action}`));
    const both = Promise.all([old.next('message'), neu.next('message')]);
    await old.broadcast('hi');
    await both;
    expect(seen.sort()).toEqual(['neu:hi', 'old:hi']);
  });

  it('maps the v1 error texts to codes and rejects the send they belong to', async () => {
    const c = env.client({ name: 'v1-sender', dialect: 1 });
    await c.connect();
    const ok = env.client({ name: 'present', dialect: 1 });
    await ok.connect();
    const [a, b, d] = await Promise.allSettled([c.send('present', 'x'), c.send('absent', 'y'), c.send('present', 'z')]);
    expect(a).toEqual({ status: 'fulfilled', value: { status: 'relayed' } });
    expect(b.status === 'rejected' && b.reason).toMatchObject({
      code: 'unknown-peer',
      message: 'Could not find a node with the name absent',
    });
    expect(d).toEqual({ status: 'fulfilled', value: { status: 'relayed' } });
    await expect(c.requestConnection('present')).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('a taken name is reported as username-taken and the client is anonymous', async () => {
    const first = env.client({ name: 'dup', dialect: 1 });
    await first.connect();
    const second = env.client({ name: 'dup', dialect: 1 });
    const err = second.next('error');
    await second.connect();
    expect((await err)[0]).toMatchObject({ code: 'username-taken', message: 'The username is taken' });
    expect(second.name).toBeNull();
  });
});

describe('push calls (v2)', () => {
  let env: ServerWithClients;
  let pushService: FakePushService;
  beforeAll(async () => {
    pushService = await startFakePushService();
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString();
    env = await startServerWithClients(
      {
        push: {
          vapidPrivateKeyPem: pem,
          subject: 'mailto:test@example.org',
          allowHosts: [new URL(pushService.origin).host],
        },
      },
      { pushFactory: pushServiceFactory({ agent: pushService.agent }) },
    );
  });
  afterAll(async () => {
    await env.stop();
    await pushService.close();
  });

  it('publishes the key, stores a subscription, and resolves connection requests with the push result', async () => {
    const sleeper = env.client({ name: 'sleeper' });
    const w = await sleeper.connect();
    expect(w?.push?.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    await expect(
      sleeper.subscribePush(makeBrowserSubscription(`${pushService.origin}/push/sleeper`).json),
    ).resolves.toBeUndefined();
    await expect(sleeper.subscribePush({ endpoint: 'not a url' })).rejects.toMatchObject({
      code: 'invalid-subscription',
    });
    sleeper.close();

    const caller = env.client({ name: 'caller' });
    await caller.connect();
    const arrived = pushService.nextRequest();
    await expect(caller.requestConnection('sleeper')).resolves.toMatchObject({ to: 'sleeper', ok: true, status: 201 });
    expect((await arrived).path).toBe('/push/sleeper');
    const unknown = await caller.requestConnection('never-subscribed');
    expect(unknown).toMatchObject({ to: 'never-subscribed', ok: false });
  });

  it('removes a subscription from a later connection only with proof: its endpoint or its pushSecret', async () => {
    const subscription = makeBrowserSubscription(`${pushService.origin}/push/owner`).json;
    const first = env.client({ name: 'owner' });
    await first.connect();
    await first.subscribePush(subscription, 'owner-secret-0123456789');
    first.close();
    const gone = () => expect.poll(() => env.server.peers().some((p) => p.name === 'owner')).toBe(false);
    await gone();
    const later = env.client({ name: 'owner' });
    await later.connect();
    await expect(later.unsubscribePush()).rejects.toMatchObject({ code: 'push-refused' });
    await expect(later.unsubscribePush({ subscription })).resolves.toBeUndefined();
    await later.subscribePush(
      makeBrowserSubscription(`${pushService.origin}/push/owner2`).json,
      'owner-secret-0123456789',
    );
    later.close();
    await gone();
    const third = env.client({ name: 'owner' });
    await third.connect();
    await expect(third.unsubscribePush({ pushSecret: 'owner-secret-0123456789' })).resolves.toBeUndefined();
    third.close();
  });

  it('rejects push calls with push-unavailable on a server without push', async () => {
    const plain = await startServerWithClients();
    try {
      const c = plain.client({ name: 'c' });
      await c.connect();
      expect(c.welcome?.push).toBeNull();
      await expect(c.requestConnection('x')).rejects.toMatchObject({ code: 'push-unavailable' });
      await expect(c.unsubscribePush()).rejects.toMatchObject({ code: 'push-unavailable' });
    } finally {
      await plain.stop();
    }
  });
});
