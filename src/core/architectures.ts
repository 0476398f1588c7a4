// The registry of network architectures. Every model hcr trains is built here, so that a
// model's metadata can name its architecture and any runtime can rebuild it.

import * as tf from '@tensorflow/tfjs';
import { lookup } from './errors.js';
import { IMAGE_SIZE } from './types.js';

/** Hyperparameters an architecture accepts; each has a default in the architecture. */
export interface ArchitectureOptions {
  /** Dropout rate before the classifier. Default: per architecture (seed 0.25, default 0.3). */
  readonly dropout?: number;
}

/** One entry of {@link ARCHITECTURES}. */
export interface Architecture {
  readonly name: string;
  readonly description: string;
  /** Builds an uncompiled model mapping [batch, 28, 28, 1] floats in [0, 1] to class probabilities. */
  build(numClasses: number, options?: ArchitectureOptions): tf.Sequential;
}

const INPUT_SHAPE = [IMAGE_SIZE, IMAGE_SIZE, 1];

/**
 * The network of the original Streamlit project, layer for layer (Keras defaults: valid
 * padding, pool strides equal to the pool size).
 */
const seed: Architecture = Object.freeze({
  name: 'seed',
  description:
    'original project CNN: conv32 5x5 → BN → conv32 5x5 → BN → maxpool 5x5 → dropout → dense256 → softmax',
  build(numClasses: number, options: ArchitectureOptions = {}): tf.Sequential {
    return tf.sequential({
      name: 'seed',
      layers: [
        tf.layers.conv2d({
          inputShape: INPUT_SHAPE,
          filters: 32,
          kernelSize: 5,
          activation: 'relu',
        }),
        tf.layers.batchNormalization(),
        tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 5 }),
        tf.layers.dropout({ rate: options.dropout ?? 0.25 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 256, activation: 'relu' }),
        tf.layers.dense({ units: numClasses, activation: 'softmax' }),
      ],
    });
  },
});

/** conv 3x3 (same padding) + ReLU, the building block of `default` and `large`. */
function conv3x3(filters: number, inputShape?: number[]): tf.layers.Layer {
  return tf.layers.conv2d({
    ...(inputShape ? { inputShape } : {}),
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    kernelInitializer: 'heNormal',
  });
}

/**
 * The shape `default` and `large` share: stages of 3x3 convs, each stage ending in a 2x2
 * max-pool (28 → 14 → 7 → 3), then dropout, one dense ReLU layer and the softmax.
 *
 * @param stages the channels of each conv, stage by stage: `[[32], [64, 64]]` is one conv of
 *   32 channels, a pool, two convs of 64 and a pool
 */
function stagedCnn(
  name: string,
  stages: readonly (readonly number[])[],
  denseUnits: number,
  numClasses: number,
  dropout: number,
): tf.Sequential {
  const layers: tf.layers.Layer[] = [];
  for (const stage of stages) {
    for (const filters of stage) {
      layers.push(conv3x3(filters, layers.length === 0 ? INPUT_SHAPE : undefined));
    }
    layers.push(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  layers.push(
    tf.layers.flatten(),
    tf.layers.dropout({ rate: dropout }),
    tf.layers.dense({ units: denseUnits, activation: 'relu', kernelInitializer: 'heNormal' }),
    tf.layers.dense({ units: numClasses, activation: 'softmax' }),
  );
  return tf.sequential({ name, layers });
}

/**
 * hcr's default: three 3x3 conv stages (32, 64, 128 channels), each halving the resolution
 * with a 2x2 max-pool, then dropout and a small dense head. About 7.6 M multiply-adds per
 * image, 30% fewer than `seed`'s 10.8 M, with a wider receptive field and more channels where
 * the image is small. No batch norm: on the WASM backend its statistics and their gradients
 * cost about 40% of a training step, and at an equal time budget the network without it was
 * as accurate (docs/TRAINING.md, "Architectures").
 */
const defaultArchitecture: Architecture = Object.freeze({
  name: 'default',
  description:
    'hcr default: 3 stages of conv3x3+ReLU (32, 64, 128) with 2x2 max-pools → dropout → dense128 → softmax',
  build(numClasses: number, options: ArchitectureOptions = {}): tf.Sequential {
    return stagedCnn('default', [[32], [64], [128]], 128, numClasses, options.dropout ?? 0.3);
  },
});

/**
 * `default` with a second conv at each of the two smaller resolutions and a wider head: conv
 * 32 at 28x28, two convs of 64 at 14x14, two of 128 at 7x7, then dropout and dense256. About
 * 22 M multiply-adds per image, 2.9x `default`; the extra depth widens each unit's receptive
 * field before the head, for the letters that differ from a digit in a detail (4/Y, 6/G, 0/D).
 */
const large: Architecture = Object.freeze({
  name: 'large',
  description:
    'hcr large: conv3x3+ReLU 32 → pool → 2x conv 64 → pool → 2x conv 128 → pool → dropout → dense256 → softmax',
  build(numClasses: number, options: ArchitectureOptions = {}): tf.Sequential {
    return stagedCnn(
      'large',
      [[32], [64, 64], [128, 128]],
      256,
      numClasses,
      options.dropout ?? 0.3,
    );
  },
});

/** A very small network for tests and smoke runs: trains in seconds, not for real use. */
const tiny: Architecture = Object.freeze({
  name: 'tiny',
  description: 'test-sized CNN: conv8 3x3 → maxpool 4x4 → dense → softmax',
  build(numClasses: number, options: ArchitectureOptions = {}): tf.Sequential {
    return tf.sequential({
      name: 'tiny',
      layers: [
        tf.layers.conv2d({
          inputShape: INPUT_SHAPE,
          filters: 8,
          kernelSize: 3,
          activation: 'relu',
        }),
        tf.layers.maxPooling2d({ poolSize: 4 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: options.dropout ?? 0 }),
        tf.layers.dense({ units: numClasses, activation: 'softmax' }),
      ],
    });
  },
});

/** The architectures `hcr train --arch` accepts. */
export const ARCHITECTURES = Object.freeze({ seed, default: defaultArchitecture, large, tiny });

export type ArchitectureName = keyof typeof ARCHITECTURES;

/** The architecture used when none is named. */
export const DEFAULT_ARCHITECTURE: ArchitectureName = 'default';

/** Looks an architecture up by name; an unknown name throws an error listing the valid ones. */
export function getArchitecture(name: string): Architecture {
  return lookup(ARCHITECTURES, name, 'architecture');
}

/**
 * Builds an uncompiled model of the named architecture.
 *
 * @example
 * const model = createModel({ architecture: 'seed', numClasses: 36 });
 */
export function createModel(config: {
  architecture: string;
  numClasses: number;
  options?: ArchitectureOptions;
}): tf.Sequential {
  return getArchitecture(config.architecture).build(config.numClasses, config.options);
}
