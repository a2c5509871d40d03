// Builds the dashboard window into dist/renderer/dashboard/ with relative asset URLs, so Electron can
// load it from file:// (or the asar) and the tests from a plain static server.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  // Everything is bundled: the window must work on a LAN without internet.
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/renderer/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script>/<style> and no data: fonts: the page's CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    reportCompressedSize: false,
  },
});
