// Short confirmations ("Copied", "Settings saved") in a polite live region, so screen readers hear
// them too. One message at a time; each disappears after a few seconds.
import { html } from 'lit';
import { requestRender } from '../schedule.js';

let message = '';
let timer: ReturnType<typeof setTimeout> | undefined;

/** Shows `text` in the toast for `ms` (default 3 s). */
export function announce(text: string, ms = 3000): void {
  message = text;
  clearTimeout(timer);
  timer = setTimeout(() => {
    message = '';
    requestRender();
  }, ms);
  requestRender();
}

/** The live region; rendered once by the shell. */
export function toastRegion() {
  return html`<div class="toast" role="status" aria-live="polite" data-testid="toast">${message}</div>`;
}
