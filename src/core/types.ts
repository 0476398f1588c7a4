// The shapes every part of hcr agrees on: 28x28 uint8 images in the MNIST convention
// (ink bright on dark, docs/DESIGN.md §2) and datasets that hold them without floats.

import type { LabelSet } from './label-sets.js';

/** Side of the square image every model sees. */
export const IMAGE_SIZE = 28;
/** Pixels per image (28 * 28). */
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/**
 * A set of labelled images held as bytes: `images` is N*784 row-major pixels, 0 = background,
 * 255 = full ink; `labels[i]` indexes `labelSet.classes`. Floats are made per batch, never for
 * the whole set (docs/DESIGN.md §3).
 *
 * @example
 * const ds: Dataset = { name: 'mnist-test', images, labels, labelSet: LABEL_SETS.digits };
 */
export interface Dataset {
  /** Short name used in reports and metadata, e.g. `mnist-train`. */
  readonly name: string;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly labelSet: LabelSet;
  /**
   * Optional writer (or other grouping) id per image, used to split by writer so that one
   * person's handwriting never lands in both a training and a test split.
   */
  readonly groups?: Int32Array;
  /**
   * Optional name of each group id (`groupNames[groups[i]]`), when the groups are worth reporting
   * on their own: evaluation then gives a result per group (e.g. per held-out font family).
   */
  readonly groupNames?: readonly string[];
}

/** A single-channel image of any size: `data[y * width + x]`, 0-255. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Number of images in a dataset. */
export function datasetSize(ds: Pick<Dataset, 'labels'>): number {
  return ds.labels.length;
}
