// Entry point of the dashboard window: find the preload API, load the state, draw, and keep drawing
// on events. The uptime clock is the only timer, and it only runs while it is on screen.
import { render } from 'lit';
import { findApi } from './api.js';
import { focusAfterRender } from './focus-later.js';
import { appView } from './app.js';
import { provideStore } from './context.js';
import { currentRoute, onRouteChange } from './router.js';
import { requestRender, setRenderer } from './schedule.js';
import { Store } from './store.js';

const root = document.getElementById('app')!;
const api = findApi();

if (!api) {
  root.textContent =
    'This page is the rustysignal dashboard and only works inside the rustysignal app. Open it from the tray icon.';
} else {
  const store = new Store(api);
  provideStore(store);
  // lit renders after existing children: the static "Loading…" text has to go first.
  root.replaceChildren();
  setRenderer(() => render(appView(), root));
  onRouteChange(() => {
    // Move focus to the new view's heading so keyboard and screen reader users land on it.
    focusAfterRender(() => document.querySelector<HTMLElement>('main h1'));
  });
  setInterval(() => {
    if (currentRoute() === 'status' && store.state.status?.state === 'running') requestRender();
  }, 1000);
  requestRender();
  void store.start();
}
