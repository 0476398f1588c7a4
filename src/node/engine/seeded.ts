// The seed of a training run reaches the randomness that tfjs draws on its own: weight
// initializers and dropout masks fall back to Math.random() when they are given no seed
// (tfjs-core rand_util), so the same command would start from different weights and drop
// different units on every run.

import type * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../core/random.js';

/**
 * Runs `build` (synchronous: tfjs builds a Sequential model's weights as its layers are added)
 * with Math.random replaced by a generator seeded with `seed`, so that every initializer
 * without a seed of its own draws the same weights each time. Math.random is restored after.
 *
 * @example
 * const model = withSeededMathRandom(42, () => createModel({ architecture: 'default', numClasses: 36 }));
 */
export function withSeededMathRandom<T>(seed: number, build: () => T): T {
  const original = Math.random;
  Math.random = createRandom(seed >>> 0);
  try {
    return build();
  } finally {
    Math.random = original;
  }
}

/**
 * Gives every Dropout layer of `model` the seed of this step (`null` removes it again, so a
 * saved model.json carries no seed). tfjs treats a seed of 0 as none: the seed used is never 0.
 *
 * @example
 * seedDropout(model, stepSeed(42, 3)); model.apply(x, { training: true }); seedDropout(model, null);
 */
export function seedDropout(model: tf.LayersModel, seed: number | null): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Dropout') continue;
    const target = layer as unknown as { seed?: number };
    if (seed === null) delete target.seed;
    else target.seed = seed >>> 0 || 1;
  }
}

/**
 * The dropout seed of one slice of a step: replica `part` (0 = main thread) of the step whose
 * seed is `stepSeed`.
 *
 * @example
 * sliceSeed(1234, 1); // the first worker's seed in step 1234
 */
export function sliceSeed(stepSeed: number, part: number): number {
  return (
    (Math.imul(stepSeed ^ 0x27d4eb2f, 0x165667b1) + Math.imul(part + 1, 0x9e3779b1)) >>> 0 || 1
  );
}
