// Running a model over many 28x28 uint8 images in batches: the one loop that validation,
// `hcr evaluate` and `hcr predict` share. Floats are made per batch, never for the whole set.

import * as tf from '@tensorflow/tfjs';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../core/types.js';

/** Images per forward pass when none is given. */
export const DEFAULT_INFERENCE_BATCH = 256;

/**
 * Class probabilities for `count` images stored back to back in `images` (784 bytes each):
 * a Float32Array of count * numClasses, row i holding image i's probabilities.
 *
 * @example
 * const probs = predictProbabilities(model, dataset.images, dataset.labels.length);
 */
export function predictProbabilities(
  model: tf.LayersModel,
  images: Uint8Array,
  count: number,
  options: { batchSize?: number; onBatch?: (done: number, total: number) => void } = {},
): Float32Array {
  const batchSize = options.batchSize ?? DEFAULT_INFERENCE_BATCH;
  const numClasses = model.outputs[0]?.shape.at(-1) ?? 0;
  const out = new Float32Array(count * numClasses);
  const floats = new Float32Array(batchSize * IMAGE_PIXELS);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const base = start * IMAGE_PIXELS;
    for (let i = 0; i < n * IMAGE_PIXELS; i++) floats[i] = (images[base + i] ?? 0) / 255;
    const batch = tf.tidy(() => {
      const x = tf.tensor4d(floats.subarray(0, n * IMAGE_PIXELS), [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return model.predict(x) as tf.Tensor;
    });
    out.set(batch.dataSync(), start * numClasses);
    batch.dispose();
    options.onBatch?.(start + n, count);
  }
  return out;
}

/** Index of the largest probability of each row of a count x numClasses matrix. */
export function argmaxRows(probs: Float32Array, numClasses: number): Uint8Array {
  const count = probs.length / numClasses;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < numClasses; c++) {
      const v = probs[i * numClasses + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/** The k most probable classes of one row, best first. */
export function topK(
  probs: Float32Array,
  row: number,
  numClasses: number,
  k: number,
): { index: number; probability: number }[] {
  const ranked: { index: number; probability: number }[] = [];
  for (let c = 0; c < numClasses; c++)
    ranked.push({ index: c, probability: probs[row * numClasses + c]! });
  ranked.sort((a, b) => b.probability - a.probability);
  return ranked.slice(0, Math.min(k, numClasses));
}

/** Mean cross-entropy and accuracy of predictions against true labels. */
export function lossAndAccuracy(
  probs: Float32Array,
  labels: ArrayLike<number>,
  numClasses: number,
): { loss: number; accuracy: number } {
  const count = labels.length;
  let loss = 0;
  let correct = 0;
  const predicted = argmaxRows(probs, numClasses);
  for (let i = 0; i < count; i++) {
    const y = labels[i]!;
    loss -= Math.log(Math.max(probs[i * numClasses + y]!, 1e-7));
    if (predicted[i] === y) correct++;
  }
  return { loss: count ? loss / count : 0, accuracy: count ? correct / count : 0 };
}
