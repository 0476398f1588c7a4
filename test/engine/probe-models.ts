// Small CNNs shaped like the ones hcr trains, for the engine tests and measurements only
// (the real architectures live in src/core/architectures.ts).

import * as tf from '@tensorflow/tfjs';

/** Widths of the probe models; the defaults are the seed-like sizes hcr trains. */
export interface ProbeWidths {
  /** Filters of each convolution. Default 32. */
  filters?: number;
  /** Units of the hidden dense layer. Default 256. */
  dense?: number;
  /** Number of classes. Default 36. */
  classes?: number;
}

/**
 * conv 5x5 relu → BN → conv 5x5 relu → BN → maxPool 5x5 → dropout .25 → flatten →
 * dense relu → dense softmax, on 28x28x1 inputs.
 *
 * @example
 * const model = seedLikeModel(); // 32 filters, dense 256, 36 classes
 */
export function seedLikeModel(widths: ProbeWidths = {}): tf.Sequential {
  const { filters = 32, dense = 256, classes = 36 } = widths;
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters, kernelSize: 5, activation: 'relu' }),
  );
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.conv2d({ filters, kernelSize: 5, activation: 'relu' }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.maxPooling2d({ poolSize: 5 }));
  // A seeded dropout draws the same mask on every backend, so gradients can be compared.
  model.add(tf.layers.dropout({ rate: 0.25, seed: 7 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: dense, activation: 'relu' }));
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  return model;
}

/**
 * conv 3x3 same relu → BN → conv 3x3 same stride 2 relu → maxPool 2x2 → conv 3x3 valid
 * stride 2 relu → dropout → global average pooling → dense softmax, on 28x28x1 inputs.
 *
 * @example
 * const model = samePaddingModel({ filters: 8 });
 */
export function samePaddingModel(widths: ProbeWidths = {}): tf.Sequential {
  const { filters = 32, classes = 36 } = widths;
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    }),
  );
  model.add(tf.layers.batchNormalization());
  model.add(
    tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(
    tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
  );
  model.add(tf.layers.dropout({ rate: 0.25, seed: 7 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  return model;
}
