// Conv2DBackpropFilter for the WASM backend (docs/DESIGN.md §1), which upstream lacks, so that a
// CNN can be trained on it. The filter gradient is one FORWARD convolution of the transposed
// input with the transposed `dy`, so that the backend's XNNPACK Conv2D does the arithmetic;
// small patches go through im2col and one matrix product instead.

import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { IM2COL_MAX_PATCH, multiplyPatches } from './im2col.js';
import {
  WASM,
  asShape4,
  assertNhwc,
  convInfo,
  forwardConv,
  kernelCall,
  runWasmKernel,
  transpose,
  withTemps,
  type ConvAttrs,
  type KernelArgs,
  type Shape4,
} from './kernel-utils.js';

/**
 * `dW = transpose(conv2d(transpose(x,[3,1,2,0]), transpose(dy,[1,2,0,3])), [1,2,0,3])`,
 * the forward conv using the original stride as its dilation.
 */
function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { backend, attrs, input } = kernelCall<ConvAttrs & { filterShape: Shape4 }>(args);
  const x = input('x');
  const dy = input('dy');
  assertNhwc('Conv2DBackpropFilter', attrs.dataFormat);
  const xShape = asShape4(x.shape, 'Conv2DBackpropFilter x');
  const info = convInfo(xShape, attrs.filterShape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const [n, h, w, c] = xShape;
  if (c * kh * kw <= IM2COL_MAX_PATCH) {
    // dW = im2col(x)ᵀ · dy: XNNPACK's convolution form below leaves a product with a handful
    // of rows for such small patches, at a tenth of its speed on this one. [kh*kw*ci, co] is
    // [kh, kw, ci, co] in memory.
    return multiplyPatches(backend, x, info, dy, false, attrs.filterShape);
  }
  // Bottom/right padding that makes the correlation output exactly kh x kw; negative when
  // the forward conv never reached the last rows of x ((h - k + pads) % stride != 0).
  const padBottom = kh + (info.outHeight - 1) * sh - h - info.padInfo.top;
  const padRight = kw + (info.outWidth - 1) * sw - w - info.padInfo.left;
  return withTemps(backend, (temp) => {
    const xUsed =
      padBottom < 0 || padRight < 0
        ? temp(
            runWasmKernel(
              'Slice',
              backend,
              { x },
              {
                begin: [0, 0, 0, 0],
                size: [n, h + Math.min(padBottom, 0), w + Math.min(padRight, 0), c],
              },
            ),
          )
        : x;
    const xT = temp(transpose(backend, xUsed, [3, 1, 2, 0]));
    const dyT = temp(transpose(backend, dy, [1, 2, 0, 3]));
    const grad = temp(
      forwardConv(
        backend,
        xT,
        dyT,
        [
          [0, 0],
          [info.padInfo.top, Math.max(padBottom, 0)],
          [info.padInfo.left, Math.max(padRight, 0)],
          [0, 0],
        ],
        [sh, sw],
      ),
    );
    return transpose(backend, grad, [1, 2, 0, 3]);
  });
}

/** hcr's Conv2DBackpropFilter for the WASM backend: one forward convolution. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2DBackpropFilter,
};
