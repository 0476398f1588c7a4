// Conv2D for small patches (docs/DESIGN.md §1): a first layer reads one channel (3x3x1 = 9
// values), where XNNPACK's convolution is at its slowest, so such a convolution is one matrix
// product `im2col(x) · W`. Larger patches go to upstream's kernel.

import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { IM2COL_MAX_PATCH, multiplyPatches } from './im2col.js';
import {
  WASM,
  asShape4,
  convInfo,
  kernelCall,
  runUpstream,
  type ConvAttrs,
  type KernelArgs,
} from './kernel-utils.js';

function conv2D(args: KernelArgs): TensorInfo {
  type Attrs = ConvAttrs & { dilations: [number, number] | number };
  const { backend, attrs, input } = kernelCall<Attrs>(args);
  const x = input('x');
  const filter = input('filter');
  const filterShape = asShape4(filter.shape, 'Conv2D filter');
  const [kh, kw, ci, co] = filterShape;
  if (attrs.dataFormat !== 'NHWC' || kh * kw * ci > IM2COL_MAX_PATCH) {
    return runUpstream(tf.Conv2D, args as Parameters<tf.KernelFunc>[0]);
  }
  const info = convInfo(asShape4(x.shape, 'Conv2D x'), filterShape, attrs, attrs.dilations);
  // [1, n*outH*outW, co] is [n, outH, outW, co] in memory.
  return multiplyPatches(backend, x, info, filter, true, [
    info.batchSize,
    info.outHeight,
    info.outWidth,
    co,
  ]);
}

/** hcr's Conv2D for the WASM backend (small patches through im2col, others upstream's). */
export const conv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: WASM,
  kernelFunc: conv2D,
};
