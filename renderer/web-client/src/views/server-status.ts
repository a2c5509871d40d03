// The line at the top that says whether the server can be reached, in words a user can act on.
import type { CloseInfo, SignalClient } from '../../../client/index.js';

export type ServerView = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unreachable' | 'refused' | 'closed';

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

/** Whether the server answers plain HTTP: if it does, a failing WebSocket was refused, not unreachable. */
async function serverAnswers(): Promise<boolean> {
  try {
    const r = await fetch(new URL('healthz', location.href), { cache: 'no-store' });
    return r.ok;
  } catch {
    return false;
  }
}

/** Keeps `el` (text and data-state) in step with `client`; returns a function that stops it. */
export function watchServer(client: SignalClient, el: HTMLElement): () => void {
  const show = (state: ServerView, text: string) => {
    el.dataset.state = state;
    el.textContent = text;
  };
  const where = location.host;
  const onState = (s: SignalClient['state']) => {
    if (s === 'connecting') show('connecting', 'Connecting to the server…');
    if (s === 'open') {
      const who = client.name === null ? 'without a name' : `as ${client.name}`;
      show('open', `Connected ${who}${client.room ? ` in room “${client.room}”` : ''}.`);
    }
  };
  const onClose = (info: CloseInfo) => {
    if (info.closedReason === 'taken-over')
      return show(
        'closed',
        'This name is now in use in another tab or on another device. Reload this page to use it here.',
      );
    if (info.closedReason === 'kicked')
      return show(
        'closed',
        `The server disconnected you${info.reason ? `: ${info.reason}` : ''}. Reload the page to join again.`,
      );
    if (info.closedReason !== null)
      return show('closed', 'Disconnected from the server. Reload the page to join again.');
    const retry = info.retryInMs === null ? '' : ` Trying again in ${seconds(info.retryInMs)}…`;
    if (info.wasOpen) return show('reconnecting', `Lost the connection to the server.${retry}`);
    void serverAnswers().then((answers) => {
      if (client.state !== 'reconnecting') return;
      if (answers)
        show(
          'refused',
          `The server at ${where} refused the connection: it may need an access key (add ?key=… to the address) or be full.${retry}`,
        );
      else
        show(
          'unreachable',
          `Cannot reach the server at ${where}. Is this device on the same network, and is the server running?${retry}`,
        );
    });
  };
  const offs = [client.on('state', onState), client.on('close', onClose)];
  onState(client.state);
  return () => offs.forEach((off) => off());
}
