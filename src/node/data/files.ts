// File helpers shared by the dataset loaders: reading a file with errors that name it, an
// error's message with its cause (for a download's failures), and writing a file in several
// parts atomically (see ../fs-atomic.ts for single buffers), so that a crash never leaves half a
// file behind.

import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { temporarySibling } from '../fs-atomic.js';
import { HcrError } from '../errors.js';

/**
 * The name a file goes by in error messages: its base name, e.g. `train-images-idx3-ubyte.gz`.
 *
 * @example
 * displayName('/data/mnist/t10k-labels-idx1-ubyte.gz'); // 't10k-labels-idx1-ubyte.gz'
 */
export function displayName(path: string): string {
  return basename(path);
}

/** True for a Node.js system error with the given `code` (e.g. `ENOENT`). */
export function isErrno(error: unknown, code: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error as { code?: unknown }).code === code
  );
}

/**
 * Reads a whole file; a missing file throws `NOT_FOUND`, a directory `BAD_DATA`, both naming it.
 *
 * @example
 * const bytes = await readFileChecked('mnist/t10k-labels-idx1-ubyte.gz');
 */
export async function readFileChecked(path: string, what = 'file'): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(path, error, what);
  }
}

/** Turns a file-system error into an HcrError naming the file (`NOT_FOUND` for a missing one). */
export function fileError(path: string, error: unknown, what = 'file'): Error {
  if (isErrno(error, 'ENOENT')) return new HcrError('NOT_FOUND', `${path}: no such ${what}`);
  if (isErrno(error, 'EISDIR')) {
    return new HcrError('BAD_DATA', `${path}: is a directory, expected a ${what}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * An error's message followed by its cause's in parentheses (fetch says only `fetch failed`; its
 * cause says why), or the thrown value as a string.
 *
 * @example
 * describeError(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })); // 'fetch failed (ECONNREFUSED)'
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/**
 * Writes the concatenation of `parts` to `path` atomically (a temporary sibling, then rename),
 * without first copying them into one buffer; the directory is created when missing.
 *
 * @example
 * await writePartsAtomic('cache/datasets/ab12.hcrds', [header, images, labels]);
 */
export async function writePartsAtomic(path: string, parts: readonly Uint8Array[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = temporarySibling(path);
  try {
    const file = await open(temp, 'w');
    try {
      for (const part of parts) await writeAll(file, part);
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
