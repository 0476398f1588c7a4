// Comparing two models' weights in tests.

import type * as tf from '@tensorflow/tfjs';

/** The largest absolute difference between two models' weights, position by position. */
export function maxWeightDifference(a: tf.LayersModel, b: tf.LayersModel): number {
  let worst = 0;
  a.getWeights().forEach((w, i) => {
    const x = w.dataSync();
    const y = b.getWeights()[i]!.dataSync();
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j]! - y[j]!));
  });
  return worst;
}
