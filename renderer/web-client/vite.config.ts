// Builds the web client served at `/` into dist/renderer/web-client/. Relative asset URLs (base './') so
// it works under any path prefix behind a reverse proxy; everything bundled, nothing from a CDN.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  // public/ holds sw.js, copied as is: a service worker must keep a stable URL.
  publicDir: 'public',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/renderer/web-client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    reportCompressedSize: false,
  },
});
