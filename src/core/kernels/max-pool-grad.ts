// MaxPoolGrad for the WASM backend in JavaScript over the WASM heap (docs/DESIGN.md §1):
// upstream's loops ran at 0.04 GFLOP/s and took a fifth of a training step.

import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { WASM, asShape4, f32, kernelCall, type KernelArgs } from './kernel-utils.js';

/**
 * Each window's gradient goes to the window's first element equal to the pooled maximum
 * (`output`), the element the `cpu` backend picks; comparing with the known maximum instead of
 * tracking a running one keeps the branches predictable.
 */
function maxPoolGrad(args: KernelArgs): TensorInfo {
  const call = kernelCall<{
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  }>(args);
  const { backend, attrs } = call;
  const [dy, input, output] = [call.input('dy'), call.input('input'), call.input('output')];
  const shape = asShape4(input.shape, 'MaxPoolGrad input');
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(
    shape,
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [n, h, w, c] = shape;
  const { outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(shape, 'float32');
  const x = f32(backend, input);
  const y = f32(backend, output);
  const g = f32(backend, dy);
  const dx = f32(backend, out);
  dx.fill(0);
  const window = new Int32Array(filterHeight * filterWidth);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      const yFrom = Math.max(y0, 0);
      const yTo = Math.min(y0 + filterHeight, h);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        const xFrom = Math.max(x0, 0);
        const xTo = Math.min(x0 + filterWidth, w);
        let size = 0;
        for (let yy = yFrom; yy < yTo; yy++) {
          for (let xx = xFrom; xx < xTo; xx++) window[size++] = ((b * h + yy) * w + xx) * c;
        }
        const from = ((b * outHeight + oy) * outWidth + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const max = y[from + ch]!;
          for (let k = 0; k < size; k++) {
            const at = window[k]! + ch;
            if (x[at] === max) {
              dx[at] = dx[at]! + g[from + ch]!;
              break;
            }
          }
        }
      }
    }
  }
  return out;
}

/** hcr's MaxPoolGrad for the WASM backend. */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: WASM,
  kernelFunc: maxPoolGrad,
};
