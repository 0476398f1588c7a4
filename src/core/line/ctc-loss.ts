// CTC as a tfjs op with a gradient, for every trainer of a line model: Node's line training
// (engine/loss.ts, its replica workers) and the page's adaptation of the line model (a Web
// Worker). The forward-backward pass is core's ctcLossAndGradient (ctc.ts), run on the logits'
// values; its gradient is handed back to tfjs.

import * as tf from '@tensorflow/tfjs';
import { ctcLossAndGradient } from './ctc.js';

/** What a batch of lines should read: each line's label classes and its own number of frames. */
export interface CtcTargets {
  /** Class indices of each line's text (no blanks), see `encodeLineText`. */
  readonly labels: readonly Int32Array[];
  /** Frames of each line's output that belong to it (the rest is padding). */
  readonly frames: readonly number[];
}

/**
 * Mean CTC loss of a batch of line logits `[n, 1, T, C]`, an op with a gradient. Lines whose
 * text cannot fit their frames add nothing.
 *
 * @example
 * const loss = ctcLoss(model.apply(x) as tf.Tensor, { labels, frames });
 */
export function ctcLoss(logits: tf.Tensor, targets: CtcTargets): tf.Scalar {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const [n, , T, C] = input.shape as [number, number, number, number];
    const values = input.dataSync() as Float32Array;
    const gradient = new Float32Array(values.length);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const frames = Math.min(targets.frames[i] ?? T, T);
      const row = values.subarray(i * T * C, (i + 1) * T * C);
      const result = ctcLossAndGradient(row, frames, C, targets.labels[i]!);
      if (!Number.isFinite(result.loss)) continue;
      total += result.loss;
      const g = gradient.subarray(i * T * C, (i + 1) * T * C);
      for (let k = 0; k < result.gradient.length; k++) g[k] = result.gradient[k]! / n;
    }
    return {
      value: tf.scalar(total / n),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor(gradient, input.shape)),
    };
  });
  return op(logits) as tf.Scalar;
}
