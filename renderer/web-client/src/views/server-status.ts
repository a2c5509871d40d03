// The line at the top that says whether the server can be reached, in words a user can act on, with a
// countdown to the next attempt and a "Retry now" button.
import type { CloseInfo, SignalClient } from '../../../client/index.js';
import { t } from '../i18n/index.js';

export type ServerView = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unreachable' | 'refused' | 'closed';

/** Whether the server answers plain HTTP: if it does, a failing WebSocket was refused, not unreachable. */
async function serverAnswers(): Promise<boolean> {
  try {
    const r = await fetch(new URL('healthz', location.href), { cache: 'no-store' });
    return r.ok;
  } catch {
    return false;
  }
}

/** Keeps `el` (text and data-state) and `retry` in step with `client`; returns a function that stops it. */
export function watchServer(client: SignalClient, el: HTMLElement, retry: HTMLButtonElement): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const stopCountdown = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const show = (state: ServerView, text: string) => {
    el.dataset.state = state;
    el.textContent = text;
  };
  /** Shows `text(retryText)` now and each second until the retry, so the number counts down. */
  const countdown = (state: ServerView, text: (retry: string) => string, at: number | null) => {
    stopCountdown();
    retry.hidden = at === null;
    if (at === null) return show(state, text(''));
    const tick = () => {
      const left = Math.max(1, Math.ceil((at - Date.now()) / 1000));
      show(state, text(t.retryIn(left)));
      if (Date.now() >= at) stopCountdown();
    };
    tick();
    timer = setInterval(tick, 1000);
  };
  const where = location.host;
  const onState = (s: SignalClient['state']) => {
    if (s === 'connecting' || s === 'open') {
      stopCountdown();
      retry.hidden = true;
    }
    if (s === 'connecting') show('connecting', t.connecting);
    if (s === 'open') show('open', t.connected(client.name, client.room));
  };
  const onClose = (info: CloseInfo) => {
    if (info.closedReason !== null) {
      stopCountdown();
      retry.hidden = true;
    }
    if (info.closedReason === 'taken-over') return show('closed', t.takenOver);
    if (info.closedReason === 'kicked') return show('closed', t.kicked(info.reason));
    if (info.closedReason !== null) return show('closed', t.disconnected);
    const at = info.retryInMs === null ? null : Date.now() + info.retryInMs;
    if (info.wasOpen) return countdown('reconnecting', (r) => `${t.lost}${r}`, at);
    void serverAnswers().then((answers) => {
      if (client.state !== 'reconnecting') return;
      countdown(
        answers ? 'refused' : 'unreachable',
        (r) => (answers ? t.refused(where) : t.unreachable(where)) + r,
        at,
      );
    });
  };
  const onRetry = () => client.reconnectNow();
  retry.addEventListener('click', onRetry);
  const offs = [client.on('state', onState), client.on('close', onClose)];
  onState(client.state);
  return () => {
    stopCountdown();
    retry.hidden = true;
    retry.removeEventListener('click', onRetry);
    offs.forEach((off) => off());
  };
}
