// The registry of line-model architectures: fully convolutional networks that map a normalized
// line (LINE_HEIGHT rows, any width) to per-frame class scores for CTC. Every frame covers
// LINE_FRAME_STRIDE columns of the line. Convolutions only, so the WASM training kernels do the
// work and a line of any width is read in one pass.

import * as tf from '@tensorflow/tfjs';
import { lookup } from '../errors.js';
import { LINE_HEIGHT } from './normalize-line.js';

/** Columns of the normalized line per output frame. */
export const LINE_FRAME_STRIDE = 4;

/** One entry of {@link LINE_ARCHITECTURES}. */
export interface LineArchitecture {
  readonly name: string;
  readonly description: string;
  /**
   * Builds an uncompiled model mapping `[batch, LINE_HEIGHT, width, 1]` floats in [0, 1] to
   * logits `[batch, 1, floor(width / LINE_FRAME_STRIDE), classes]` (softmax is the decoder's).
   */
  build(classes: number, options?: LineArchitectureOptions): tf.LayersModel;
}

/** Hyperparameters of a line architecture. */
export interface LineArchitectureOptions {
  /** Dropout before the classifier. Default 0.2. */
  readonly dropout?: number;
  /**
   * Batch norm after each stage convolution. Default true. (Each thread of data-parallel
   * training normalizes over its own slice of the batch.)
   */
  readonly batchNorm?: boolean;
}

/**
 * Output frames of a line `width` columns wide.
 *
 * @example
 * lineFrames(160); // 40
 */
export function lineFrames(width: number): number {
  return Math.floor(width / LINE_FRAME_STRIDE);
}

type Stage = { filters: number[]; pool: [number, number] | null };

/**
 * Stages of 3x3 convolutions (same padding; batch norm then ReLU), each optionally followed by
 * a max-pool; then a convolution over the remaining height (it collapses to 1 row), a 1x3
 * context convolution along the line and a 1x1 classifier. He initialization throughout.
 *
 * Measured on UNIPEN words (docs/DESIGN.md §6): with Glorot initialization and no
 * batch norm the network sat on CTC's all-blank plateau for over 1,000 steps; with He
 * initialization it left it within 50 steps, and batch norm learned faster per step again.
 */
function convCtc(
  name: string,
  stages: Stage[],
  head: number,
  classes: number,
  options: LineArchitectureOptions = {},
): tf.LayersModel {
  const batchNorm = options.batchNorm ?? true;
  const input = tf.input({ shape: [LINE_HEIGHT, null as unknown as number, 1], name: 'line' });
  let x = input;
  let height = LINE_HEIGHT;
  for (const stage of stages) {
    for (const filters of stage.filters) {
      x = tf.layers
        .conv2d({
          filters,
          kernelSize: 3,
          padding: 'same',
          useBias: !batchNorm,
          kernelInitializer: 'heNormal',
        })
        .apply(x) as tf.SymbolicTensor;
      if (batchNorm) x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
    }
    if (stage.pool) {
      x = tf.layers
        .maxPooling2d({ poolSize: stage.pool, strides: stage.pool })
        .apply(x) as tf.SymbolicTensor;
      height /= stage.pool[0];
    }
  }
  x = tf.layers
    .conv2d({
      filters: head,
      kernelSize: [height, 3],
      padding: 'valid',
      activation: 'relu',
      kernelInitializer: 'heNormal',
    })
    .apply(x) as tf.SymbolicTensor;
  // 'valid' took one frame from each end: a same-padded context conv keeps the count, and the
  // padding below the stride (4 columns) gives them back (see lineFrames).
  x = tf.layers
    .zeroPadding2d({
      padding: [
        [0, 0],
        [1, 1],
      ],
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      filters: head,
      kernelSize: [1, 3],
      padding: 'same',
      activation: 'relu',
      kernelInitializer: 'heNormal',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: options.dropout ?? 0.2 }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .conv2d({ filters: classes, kernelSize: 1, name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name });
}

/** The shipped line model's network: about 0.56 M parameters, 4-column frames. */
const lineS: LineArchitecture = Object.freeze({
  name: 'line-s',
  description:
    'conv3x3+BN+ReLU 16 → pool → 32 → pool → 2x64 → pool(2,1) → 2x128 → pool(2,1) → conv 2x3 192 → conv 1x3 192 → 1x1 logits',
  build(classes: number, options?: LineArchitectureOptions): tf.LayersModel {
    return convCtc(
      'line-s',
      [
        { filters: [16], pool: [2, 2] },
        { filters: [32], pool: [2, 2] },
        { filters: [64, 64], pool: [2, 1] },
        { filters: [128, 128], pool: [2, 1] },
      ],
      192,
      classes,
      options,
    );
  },
});

/** A test-sized line model: trains in seconds, not for real use. */
const lineTiny: LineArchitecture = Object.freeze({
  name: 'line-tiny',
  description: 'test-sized: conv3x3 8 → pool → 8 → pool → pool(2,1) x2 → conv 2x3 16 → 1x1 logits',
  build(classes: number, options?: LineArchitectureOptions): tf.LayersModel {
    return convCtc(
      'line-tiny',
      [
        { filters: [8], pool: [2, 2] },
        { filters: [8], pool: [2, 2] },
        { filters: [], pool: [2, 1] },
        { filters: [], pool: [2, 1] },
      ],
      16,
      classes,
      options,
    );
  },
});

/** The architectures `hcr line train --arch` accepts. */
export const LINE_ARCHITECTURES = Object.freeze({ 'line-s': lineS, 'line-tiny': lineTiny });

/** The line architecture used when none is named. */
export const DEFAULT_LINE_ARCHITECTURE = 'line-s';

/** Looks a line architecture up by name; an unknown name throws an error listing the valid ones. */
export function getLineArchitecture(name: string): LineArchitecture {
  return lookup(LINE_ARCHITECTURES, name, 'line architecture');
}
