// EMNIST (docs/DESIGN.md §2, §3): IDX images and labels plus a mapping file (`label ascii [ascii2]`
// per line). Official EMNIST images are stored transposed and their characters fill the frame (a
// bounding box plus 2 px), so each image is transposed and re-normalized to the MNIST convention
// with core's normalizeMnistImages, the same steps every other input goes through.

import { readFile } from 'node:fs/promises';
import {
  normalizeMnistImages,
  NORMALIZATION_VERSION,
  transposeImages,
} from '../../core/normalize.js';
import { sourceLabelSet, type LabelSet } from '../../core/label-sets.js';
import { IMAGE_PIXELS, type Dataset } from '../../core/types.js';
import { HcrError } from '../errors.js';
import { displayName, fileError } from './files.js';
import { readIdxImages, readIdxLabels } from './idx.js';

/** Options of {@link loadEmnist}. */
export interface EmnistOptions {
  /**
   * The images are stored transposed, as in the official EMNIST files. Default: true. The
   * converted `emnist-partial/` files are already upright: pass false.
   */
  readonly transposed?: boolean;
  /** Re-normalize each image to the MNIST convention (20x20 box, centre of mass). Default: true. */
  readonly renormalize?: boolean;
  /** Dataset name. Default: the image file's name without `-images-idx3-ubyte[.gz]`. */
  readonly name?: string;
  /** Called as images are re-normalized (about 25 µs each). Default: none. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
}

/** Defaults of {@link loadEmnist}. */
export const EMNIST_DEFAULTS = Object.freeze({
  transposed: true,
  renormalize: true,
});

/** Version of the EMNIST loader's output; part of its cache variant. */
export const EMNIST_LOADER_VERSION = 1;

// Images re-normalized between progress reports (and turns of the event loop).
const BATCH = 8192;

/**
 * Reads an EMNIST mapping file: one `label ascii [ascii2 ...]` line per class, e.g. `10 65`
 * (ByClass: label 10 is "A") or `1 65 97` (Letters: label 1 is "A" and "a" merged, class
 * "Aa"). Label numbers stay the class indices; labels the file does not list (EMNIST Letters
 * starts at 1) become empty classes "" that map to nothing.
 *
 * @param name - label set name; default: the file name without `-mapping.txt`
 * @example
 * const byclass = await readEmnistMapping('emnist-byclass-mapping.txt'); // 62 classes, '0'..'z'
 * const letters = await readEmnistMapping('emnist-letters-mapping.txt'); // ['', 'Aa', ..., 'Zz']
 */
export async function readEmnistMapping(path: string, name?: string): Promise<LabelSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fileError(path, error);
  }
  const file = displayName(path);
  const classes: string[] = [];
  const seen = new Set<number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(/\s+/);
    const numbers = fields.map((field) => (/^\d+$/.test(field) ? Number(field) : NaN));
    const [label = NaN, ...codes] = numbers;
    const valid =
      fields.length >= 2 &&
      Number.isInteger(label) &&
      label <= 255 &&
      codes.every((code) => Number.isInteger(code) && code > 0 && code <= 0x10ffff);
    if (!valid) {
      throw new HcrError(
        'BAD_DATA',
        `${file}:${index + 1}: expected 'label ascii [ascii]' with a label 0-255, got '${line}'`,
      );
    }
    if (seen.has(label)) {
      throw new HcrError('BAD_DATA', `${file}:${index + 1}: label ${label} is listed twice`);
    }
    seen.add(label);
    while (classes.length <= label) classes.push('');
    classes[label] = String.fromCodePoint(...codes);
  });
  if (seen.size === 0) {
    throw new HcrError('BAD_DATA', `${file}: empty mapping, expected lines of 'label ascii'`);
  }
  return sourceLabelSet(name ?? file.replace(/-mapping\.txt$|\.txt$/, ''), classes);
}

/**
 * Loads an EMNIST split (images, labels, mapping) as a dataset in the MNIST convention:
 * transposed upright (unless `transposed: false`) and re-normalized (unless
 * `renormalize: false`). The dataset's label set is the mapping's (see
 * {@link readEmnistMapping}); every label must be one the mapping lists.
 *
 * @example
 * const test = await loadEmnist(
 *   'emnist-byclass-test-images-idx3-ubyte.gz',
 *   'emnist-byclass-test-labels-idx1-ubyte.gz',
 *   'emnist-byclass-mapping.txt',
 * );
 * const partial = await loadEmnist(images, labels, 'emnist-letters-mapping.txt', { transposed: false });
 */
export async function loadEmnist(
  imagesPath: string,
  labelsPath: string,
  mappingPath: string,
  options: EmnistOptions = {},
): Promise<Dataset> {
  const transposed = options.transposed ?? EMNIST_DEFAULTS.transposed;
  const renormalize = options.renormalize ?? EMNIST_DEFAULTS.renormalize;
  const [{ count, images: raw }, labels, labelSet] = await Promise.all([
    readIdxImages(imagesPath),
    readIdxLabels(labelsPath),
    readEmnistMapping(mappingPath),
  ]);
  if (labels.length !== count) {
    throw new HcrError(
      'BAD_DATA',
      `${displayName(imagesPath)} has ${count} images but ${displayName(labelsPath)} has ${labels.length} labels`,
    );
  }
  checkMappedLabels(labels, labelSet, displayName(labelsPath), displayName(mappingPath));

  // transposeImages returns a new array; the raw images are a view of a buffer that this call
  // owns, so re-normalizing may work in place either way.
  const images = transposed ? transposeImages(raw, count) : raw;
  if (renormalize) {
    for (let start = 0; start < count; start += BATCH) {
      const n = Math.min(BATCH, count - start);
      const batch = images.subarray(start * IMAGE_PIXELS, (start + n) * IMAGE_PIXELS);
      normalizeMnistImages(batch, n, batch);
      options.onProgress?.({ done: start + n, total: count });
      if (start + n < count) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const name = options.name ?? displayName(imagesPath).replace(/-images-idx3-ubyte(\.gz)?$/, '');
  return { name, images, labels, labelSet };
}

/**
 * The cache variant of {@link loadEmnist} with these options (see `cachedDataset`): changes
 * whenever the loader's or the normalization's output would.
 *
 * @example
 * emnistCacheVariant({ transposed: false }); // 'emnist:upright:renorm:n1:v1'
 */
export function emnistCacheVariant(
  options: Pick<EmnistOptions, 'transposed' | 'renormalize'> = {},
): string {
  const transposed = options.transposed ?? EMNIST_DEFAULTS.transposed;
  const renormalize = options.renormalize ?? EMNIST_DEFAULTS.renormalize;
  return [
    'emnist',
    transposed ? 'transposed' : 'upright',
    renormalize ? `renorm:n${NORMALIZATION_VERSION}` : 'raw',
    `v${EMNIST_LOADER_VERSION}`,
  ].join(':');
}

// Every label must name a class the mapping lists (not a gap such as Letters' label 0).
function checkMappedLabels(
  labels: Uint8Array,
  labelSet: LabelSet,
  labelsName: string,
  mappingName: string,
): void {
  const listed = new Uint8Array(256);
  labelSet.classes.forEach((cls, i) => {
    if (cls !== '') listed[i] = 1;
  });
  for (let i = 0; i < labels.length; i++) {
    if (listed[labels[i]!] === 0) {
      throw new HcrError(
        'BAD_DATA',
        `${labelsName}: label ${labels[i]} at index ${i} is not in ${mappingName} (${describeLabels(labelSet)})`,
      );
    }
  }
}

function describeLabels(labelSet: LabelSet): string {
  const listed = labelSet.classes.flatMap((cls, i) => (cls === '' ? [] : [i]));
  const first = listed[0] ?? 0;
  const last = listed[listed.length - 1] ?? 0;
  return listed.length === last - first + 1 ? `${first}-${last}` : listed.join(', ');
}
