// Convolutions of small patches as one matrix product (docs/DESIGN.md §1): the patches a
// convolution reads laid out as a matrix (im2col), multiplied by the backend's BatchMatMul.
// XNNPACK's convolution is at its slowest on patches of a handful of values (a first layer's
// 3x3x1), so the Conv2D and Conv2DBackpropFilter kernels take this way for them.

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asShape4, f32, runWasmKernel, withTemps } from './kernel-utils.js';

/**
 * Largest patch (kh*kw*ci) for which a convolution or its filter gradient is computed through
 * im2col and one matrix product; measured on the networks' layer shapes (npm run bench:train).
 */
export const IM2COL_MAX_PATCH = 64;

/**
 * The patches of `x` a convolution reads, transposed (`im2col` with one COLUMN per output
 * position): `[kh*kw*c, n*outH*outW]`, zeros where a window reaches into the padding. Each
 * row is the input shifted by one kernel offset, so a stride-1, one-channel row is copied
 * in runs of `outW`.
 */
function patchesTransposed(
  backend: BackendWasm,
  x: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const [n, h, w, c] = asShape4(x.shape, 'im2col x');
  const { outHeight, outWidth, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const columns = n * outHeight * outWidth;
  const out = backend.makeOutput([kh * kw * c, columns], 'float32');
  const src = f32(backend, x);
  const dst = f32(backend, out);
  for (let fy = 0; fy < kh; fy++) {
    for (let fx = 0; fx < kw; fx++) {
      // Output columns whose window column fx lands inside the image: ox in [oxFrom, oxTo).
      const shift = fx * dw - left;
      const oxFrom = Math.min(Math.max(Math.ceil(-shift / sw), 0), outWidth);
      const oxTo = Math.max(Math.min(Math.ceil((w - shift) / sw), outWidth), oxFrom);
      for (let ci = 0; ci < c; ci++) {
        const rowStart = ((fy * kw + fx) * c + ci) * columns;
        for (let b = 0; b < n; b++) {
          for (let oy = 0; oy < outHeight; oy++) {
            const at = rowStart + (b * outHeight + oy) * outWidth;
            const iy = oy * sh - top + fy * dh;
            if (iy < 0 || iy >= h) {
              dst.fill(0, at, at + outWidth);
              continue;
            }
            dst.fill(0, at, at + oxFrom);
            dst.fill(0, at + oxTo, at + outWidth);
            const base = (b * h + iy) * w;
            if (c === 1 && sw === 1) {
              const from = base + oxFrom + shift;
              dst.set(src.subarray(from, from + oxTo - oxFrom), at + oxFrom);
            } else {
              for (let ox = oxFrom; ox < oxTo; ox++) {
                dst[at + ox] = src[(base + ox * sw + shift) * c + ci]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * One matrix product with the patches of `x` (see {@link patchesTransposed}) and `b`, whose
 * last dimension `m` is kept: `patchesᵀ · b` as `[k, m]` (b is `[positions, m]`), or with
 * `transposePatches`, `patches · b` as `[positions, m]` (b is `[k, m]`). The result is
 * reshaped to `outShape`, which must hold the same values in the same order.
 *
 * @example
 * // Conv2D of small patches: [1, n*outH*outW, co] is [n, outH, outW, co] in memory.
 * multiplyPatches(backend, x, info, filter, true, [n, outH, outW, co]);
 */
export function multiplyPatches(
  backend: BackendWasm,
  x: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  b: TensorInfo,
  transposePatches: boolean,
  outShape: number[],
): TensorInfo {
  return withTemps(backend, (temp) => {
    const patches = temp(patchesTransposed(backend, x, info));
    const [k, positions] = patches.shape as [number, number];
    const m = b.shape[b.shape.length - 1]!;
    const product = runWasmKernel(
      'BatchMatMul',
      backend,
      {
        a: { ...patches, shape: [1, k, positions] },
        b: { dataId: b.dataId, dtype: b.dtype, shape: [1, transposePatches ? k : positions, m] },
      },
      { transposeA: transposePatches, transposeB: false },
    );
    return { ...product, shape: outShape };
  });
}
