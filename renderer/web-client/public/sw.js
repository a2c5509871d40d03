// rustysignal service worker: shows "NAME wants to connect with you" with Allow / Deny, and on Allow
// opens (or focuses) the web client in the room it was registered for, asking it to connect to NAME.
const room = new URL(self.location.href).searchParams.get('room') ?? '';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let payload;
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : '' };
  }
  const sender = typeof payload.sender === 'string' ? payload.sender : '';
  const actions = Array.isArray(payload.actions)
    ? payload.actions.filter((a) => a && typeof a.action === 'string' && typeof a.title === 'string').slice(0, 2)
    : [
        { action: 'allowConnection', title: 'Allow' },
        { action: 'denyConnection', title: 'Deny' },
      ];
  event.waitUntil(
    self.registration.showNotification('rustysignal', {
      body: typeof payload.body === 'string' ? payload.body : `${sender}\nwants to connect with you`,
      tag: `connect:${sender}`,
      renotify: true,
      requireInteraction: true,
      data: { sender },
      actions,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  if (event.action === 'denyConnection') return;
  const sender = (event.notification.data && event.notification.data.sender) || '';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const w of windows) {
        if ((new URL(w.url).searchParams.get('room') ?? '') !== room) continue;
        w.postMessage({ type: 'connect', sender });
        return w.focus();
      }
      const url = new URL('./', self.registration.scope);
      if (room) url.searchParams.set('room', room);
      if (sender) url.searchParams.set('connect', sender);
      return self.clients.openWindow(url.href);
    })(),
  );
});
