// The web page built by Vite (`npm run build:web`), served from its folder: assets named by
// their content hash cached for good, the rest revalidated, dotfiles refused, and the HTML with
// a content security policy that allows only this server. Without a built page, `GET /` is a
// 503 that says how to build it; the API works either way.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

/** Headers of the page: its scripts, styles, model and WebAssembly all come from this server. */
const PAGE_HEADERS = Object.freeze({
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
});

/**
 * Registers the page's files under `/` from `webRoot`, or a `GET /` that says it is not built.
 *
 * @example
 * await app.register(pageRoutes, { webRoot: 'dist/web' });
 */
export async function pageRoutes(
  app: FastifyInstance,
  options: { readonly webRoot: string },
): Promise<void> {
  const { webRoot } = options;
  if (existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      // A dotfile in the page's folder (.env, .git) is never served: 403 FORBIDDEN.
      dotfiles: 'deny',
      cacheControl: false,
      setHeaders: (res, path) => {
        // Vite names built assets by their content hash: they never change under one name.
        if (/[\\/]assets[\\/]/.test(path)) {
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        } else {
          res.setHeader('cache-control', 'no-cache');
        }
        if (path.endsWith('.html')) {
          for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
        }
      },
    });
  } else {
    app.get('/', async () => {
      throw new ApiError(
        'UNAVAILABLE',
        `the web page is not built (no ${join(webRoot, 'index.html')}): run 'npm run build:web' (or 'npm start', which builds it); the API under /api works without it`,
      );
    });
  }
}
