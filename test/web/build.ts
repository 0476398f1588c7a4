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

/**
 * Runs `work` holding the lock folder `lock`: one test file at a time, the others waiting (a
 * lock older than {@link STALE_LOCK_MS} is taken over).
 */
export async function withBuildLock(lock: string, work: () => Promise<void>): Promise<void> {
  await mkdir(join(lock, '..'), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const since = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Builds dist/web when a source is newer than it, one test file at a time. */
export async function ensureWebBuilt(): Promise<void> {
  await withBuildLock(LOCK, async () => {
    if ((await webBuildState()).stale) await buildWeb();
  });
}
