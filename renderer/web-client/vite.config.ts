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
    rollupOptions: {
      // The page, and the client library under a stable name so any page on the LAN can import it.
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        'rustysignal-client': fileURLToPath(new URL('../client/index.ts', import.meta.url)),
      },
      preserveEntrySignatures: 'strict',
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'rustysignal-client' ? 'rustysignal-client.js' : 'assets/[name]-[hash].js',
      },
    },
  },
});
