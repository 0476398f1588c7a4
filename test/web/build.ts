// Builds the page once for the browser tests: vitest runs test files in parallel, and two Vite
// builds into dist/web at once (each empties the folder first) would pull the page's files from
// under the other test's browser. A lock folder lets one build while the others wait, then they
// find the build fresh.

import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWeb, webBuildState } from '../../src/node/server/web-build.js';

const LOCK = join(import.meta.dirname, '..', '..', 'dist', '.web-build.lock');
/** A lock older than this was left by a test run that died: take it over. */
const STALE_LOCK_MS = 5 * 60_000;

/** Builds dist/web when a source is newer than it, one test file at a time. */
export async function ensureWebBuilt(): Promise<void> {
  await mkdir(join(LOCK, '..'), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const since = await stat(LOCK).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if ((await webBuildState()).stale) await buildWeb();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}
