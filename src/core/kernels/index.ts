// hcr's training kernels for the WASM backend (docs/DESIGN.md §1), one per file, and the list
// that registers them (like tfjs-backend-wasm's register_all_kernels): adding a kernel is adding
// a file and a line here. They live in core so that Node's engine and the page's adaptation
// worker register the same ones. tfjs-backend-wasm has no Conv2DBackpropFilter and only a naive
// loop for Conv2DBackpropInput, so a CNN cannot be trained on it as shipped; the other kernels
// replace upstream ones that were the slowest part of a training step.

import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../errors.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2DConfig } from './conv2d.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { WASM, captureUpstream } from './kernel-utils.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reduce-leading.js';
import { tileConfig } from './tile.js';

/**
 * The kernels hcr adds to (or replaces in) the WASM backend, as tfjs kernel configs.
 *
 * @example
 * for (const k of WASM_TRAINING_KERNELS) console.log(k.kernelName); // Conv2D, Conv2DBackpropInput, ...
 */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = Object.freeze([
  conv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  tileConfig,
  maxPoolGradConfig,
  batchMatMulConfig,
  sumConfig,
  meanConfig,
]);

/**
 * Registers hcr's training kernels for the `wasm` backend, replacing upstream ones of the
 * same name. Idempotent; Node's `initEngine()` calls it whenever the WASM backend is chosen, and the
 * page's adaptation worker before it trains.
 * `@tensorflow/tfjs-backend-wasm` must be imported before (else `HcrError` `ENGINE`).
 *
 * @example
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * const dW = tf.grad((w: tf.Tensor4D) => tf.conv2d(x, w, 1, 'same').sum())(w);
 */
export function registerWasmTrainingKernels(): void {
  // Upstream registers its kernels when its package loads; registering ours before that
  // would let upstream's overwrite them.
  if (tf.getKernel(tf.Conv2D, WASM) === undefined) {
    throw new HcrError(
      'ENGINE',
      "registerWasmTrainingKernels: expected @tensorflow/tfjs-backend-wasm to be loaded first (initEngine({ backend: 'wasm' }) does both)",
    );
  }
  for (const config of WASM_TRAINING_KERNELS) {
    const current = tf.getKernel(config.kernelName, WASM);
    if (current !== undefined && current.kernelFunc !== config.kernelFunc) {
      captureUpstream(config.kernelName, current.kernelFunc);
    }
    if (current?.kernelFunc === config.kernelFunc) continue;
    // Unregister first: tfjs warns on the console when a kernel is registered twice.
    if (current !== undefined) tf.unregisterKernel(config.kernelName, WASM);
    // Keep upstream's setup (it binds the WASM function a wrapped upstream kernel calls).
    tf.registerKernel(
      current?.setupFunc === undefined ? config : { ...config, setupFunc: current.setupFunc },
    );
  }
}
