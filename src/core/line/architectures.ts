// The registry of line-model architectures: fully convolutional networks that map a normalized
// line (LINE_HEIGHT rows, any width) to per-frame class scores for CTC. Every frame covers
// LINE_FRAME_STRIDE columns of the line. Convolutions only, so the WASM training kernels do the
// work and a line of any width is read in one pass.

import * as tf from '@tensorflow/tfjs';
import { HcrError, lookup } from '../errors.js';
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

/** Residual blocks along the line after the context convolution (see {@link convCtc}). */
type Context = { blocks: number; kernel: number };

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
  context: Context = { blocks: 0, kernel: 3 },
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
  for (let b = 0; b < context.blocks; b++) x = contextBlock(x, head, context.kernel);
  x = tf.layers.dropout({ rate: options.dropout ?? 0.2 }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .conv2d({ filters: classes, kernelSize: 1, name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name });
}

/**
 * x + BN(conv(ReLU(BN(conv(x))))), then ReLU: two 1 x kernel convolutions along the line (the
 * first to half the channels), which widen what each frame sees by kernel - 1 frames on each
 * side. The last batch norm starts at
 * zero scale, so a new block is the identity (x is a ReLU output): a network that adds blocks
 * to a trained one starts where that one is (see transferLineWeights).
 */
function contextBlock(x: tf.SymbolicTensor, filters: number, kernel: number): tf.SymbolicTensor {
  let h = x;
  for (let k = 0; k < 2; k++) {
    h = tf.layers
      .conv2d({
        filters: k === 0 ? filters / 2 : filters,
        kernelSize: [1, kernel],
        padding: 'same',
        useBias: false,
        kernelInitializer: 'heNormal',
      })
      .apply(h) as tf.SymbolicTensor;
    h = tf.layers
      .batchNormalization(k === 0 ? {} : { gammaInitializer: 'zeros' })
      .apply(h) as tf.SymbolicTensor;
    if (k === 0) h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  }
  const sum = tf.layers.add().apply([x, h]) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(sum) as tf.SymbolicTensor;
}

/** The shipped line model's network: about 0.56 M parameters, 4-column frames. */
const lineS: LineArchitecture = Object.freeze({
  name: 'line-s',
  description:
    'conv3x3+BN+ReLU 16 → pool → 32 → pool → 2x64 → pool(2,1) → 2x128 → pool(2,1) → conv 2x3 192 → conv 1x3 192 → 1x1 logits',
  build(classes: number, options?: LineArchitectureOptions): tf.LayersModel {
    return convCtc('line-s', LINE_S_STAGES, 192, classes, options);
  },
});

const LINE_S_STAGES: Stage[] = [
  { filters: [16], pool: [2, 2] },
  { filters: [32], pool: [2, 2] },
  { filters: [64, 64], pool: [2, 1] },
  { filters: [128, 128], pool: [2, 1] },
];

/**
 * line-s with three residual context blocks (1x5) along the line: each frame sees 12 more
 * frames (48 columns, three or four letters) on each side, for about 30% more arithmetic per
 * line. Its
 * first layers are line-s's, so it can start from a trained line-s (`--init`).
 */
const lineSC: LineArchitecture = Object.freeze({
  name: 'line-sc',
  description:
    'line-s, then 3 residual blocks (conv 1x5 96 + BN + ReLU, conv 1x5 192 + BN) along the line before the 1x1 logits',
  build(classes: number, options?: LineArchitectureOptions): tf.LayersModel {
    return convCtc('line-sc', LINE_S_STAGES, 192, classes, options, { blocks: 3, kernel: 5 });
  },
});

const LINE_TINY_STAGES: Stage[] = [
  { filters: [8], pool: [2, 2] },
  { filters: [8], pool: [2, 2] },
  { filters: [], pool: [2, 1] },
  { filters: [], pool: [2, 1] },
];

/** A test-sized line model: trains in seconds, not for real use. */
const lineTiny: LineArchitecture = Object.freeze({
  name: 'line-tiny',
  description: 'test-sized: conv3x3 8 → pool → 8 → pool → pool(2,1) x2 → conv 2x3 16 → 1x1 logits',
  build(classes: number, options?: LineArchitectureOptions): tf.LayersModel {
    return convCtc('line-tiny', LINE_TINY_STAGES, 16, classes, options);
  },
});

/** line-tiny with one context block: tests the weight transfer from line-tiny. */
const lineTinyC: LineArchitecture = Object.freeze({
  name: 'line-tiny-c',
  description:
    'test-sized: line-tiny, then 1 residual block (conv 1x3 8, conv 1x3 16) along the line',
  build(classes: number, options?: LineArchitectureOptions): tf.LayersModel {
    return convCtc('line-tiny-c', LINE_TINY_STAGES, 16, classes, options, {
      blocks: 1,
      kernel: 3,
    });
  },
});

/**
 * Copies a trained model's weights into a network that extends it (line-s into line-sc): the
 * layers are walked in order, and each layer of `from` that has weights goes to the next layer
 * of `to` whose weights have the same shapes; the layers of `to` it skips keep their initial
 * weights. Throws when a layer of `from` finds no place, since `to` does not extend `from`.
 *
 * @example
 * transferLineWeights(lineS, getLineArchitecture('line-sc').build(classes));
 */
export function transferLineWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const shapes = (layer: tf.layers.Layer) => layer.getWeights().map((w) => w.shape.join('x'));
  const targets = to.layers.filter((l) => l.getWeights().length > 0);
  let t = 0;
  for (const layer of from.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const want = shapes(layer).join(',');
    while (t < targets.length && shapes(targets[t]!).join(',') !== want) t++;
    if (t === targets.length) {
      throw new HcrError(
        'BAD_OPTION',
        `${to.name} does not extend ${from.name}: no layer of it takes ${from.name}'s layer ${layer.name} (weights ${want})`,
      );
    }
    targets[t]!.setWeights(weights);
    t++;
  }
}

/** The architectures `hcr line train --arch` accepts. */
export const LINE_ARCHITECTURES = Object.freeze({
  'line-s': lineS,
  'line-sc': lineSC,
  'line-tiny': lineTiny,
  'line-tiny-c': lineTinyC,
});

/** The line architecture used when none is named. */
export const DEFAULT_LINE_ARCHITECTURE = 'line-s';

/** Looks a line architecture up by name; an unknown name throws an error listing the valid ones. */
export function getLineArchitecture(name: string): LineArchitecture {
  return lookup(LINE_ARCHITECTURES, name, 'line architecture');
}
