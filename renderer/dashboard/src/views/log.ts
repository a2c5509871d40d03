// Log: the newest lines of the app's log, live, and a way to the log folder for the full files.
import { html, nothing } from 'lit';
import { ref } from 'lit/directives/ref.js';
import type { IpcError, LogLevel, LogLine } from '../../../../main/ipc/contract.js';
import { call, toIpcError } from '../api.js';
import { announce } from '../components/announce.js';
import { errorBanner } from '../components/banner.js';
import { api, store } from '../context.js';
import { requestRender } from '../schedule.js';

const rank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, verbose: 3, debug: 4, silly: 5 };
type Filter = 'all' | 'info' | 'warn' | 'error';

const ui = { level: 'all' as Filter, error: null as IpcError | null, follow: true };
let box: HTMLElement | undefined;

function shown(lines: LogLine[]): LogLine[] {
  if (ui.level === 'all') return lines;
  const max = rank[ui.level];
  return lines.filter((l) => rank[l.level] <= max);
}

async function openFolder(): Promise<void> {
  ui.error = null;
  try {
    const r = await call(api().log.openFolder());
    announce(`Opened ${r.path}`);
  } catch (err) {
    ui.error = toIpcError(err);
  }
  requestRender();
}

function keepAtEnd(el: Element | undefined): void {
  box = el as HTMLElement | undefined;
  // Follow new lines unless the reader scrolled up to look at older ones.
  if (box && ui.follow) requestAnimationFrame(() => box && (box.scrollTop = box.scrollHeight));
}

/** The Log view. */
export function logView() {
  const s = store().state;
  const lines = shown(s.log);
  const folder = s.app?.logFolder;
  return html`
    <h1 tabindex="-1">Log</h1>
    ${errorBanner(ui.error)}
    <div class="toolbar">
      <div class="field">
        <label for="log-level">Show</label>
        <select
          id="log-level"
          @change=${(e: Event) => {
            ui.level = (e.target as HTMLSelectElement).value as Filter;
            requestRender();
          }}
        >
          <option value="all" ?selected=${ui.level === 'all'}>Everything</option>
          <option value="info" ?selected=${ui.level === 'info'}>Info, warnings and errors</option>
          <option value="warn" ?selected=${ui.level === 'warn'}>Warnings and errors</option>
          <option value="error" ?selected=${ui.level === 'error'}>Errors only</option>
        </select>
      </div>
      <span class="spacer"></span>
      <button type="button" @click=${openFolder}>Open log folder</button>
    </div>
    ${folder ? html`<p class="note">Full logs: <code class="mono">${folder}</code></p>` : nothing}
    ${
      lines.length === 0
        ? html`<p class="empty card">No log lines yet.</p>`
        : html`<pre
            class="log"
            tabindex="0"
            aria-label="Recent log lines, oldest first"
            data-testid="log-lines"
            ${ref((el) => keepAtEnd(el))}
            @scroll=${(e: Event) => {
              const el = e.currentTarget as HTMLElement;
              ui.follow = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
            }}
          >
${lines.map((l) => html`<span class="lvl-${l.level}">${l.time ? `${l.time} ` : ''}${l.level.toUpperCase().padEnd(5)} ${l.message} </span>`)}</pre>`
    }
  `;
}
