// Entry of the page served at `/`.
import { WebClientApp } from './app.js';
import { readPageConfig } from './page-config.js';

new WebClientApp(readPageConfig(location.href)).start();
