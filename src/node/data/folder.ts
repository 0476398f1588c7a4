// A dataset from a folder of images, one sub-folder per class (`A/`, `7/`, ...): each file is
// decoded with decodeImage and brought to the MNIST convention with core's normalizeToMnist,
// exactly as `predict` prepares a single file (docs/DESIGN.md §2).

import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sourceLabelSet, type LabelSet } from '../../core/label-sets.js';
import { normalizeToMnist, type NormalizeOptions } from '../../core/normalize.js';
import { IMAGE_PIXELS, type Dataset } from '../../core/types.js';
import { HcrError } from '../errors.js';
import { decodeImage } from '../image/decode.js';
import { fileError } from './files.js';

/** Progress of {@link loadImageFolder}, reported after each file. */
export interface ImageFolderProgress {
  /** Files decoded so far. */
  readonly done: number;
  /** Files to decode. */
  readonly total: number;
  /** Files skipped so far because they hold no ink. */
  readonly skipped: number;
}

/** Options of {@link loadImageFolder}. */
export interface ImageFolderOptions {
  /**
   * The classes the sub-folders must name; an image's label is its folder's index in
   * `labelSet.classes`. Default: the sub-folder names, sorted, as a source label set.
   */
  readonly labelSet?: LabelSet;
  /** Dataset name. Default: the folder's base name. */
  readonly name?: string;
  /** Files decoded at once (sharp decodes on libuv's threads). Default: {@link FOLDER_DEFAULTS}.concurrency (4). */
  readonly concurrency?: number;
  /** Called after each file. Default: none. */
  readonly onProgress?: (progress: ImageFolderProgress) => void;
  /** Largest image accepted, in pixels. Default: decodeImage's (40,000,000). */
  readonly maxPixels?: number;
  /** Options of core's normalizeToMnist. Default: its defaults. */
  readonly normalize?: NormalizeOptions;
  /**
   * Which class folders to read; the others are left out undecoded and listed in `excluded`.
   * Default: every class folder.
   */
  readonly include?: (folder: string) => boolean;
}

/** Defaults of {@link loadImageFolder}. */
export const FOLDER_DEFAULTS = Object.freeze({
  /** Files decoded at once. */
  concurrency: 4,
});

/** A dataset read from an image folder, with where each image came from. */
export interface ImageFolderDataset extends Dataset {
  /** Path of each image relative to the folder (`A/a1.png`), in dataset order. */
  readonly files: readonly string[];
  /** Files that hold no ink (blank or uniform) and were left out, relative to the folder. */
  readonly skipped: readonly string[];
  /** Top-level files that are not class folders (e.g. a README), left out. */
  readonly ignored: readonly string[];
  /** Class folders left out by `options.include`, undecoded. */
  readonly excluded: readonly string[];
}

/**
 * Loads a folder with one sub-folder per class (the sub-folder's name is the class, e.g. `A/`,
 * `7/`). Every file in a class folder must be an image (PNG, JPEG, WebP, GIF, TIFF, SVG);
 * dotfiles are ignored, images without ink are skipped and listed in `skipped`. Images are in
 * class order, then file name order.
 *
 * @throws HcrError NOT_FOUND for a missing folder; BAD_DATA for a sub-folder that is not a class
 *   of `labelSet` (listing the valid ones), a nested folder, or no class folders at all;
 *   BAD_IMAGE for a file that is not an image, naming it
 * @example
 * const mine = await loadImageFolder('my-letters', { labelSet: LABEL_SETS.alnum36 });
 * console.log(`${mine.labels.length} images, ${mine.skipped.length} blank ones skipped`);
 */
export async function loadImageFolder(
  dir: string,
  options: ImageFolderOptions = {},
): Promise<ImageFolderDataset> {
  const listing = await listImageFolder(dir);
  const include = options.include ?? (() => true);
  const classDirs = listing.classFolders.filter(include);
  const excluded = listing.classFolders.filter((folder) => !include(folder));
  const ignored = listing.rootFiles;
  if (classDirs.length === 0) {
    throw new HcrError(
      'BAD_DATA',
      `${dir}: none of the class folders ${excluded.join(', ')} is to be read`,
    );
  }
  const labelSet =
    options.labelSet ?? sourceLabelSet(options.name ?? basename(dir), [...classDirs].sort());
  if (labelSet.classes.length > 256) {
    throw new HcrError(
      'BAD_DATA',
      `${dir}: ${labelSet.classes.length} classes, at most 256 fit in a dataset's byte labels`,
    );
  }
  const index = new Map(labelSet.classes.map((cls, i) => [cls, i] as const));
  for (const cls of classDirs) {
    if (!index.has(cls)) {
      throw new HcrError(
        'BAD_DATA',
        `${join(dir, cls)}: folder '${cls}' is not a class of label set ${labelSet.name}: expected one of ${labelSet.classes.join(', ')}`,
      );
    }
  }
  const ordered = [...classDirs].sort((a, b) => index.get(a)! - index.get(b)!);
  const files: { path: string; label: number }[] = [];
  for (const cls of ordered) {
    for (const file of await listImageFiles(dir, cls)) {
      files.push({ path: `${cls}/${file}`, label: index.get(cls)! });
    }
  }

  const results: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(files.length);
  let done = 0;
  let skipped = 0;
  let next = 0;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? FOLDER_DEFAULTS.concurrency));
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < files.length && !failed) {
      const k = next++;
      const file = files[k]!;
      const image = await decodeImage(join(dir, file.path), {
        name: file.path,
        ...(options.maxPixels !== undefined && { maxPixels: options.maxPixels }),
      }).catch((error: unknown) => {
        failed = true; // the other workers stop taking files
        throw error;
      });
      const normalized = normalizeToMnist(image, options.normalize);
      results[k] = normalized.empty ? undefined : normalized.pixels;
      done++;
      if (normalized.empty) skipped++;
      options.onProgress?.({ done, total: files.length, skipped });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));

  const kept = files.length - skipped;
  const images = new Uint8Array(kept * IMAGE_PIXELS);
  const labels = new Uint8Array(kept);
  const keptFiles: string[] = [];
  const skippedFiles: string[] = [];
  let n = 0;
  files.forEach((file, k) => {
    const pixels = results[k];
    if (pixels === undefined) {
      skippedFiles.push(file.path);
      return;
    }
    images.set(pixels, n * IMAGE_PIXELS);
    labels[n] = file.label;
    keptFiles.push(file.path);
    n++;
  });
  return {
    name: options.name ?? basename(dir),
    images,
    labels,
    labelSet,
    files: keptFiles,
    skipped: skippedFiles,
    ignored,
    excluded,
  };
}

/** What an image folder holds at its top level. */
export interface ImageFolderListing {
  /** Sub-folders (one per class), sorted; dotfolders are not listed. */
  readonly classFolders: readonly string[];
  /** Files at the top level (not class folders), sorted; dotfiles are not listed. */
  readonly rootFiles: readonly string[];
}

/**
 * Lists an image folder's class folders and the files beside them, without reading any image.
 *
 * @throws HcrError NOT_FOUND for a missing folder; BAD_DATA for a file or a folder without
 *   class folders
 * @example
 * const { classFolders, rootFiles } = await listImageFolder('my-letters'); // ['A', 'B'], ['notes.txt']
 */
export async function listImageFolder(dir: string): Promise<ImageFolderListing> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOTDIR') {
      throw new HcrError('BAD_DATA', `${dir}: not a folder, expected one sub-folder per class`);
    }
    throw fileError(dir, error, 'folder');
  }
  const classDirs: string[] = [];
  const ignored: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (await isDirectory(join(dir, entry.name), entry)) classDirs.push(entry.name);
    else ignored.push(entry.name);
  }
  if (classDirs.length === 0) {
    throw new HcrError(
      'BAD_DATA',
      `${dir}: no class folders, expected one sub-folder per class (e.g. A/, B/, 7/) holding its images`,
    );
  }
  return { classFolders: classDirs.sort(), rootFiles: ignored.sort() };
}

async function listImageFiles(dir: string, cls: string): Promise<string[]> {
  const entries = await readdir(join(dir, cls), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (await isDirectory(join(dir, cls, entry.name), entry)) {
      throw new HcrError(
        'BAD_DATA',
        `${join(dir, cls, entry.name)}: nested folder in class folder '${cls}', expected image files only`,
      );
    }
    files.push(entry.name);
  }
  return files.sort();
}

// A symbolic link counts as what it points to.
async function isDirectory(
  path: string,
  entry: { isDirectory(): boolean; isSymbolicLink(): boolean },
): Promise<boolean> {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
