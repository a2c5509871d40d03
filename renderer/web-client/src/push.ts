// "Notify me when someone wants to connect": a service worker, a push subscription with the server's
// VAPID key, and `subscribe-push`. Only offered where it can work: the server has keys and the page is a
// secure context (https:// or localhost) with service workers and the Push API.
import { t } from './i18n/index.js';
import type { SignalClient } from '../../client/index.js';
import { storedPushOptIn } from './page-config.js';

export function pushSupported(): boolean {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function sameKey(sub: PushSubscription, key: Uint8Array): boolean {
  const k = sub.options.applicationServerKey;
  if (!k) return false;
  const a = new Uint8Array(k);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}

async function registration(room: string): Promise<ServiceWorkerRegistration> {
  // The room rides in the worker's URL so a notification's Allow reopens the right room.
  await navigator.serviceWorker.register(`./sw.js?room=${encodeURIComponent(room)}`, { scope: './' });
  return navigator.serviceWorker.ready;
}

/** Subscribes this browser for `client`'s name; returns a sentence for the user. */
export async function enablePush(client: SignalClient): Promise<string> {
  const publicKey = client.welcome?.push?.publicKey;
  if (!publicKey || client.name === null) return t.pushUnavailable;
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return t.pushBlocked;
  try {
    const reg = await registration(client.room);
    const key = keyBytes(publicKey);
    let sub = await reg.pushManager.getSubscription();
    // A subscription made for another server key would be refused by the push service.
    if (sub && !sameKey(sub, key)) {
      await sub.unsubscribe();
      sub = null;
    }
    sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    await client.subscribePush(sub.toJSON());
    storedPushOptIn.set(client.room, client.name, true);
    return t.pushOn(client.name);
  } catch (err) {
    return t.pushFailed((err as Error).message);
  }
}

export async function disablePush(client: SignalClient): Promise<string> {
  if (client.name !== null) storedPushOptIn.set(client.room, client.name, false);
  const reg = await navigator.serviceWorker.getRegistration('./');
  const sub = await reg?.pushManager.getSubscription();
  // The endpoint proves the subscription is this browser's, also from a later connection.
  await client.unsubscribePush(sub ? { subscription: sub.toJSON() } : {}).catch(() => undefined);
  await sub?.unsubscribe();
  return t.pushIsOff;
}

/** After each welcome: re-send an existing subscription (the server may have restarted without its store). */
export async function refreshPush(client: SignalClient): Promise<boolean> {
  if (
    !pushSupported() ||
    client.name === null ||
    !client.welcome?.push ||
    !storedPushOptIn.get(client.room, client.name)
  )
    return false;
  if (Notification.permission !== 'granted') return false;
  const reg = await navigator.serviceWorker.getRegistration('./');
  const sub = await reg?.pushManager.getSubscription();
  if (!sub) return false;
  await client.subscribePush(sub.toJSON()).catch(() => undefined);
  return true;
}

/** Messages from the service worker: a notification's Allow while this page is open. */
export function onWorkerConnect(handler: (sender: string) => void): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (ev: MessageEvent) => {
    const d = ev.data as { type?: unknown; sender?: unknown } | null;
    if (d?.type === 'connect' && typeof d.sender === 'string' && d.sender) handler(d.sender);
  });
}
