// What each training batch of a character model sees: the order of the images in an epoch,
// a seed per batch (so that a resumed run repeats the same randomness), the batch's floats
// (augmented or not) with its labels, and the per-class loss weights.

import { AUGMENT_DEFAULTS, augmentBatch, toFloatBatch } from '../../core/augment.js';
import { createRandom, shuffleInPlace } from '../../core/random.js';
import { classCounts } from '../../core/split.js';
import type { Dataset } from '../../core/types.js';

/**
 * A seed for batch `batch` of epoch `epoch`, so a resumed run repeats the same randomness.
 *
 * @example
 * batchSeed(42, 0, 3) === batchSeed(42, 0, 3); // true
 */
export function batchSeed(seed: number, epoch: number, batch: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 31 + epoch) + Math.imul(batch + 1, 0x85ebca6b)) >>> 0;
}

/**
 * The order of the training images in `epoch`: a permutation of `0..count-1`.
 *
 * @example
 * epochOrder(5, 42, 0); // e.g. Uint32Array [3, 0, 4, 1, 2]
 */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return shuffleInPlace(order, createRandom(batchSeed(seed, epoch, -1)));
}

/**
 * Per-class loss weights (N / (C * count_c))^power, 0 for absent classes, scaled so that the
 * average weight over the training images is 1 (the loss keeps its scale for any power).
 *
 * @example
 * computeClassWeights([0, 0, 0, 1], 2, 1); // Float32Array [0.666…, 2]
 */
export function computeClassWeights(
  labels: ArrayLike<number>,
  numClasses: number,
  power: number,
): Float32Array {
  const counts = classCounts(labels, numClasses);
  const weights = new Float32Array(numClasses);
  let total = 0;
  counts.forEach((n, c) => {
    weights[c] = n > 0 ? (labels.length / (numClasses * n)) ** power : 0;
    total += weights[c]! * n;
  });
  const scale = labels.length / total;
  return weights.map((w) => w * scale);
}

/** Where one batch goes: the float images, the labels and (with class weights) each image's weight. */
export interface BatchBuffers {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly sampleWeights: Float32Array;
}

/**
 * Writes the images `indices` of `train` into `buffers` as floats (augmented with
 * `AUGMENT_DEFAULTS` and a random stream from `seed` when `augment`), their labels, and with
 * `weights` each image's class weight.
 *
 * @example
 * fillBatch(train, order.subarray(0, 32), pool, { augment: true, seed: batchSeed(42, 0, 0), weights: null });
 */
export function fillBatch(
  train: Dataset,
  indices: Uint32Array,
  buffers: BatchBuffers,
  options: { augment: boolean; seed: number; weights: Float32Array | null },
): void {
  if (options.augment) {
    augmentBatch(
      train.images,
      indices,
      buffers.images,
      createRandom(options.seed),
      AUGMENT_DEFAULTS,
    );
  } else {
    toFloatBatch(train.images, indices, buffers.images);
  }
  const { weights } = options;
  for (let i = 0; i < indices.length; i++) {
    const y = train.labels[indices[i]!]!;
    buffers.labels[i] = y;
    if (weights) buffers.sampleWeights[i] = weights[y]!;
  }
}
