// The window's frame: header with the server state, navigation between views, and the view itself.
import { html, nothing } from 'lit';
import { toastRegion } from './components/announce.js';
import { store } from './context.js';
import { formatCount, plural } from './format.js';
import { currentRoute, routes, routeTitles, type Route } from './router.js';
import { certificatesView } from './views/certificates.js';
import { logView } from './views/log.js';
import { networkView } from './views/network.js';
import { peersView } from './views/peers.js';
import { pushView } from './views/push.js';
import { roomsView } from './views/rooms.js';
import { settingsView } from './views/settings.js';
import { statePill, statusView } from './views/status.js';

const views: Record<Route, () => unknown> = {
  status: statusView,
  peers: peersView,
  rooms: roomsView,
  certificates: certificatesView,
  push: pushView,
  network: networkView,
  settings: settingsView,
  log: logView,
};

function badge(route: Route) {
  const s = store().state;
  if (route === 'peers')
    return html`<span class="count" aria-label="${s.peers.size} connections">${formatCount(s.peers.size)}</span>`;
  if (route === 'status' && s.status?.problems.some((p) => p.severity === 'error'))
    return html`<span class="fail-text" aria-label="has errors">!</span>`;
  if (
    route === 'certificates' &&
    s.certificate?.warnings.some((w) => w.code === 'expired' || w.code === 'expires-soon')
  ) {
    return html`<span class="warn-text" aria-label="needs attention">!</span>`;
  }
  if (route === 'network' && s.discovery.length)
    return html`<span class="count" aria-label="${s.discovery.length} servers found">${s.discovery.length}</span>`;
  return nothing;
}

// The hash is the route, so the skip link moves focus itself instead of navigating to #main.
function skipToMain(e: Event): void {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

/** The whole window for the current state and route. */
export function appView() {
  const s = store().state;
  const route = currentRoute();
  if (s.loadError) {
    return html`<main id="main" class="boot">
      <h1>rustysignal could not load its state</h1>
      <p>${s.loadError.message}</p>
      <p>Close this window and open it again from the tray icon; if that does not help, restart rustysignal.</p>
    </main>`;
  }
  if (!s.loaded) return html`<p class="boot" role="status">Loading rustysignal…</p>`;
  return html`
    <a class="skip-link" href="#main" @click=${skipToMain}>Skip to content</a>
    <div class="shell">
      <header class="app-header">
        <p class="brand">rustysignal</p>
        ${statePill(s.status)}
        ${
          s.status?.state === 'running'
            ? html`<span class="note" data-testid="header-summary"
                >${plural(s.status.peers, 'peer')} · ${plural(s.status.connections, 'connection')}</span
              >`
            : nothing
        }
        <span class="spacer"></span>
        <span class="note">${s.app ? `v${s.app.version}` : ''}</span>
      </header>
      <nav class="app-nav" aria-label="Views">
        <ul>
          ${routes.map(
            (r) =>
              html`<li>
                <a href="#/${r}" aria-current=${r === route ? 'page' : nothing}>${routeTitles[r]} ${badge(r)}</a>
              </li>`,
          )}
        </ul>
      </nav>
      <main id="main" tabindex="-1" data-view=${route}>${views[route]()}</main>
    </div>
    ${toastRegion()}
  `;
}
