// Builds the polyfill (dist/handwriting) once for the browser tests that serve it: when a source
// it is built from is newer than the build, one test file builds while the others wait on a lock
// folder (two Vite builds into one folder would empty it under each other), then they find it
// fresh.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { withBuildLock } from './build.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Where the polyfill is built. */
export const HANDWRITING_DIST = join(ROOT, 'dist', 'handwriting');
const LOCK = join(ROOT, 'dist', '.handwriting-build.lock');

/** Newest modification time of a file under `path` (a file or a folder), in ms. */
async function newest(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let latest = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return latest;
}

/** True when dist/handwriting is older than a source or a model it is built from. */
async function stale(): Promise<boolean> {
  const built = await stat(join(HANDWRITING_DIST, 'handwriting.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = [
    join(ROOT, 'src', 'web', 'handwriting'),
    join(ROOT, 'src', 'web', 'model-cache.ts'),
    join(ROOT, 'src', 'web', 'backend.ts'),
    join(ROOT, 'src', 'core'),
    join(ROOT, 'vite.handwriting.config.ts'),
    join(ROOT, 'models', 'line-en'),
    join(ROOT, 'models', 'alnum36'),
    join(ROOT, 'models', 'lm-en'),
  ];
  for (const source of sources) {
    if ((await newest(source).catch(() => 0)) > built) return true;
  }
  return false;
}

/** Builds dist/handwriting when it is stale, one test file at a time. */
export async function ensureHandwritingBuilt(): Promise<void> {
  await withBuildLock(LOCK, async () => {
    if (await stale()) await build({ configFile: join(ROOT, 'vite.handwriting.config.ts') });
  });
}
