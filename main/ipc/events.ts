// Forwards what happens in the main process to the dashboard as the contract's events, so the window
// never polls: host events as they come, settings/certificate/push views whenever the settings change.
import type { EventChannel, EventMap } from './contract.js';
import type { IpcDeps } from './deps.js';
import { certificateInfo, pushInfo, settingsInfo } from './views.js';

/** Sends one event to the renderer(s). */
export type EventSink = <E extends EventChannel>(event: E, payload: EventMap[E]) => void;

/** Subscribes `send` to everything the dashboard shows; returns the function that unsubscribes it all. */
export function forwardEvents(deps: IpcDeps, send: EventSink): () => void {
  const { host } = deps;
  const offs = [
    host.events.on('status', (s) => send('status', s)),
    host.events.on('problem', (p) => send('problem', p)),
    host.events.on('peer-joined', (p) => send('peer-joined', p)),
    host.events.on('peer-left', (p) => send('peer-left', p)),
    host.events.on('peer-stats', (rows) => send('peer-stats', rows)),
    host.events.on('connections', (c) => send('connections', c)),
    host.events.on('discovery', (d) => send('discovery', d)),
    // The push view also changes when the server starts or stops (enabled, subscription count).
    host.events.on('status', () => send('push', pushInfo(deps))),
    deps.settings.onChange(() => {
      void settingsInfo(deps).then(
        (s) => send('settings', s),
        () => {},
      );
      try {
        send('certificate', certificateInfo(deps));
      } catch {
        // An unreadable linked certificate is reported by the host when it starts.
      }
      send('push', pushInfo(deps));
    }),
  ];
  if (deps.logs.onLine) offs.push(deps.logs.onLine((line) => send('log', line)));
  return () => {
    for (const off of offs) off();
  };
}
