// Copy buttons. The main process owns the clipboard (app:copyText); a host without it (a plain
// browser) falls back to the web Clipboard API.
import { html } from 'lit';
import { call, IpcFailure } from '../api.js';
import { api } from '../context.js';
import { announce } from './announce.js';

/** Copies text to the clipboard; resolves false (and says so) when neither path works. */
export async function copyText(text: string, what: string): Promise<boolean> {
  try {
    await call(api().app.copyText({ text }));
  } catch (err) {
    const unsupported = err instanceof IpcFailure && err.error.code === 'unsupported';
    try {
      if (!unsupported) throw err;
      await navigator.clipboard.writeText(text);
    } catch {
      announce(`Could not copy the ${what}: select it and press Ctrl+C instead.`, 6000);
      return false;
    }
  }
  announce(`Copied the ${what}`);
  return true;
}

/** A small button that copies `text`; `what` names it for the label ("Copy the URL for eth0"). */
export function copyButton(text: string, what: string, label = 'Copy') {
  return html`<button type="button" class="small" aria-label="${label} ${what}" @click=${() => copyText(text, what)}>
    ${label}
  </button>`;
}
