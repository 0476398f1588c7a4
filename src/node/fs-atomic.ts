// Writes that never leave half a file or half a directory behind: everything goes to a
// temporary sibling first and is renamed into place once complete (rename is atomic on
// one file system).

import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary path next to `path`, unique to this process and call. */
export function temporarySibling(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/**
 * Writes `data` to `path` atomically: readers see the old file or the whole new one.
 *
 * @example
 * await writeFileAtomic('runs/x/history.json', JSON.stringify(history));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporarySibling(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Fills a fresh temporary directory with `fill`, then swaps it into place at `dir`. An
 * existing `dir` is replaced only after the new one is complete; a crash in between leaves
 * either the old directory or the new one (plus a stray temporary sibling), never a mix.
 */
export async function replaceDirectoryAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const tmp = temporarySibling(dir);
  await mkdir(tmp);
  try {
    await fill(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const old = temporarySibling(dir);
  let moved = false;
  try {
    await rename(dir, old);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rename(tmp, dir);
  if (moved) await rm(old, { recursive: true, force: true });
}
