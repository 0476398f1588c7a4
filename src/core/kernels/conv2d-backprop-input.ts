// Conv2DBackpropInput for the WASM backend (docs/DESIGN.md §1). Upstream's is a naive loop; here
// the input gradient is one FORWARD convolution, so that the backend's XNNPACK Conv2D does the
// arithmetic: `dx = conv2d(pad(dilate(dy, stride), k-1-p), flip(W) with in/out channels
// swapped)`. The small re-layouts around it (flip, zero insertion) are plain loops over the
// WASM heap.

import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  WASM,
  asShape4,
  assertNhwc,
  convInfo,
  f32,
  forwardConv,
  kernelCall,
  withTemps,
  type ConvAttrs,
  type KernelArgs,
  type Shape4,
} from './kernel-utils.js';

/**
 * `w[a,b,ci,co]` → `w'[a',b',co,ci] = w[kh-1-a', kw-1-b', ci, co]`: the filter of the
 * forward convolution that computes the input gradient (spatially flipped, channels swapped).
 */
function flipAndSwapChannels(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = asShape4(filter.shape, 'Conv2DBackpropInput filter');
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const srcBase = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const dstBase = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++)
          dst[dstBase + o * ci + i] = src[srcBase + i * co + o] as number;
      }
    }
  }
  return out;
}

/**
 * Inserts `stride-1` zeros between the rows and columns of `dy` (NHWC), then drops
 * `crop` rows/columns at each border. The result is what a stride-1 convolution must
 * see to compute the gradient of a strided one.
 */
function dilateAndCrop(
  backend: BackendWasm,
  dy: TensorInfo,
  strideH: number,
  strideW: number,
  crop: { top: number; bottom: number; left: number; right: number },
): TensorInfo {
  const [n, h, w, c] = asShape4(dy.shape, 'Conv2DBackpropInput dy');
  const outH = (h - 1) * strideH + 1 - crop.top - crop.bottom;
  const outW = (w - 1) * strideW + 1 - crop.left - crop.right;
  const out = backend.makeOutput([n, Math.max(outH, 0), Math.max(outW, 0), c], 'float32');
  const src = f32(backend, dy);
  const dst = f32(backend, out);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < outH; y++) {
      const sy = y + crop.top;
      if (sy % strideH !== 0) continue;
      const srcRow = (b * h + sy / strideH) * w;
      const dstRow = (b * outH + y) * outW;
      for (let x = 0; x < outW; x++) {
        const sx = x + crop.left;
        if (sx % strideW !== 0) continue;
        const from = (srcRow + sx / strideW) * c;
        dst.set(src.subarray(from, from + c), (dstRow + x) * c);
      }
    }
  }
  return out;
}

function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { backend, attrs, input } = kernelCall<ConvAttrs & { inputShape: Shape4 }>(args);
  const dy = input('dy');
  const filter = input('filter');
  assertNhwc('Conv2DBackpropInput', attrs.dataFormat);
  const info = convInfo(
    attrs.inputShape,
    asShape4(filter.shape, 'Conv2DBackpropInput filter'),
    attrs,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight, inWidth } = info;
  const dilatedH = (info.outHeight - 1) * sh + 1;
  const dilatedW = (info.outWidth - 1) * sw + 1;
  // Padding of the dilated dy so that a valid stride-1 conv yields the input's size.
  // A negative value (only with odd explicit paddings) means cropping instead.
  const pads = {
    top: kh - 1 - info.padInfo.top,
    bottom: inHeight + info.padInfo.top - dilatedH,
    left: kw - 1 - info.padInfo.left,
    right: inWidth + info.padInfo.left - dilatedW,
  };
  const needsCrop = pads.top < 0 || pads.bottom < 0 || pads.left < 0 || pads.right < 0;
  return withTemps(backend, (temp) => {
    const dyReady =
      sh > 1 || sw > 1 || needsCrop
        ? temp(
            dilateAndCrop(backend, dy, sh, sw, {
              top: Math.max(-pads.top, 0),
              bottom: Math.max(-pads.bottom, 0),
              left: Math.max(-pads.left, 0),
              right: Math.max(-pads.right, 0),
            }),
          )
        : dy;
    const flipped = temp(flipAndSwapChannels(backend, filter));
    return forwardConv(
      backend,
      dyReady,
      flipped,
      [
        [0, 0],
        [Math.max(pads.top, 0), Math.max(pads.bottom, 0)],
        [Math.max(pads.left, 0), Math.max(pads.right, 0)],
        [0, 0],
      ],
      [1, 1],
    );
  });
}

/** hcr's Conv2DBackpropInput for the WASM backend: one forward convolution. */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: WASM,
  kernelFunc: conv2DBackpropInput,
};
