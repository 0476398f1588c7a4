// Sum and Mean for the WASM backend over the LEADING axes of a float32 tensor (docs/DESIGN.md
// §1): a bias gradient sums dy over batch, height and width, and batch norm takes the mean over
// the same axes. One pass over contiguous rows; upstream transposes the reduced axes to the end
// first and took three times as long. Any other reduction goes to upstream's kernel.

import * as tf from '@tensorflow/tfjs';
import { WASM, f32, kernelCall, runUpstream } from './kernel-utils.js';

function reduceLeading(name: typeof tf.Sum | typeof tf.Mean): tf.KernelFunc {
  return (args) => {
    const { backend, attrs, input } = kernelCall<{ axis: number | number[]; keepDims: boolean }>(
      args,
    );
    const x = input('x');
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return runUpstream(name, args);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const kept = x.shape.slice(axes.length);
    const width = kept.reduce((a, b) => a * b, 1);
    const out = backend.makeOutput(
      attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept,
      'float32',
    );
    const src = f32(backend, x);
    const dst = f32(backend, out);
    const acc = new Float64Array(width);
    // Four rows per pass: a quarter of the accumulator traffic.
    let r = 0;
    for (const w2 = 2 * width, w3 = 3 * width; r + 4 <= rows; r += 4) {
      const at = r * width;
      for (let j = 0; j < width; j++) {
        const i = at + j;
        acc[j] = acc[j]! + (src[i]! + src[i + width]! + (src[i + w2]! + src[i + w3]!));
      }
    }
    for (; r < rows; r++) {
      for (let j = 0, at = r * width; j < width; j++) acc[j] = acc[j]! + src[at + j]!;
    }
    const scale = name === tf.Mean ? 1 / Math.max(rows, 1) : 1;
    for (let j = 0; j < width; j++) dst[j] = acc[j]! * scale;
    return out;
  };
}

/** hcr's Sum for the WASM backend (leading axes of float32; others upstream's). */
export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: WASM,
  kernelFunc: reduceLeading(tf.Sum),
};

/** hcr's Mean for the WASM backend (leading axes of float32; others upstream's). */
export const meanConfig: tf.KernelConfig = {
  kernelName: tf.Mean,
  backendName: WASM,
  kernelFunc: reduceLeading(tf.Mean),
};
