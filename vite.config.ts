// Builds hcr's web page (src/web) into dist/web, where `hcr serve` serves it. The WebAssembly
// files of tfjs are emitted as assets (never inlined, never fetched from a CDN), so the page
// loads everything from the hcr server.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where the built page goes (the server's DEFAULT_WEB_ROOT). */
const OUT_DIR = fileURLToPath(new URL('./dist/web', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    // tfjs is one large chunk, loaded after the page is up.
    chunkSizeWarningLimit: 2500,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite` serves the page with hot reload; the API and the model come from `hcr serve`.
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/model': 'http://127.0.0.1:3000',
      '/healthz': 'http://127.0.0.1:3000',
    },
  },
});
