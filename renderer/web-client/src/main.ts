// Entry of the page served at `/` (and at `/ROOM`).
import { WebClientApp } from './app.js';
import { applyStaticTexts } from './i18n/index.js';
import { readPageConfig } from './page-config.js';

applyStaticTexts(document);
new WebClientApp(readPageConfig(location.href)).start();
