// hcr's training kernels for the WASM backend (docs/DESIGN.md §1), in core so that Node's engine
// and the page's adaptation worker register the same ones. tfjs-backend-wasm has no
// Conv2DBackpropFilter and only a naive loop for Conv2DBackpropInput, so a CNN cannot be trained on
// it. Both gradients are rewritten here as FORWARD convolutions, so that the backend's XNNPACK
// Conv2D does the arithmetic; the small re-layouts around them (flip, zero insertion) are plain
// loops over the WASM heap.

import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { HcrError } from './errors.js';

/** The tfjs backend name the kernels in this file are registered for. */
const WASM = 'wasm';

/** Explicit 4-D padding as tfjs kernels take it: `[[0,0],[top,bottom],[left,right],[0,0]]`. */
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** The attributes a 2-D convolution gradient kernel receives (both kernels share them). */
interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];

/** What tfjs passes a kernel function. */
interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: object;
  attrs?: NamedAttrMap;
}

/**
 * Largest patch (kh*kw*ci) for which the filter gradient is computed through im2col and one
 * matrix product; measured on the networks' layer shapes (npm run bench:train).
 */
const IM2COL_MAX_PATCH = 64;

/** Runs another kernel registered for the WASM backend directly (no engine bookkeeping). */
function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const config = tf.getKernel(name, WASM);
  if (config === undefined) {
    throw new HcrError('ENGINE', `wasm backend: kernel '${name}' is not registered`);
  }
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new HcrError(
      'ENGINE',
      `wasm backend: kernel '${name}' returned ${out.length} tensors, expected 1`,
    );
  }
  return out;
}

function free(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

function asShape4(shape: readonly number[], what: string): Shape4 {
  if (shape.length !== 4) {
    throw new HcrError('ENGINE', `${what}: expected a 4-D shape, got [${shape.join(', ')}]`);
  }
  return shape as Shape4;
}

function assertNhwc(kernel: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') {
    throw new HcrError(
      'ENGINE',
      `${kernel} (hcr wasm kernel): expected dataFormat 'NHWC', got '${dataFormat}'`,
    );
  }
}

/** Views of a float32 tensor on the WASM heap. Take them after the last allocation: growing the heap detaches them. */
function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

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

/**
 * Input gradient of a 2-D convolution as one forward convolution:
 * `dx = conv2d(pad(dilate(dy, stride), k-1-p), flip(W) with in/out channels swapped)`.
 */
function conv2DBackpropInputKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const dy = args.inputs['dy'] as TensorInfo;
  const filter = args.inputs['filter'] as TensorInfo;
  const attrs = args.attrs as unknown as ConvGradAttrs & { inputShape: Shape4 };
  assertNhwc('Conv2DBackpropInput', attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    asShape4(filter.shape, 'Conv2DBackpropInput filter'),
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
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
  const dyReady =
    sh > 1 || sw > 1 || needsCrop
      ? dilateAndCrop(backend, dy, sh, sw, {
          top: Math.max(-pads.top, 0),
          bottom: Math.max(-pads.bottom, 0),
          left: Math.max(-pads.left, 0),
          right: Math.max(-pads.right, 0),
        })
      : dy;
  const flipped = flipAndSwapChannels(backend, filter);
  try {
    const pad: ExplicitPadding = [
      [0, 0],
      [Math.max(pads.top, 0), Math.max(pads.bottom, 0)],
      [Math.max(pads.left, 0), Math.max(pads.right, 0)],
      [0, 0],
    ];
    return runWasmKernel('Conv2D', backend, { x: dyReady, filter: flipped }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad,
      dataFormat: 'NHWC',
    } as unknown as NamedAttrMap);
  } finally {
    free(backend, flipped);
    if (dyReady !== dy) free(backend, dyReady);
  }
}

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
 */
function multiplyPatches(
  backend: BackendWasm,
  x: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  b: TensorInfo,
  transposePatches: boolean,
  outShape: number[],
): TensorInfo {
  const patches = patchesTransposed(backend, x, info);
  const [k, positions] = patches.shape as [number, number];
  const m = b.shape[b.shape.length - 1]!;
  try {
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
  } finally {
    free(backend, patches);
  }
}

/**
 * Conv2D for small patches (a first layer reads one channel: 3x3x1 = 9 values) as one matrix
 * product `im2col(x) · W`; XNNPACK's convolution is at its slowest on them. Larger patches go
 * to upstream's kernel.
 */
function conv2DKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const x = args.inputs['x'] as TensorInfo;
  const filter = args.inputs['filter'] as TensorInfo;
  const attrs = args.attrs as unknown as ConvGradAttrs & { dilations: [number, number] | number };
  const filterShape = asShape4(filter.shape, 'Conv2D filter');
  const [kh, kw, ci, co] = filterShape;
  if (attrs.dataFormat !== 'NHWC' || kh * kw * ci > IM2COL_MAX_PATCH) {
    return runUpstream(tf.Conv2D, args as Parameters<tf.KernelFunc>[0]);
  }
  const info = tf.backend_util.computeConv2DInfo(
    asShape4(x.shape, 'Conv2D x'),
    filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  // [1, n*outH*outW, co] is [n, outH, outW, co] in memory.
  return multiplyPatches(backend, x, info, filter, true, [
    info.batchSize,
    info.outHeight,
    info.outWidth,
    co,
  ]);
}

/**
 * Filter gradient of a 2-D convolution as one forward convolution:
 * `dW = transpose(conv2d(transpose(x,[3,1,2,0]), transpose(dy,[1,2,0,3])), [1,2,0,3])`,
 * the forward conv using the original stride as its dilation.
 */
function conv2DBackpropFilterKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const x = args.inputs['x'] as TensorInfo;
  const dy = args.inputs['dy'] as TensorInfo;
  const attrs = args.attrs as unknown as ConvGradAttrs & { filterShape: Shape4 };
  assertNhwc('Conv2DBackpropFilter', attrs.dataFormat);
  const xShape = asShape4(x.shape, 'Conv2DBackpropFilter x');
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
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
  const temps: TensorInfo[] = [];
  try {
    let xUsed = x;
    if (padBottom < 0 || padRight < 0) {
      xUsed = runWasmKernel(
        'Slice',
        backend,
        { x },
        {
          begin: [0, 0, 0, 0],
          size: [n, h + Math.min(padBottom, 0), w + Math.min(padRight, 0), c],
        },
      );
      temps.push(xUsed);
    }
    const xT = runWasmKernel('Transpose', backend, { x: xUsed }, { perm: [3, 1, 2, 0] });
    temps.push(xT);
    const dyT = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyT);
    const pad: ExplicitPadding = [
      [0, 0],
      [info.padInfo.top, Math.max(padBottom, 0)],
      [info.padInfo.left, Math.max(padRight, 0)],
      [0, 0],
    ];
    const grad = runWasmKernel('Conv2D', backend, { x: xT, filter: dyT }, {
      strides: [1, 1],
      dilations: [sh, sw],
      pad,
      dataFormat: 'NHWC',
    } as unknown as NamedAttrMap);
    temps.push(grad);
    return runWasmKernel('Transpose', backend, { x: grad }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) free(backend, t);
  }
}

/**
 * Tile as block copies: upstream's WASM Tile computes an index per element and took a
 * quarter of a training step (batch-norm gradients tile a [1,1,1,C] tensor to the
 * activation's shape). Here each axis is filled by copying the block below it.
 */
function tileKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const x = args.inputs['x'] as TensorInfo;
  const reps = (args.attrs as unknown as { reps: number[] }).reps;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    throw new HcrError(
      'ENGINE',
      `Tile (hcr wasm kernel): expected a numeric or bool tensor, got dtype '${x.dtype}'`,
    );
  }
  if (reps.length !== x.shape.length) {
    throw new HcrError(
      'ENGINE',
      `Tile: expected ${x.shape.length} reps for shape [${x.shape.join(', ')}], got [${reps.join(', ')}]`,
    );
  }
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * (reps[i] as number));
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (dst.length === 0) return out;
  if (rank === 0) {
    dst.set(src);
    return out;
  }
  const xStrides = new Array<number>(rank);
  const outStrides = new Array<number>(rank);
  xStrides[rank - 1] = 1;
  outStrides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) {
    xStrides[d] = (xStrides[d + 1] as number) * (x.shape[d + 1] as number);
    outStrides[d] = (outStrides[d + 1] as number) * (outShape[d + 1] as number);
  }
  // Writes x's sub-block at `dim` to dst, then repeats it reps[dim] times by doubling copies.
  const fill = (dim: number, srcAt: number, dstAt: number): void => {
    const size = x.shape[dim] as number;
    const blockLength = size * (outStrides[dim] as number);
    if (dim === rank - 1) {
      dst.set(src.subarray(srcAt, srcAt + size), dstAt);
    } else {
      for (let i = 0; i < size; i++) {
        fill(
          dim + 1,
          srcAt + i * (xStrides[dim] as number),
          dstAt + i * (outStrides[dim] as number),
        );
      }
    }
    const total = blockLength * (reps[dim] as number);
    for (let done = blockLength; done < total; done *= 2) {
      dst.copyWithin(dstAt + done, dstAt, dstAt + Math.min(done, total - done));
    }
  };
  fill(0, 0, 0);
  return out;
}

/**
 * MaxPoolGrad in JavaScript over the WASM heap: upstream's loops ran at 0.04 GFLOP/s and took
 * a fifth of a training step. Each window's gradient goes to the window's first element equal
 * to the pooled maximum (`output`), the element the `cpu` backend picks; comparing with the
 * known maximum instead of tracking a running one keeps the branches predictable.
 */
function maxPoolGradKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const dy = args.inputs['dy'] as TensorInfo;
  const input = args.inputs['input'] as TensorInfo;
  const output = args.inputs['output'] as TensorInfo;
  const attrs = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const shape = asShape4(input.shape, 'MaxPoolGrad input');
  const info = tf.backend_util.computePool2DInfo(
    shape,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
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

/** Upstream's kernels that hcr's wrap (and fall back to), captured when they are replaced. */
const upstreamKernels = new Map<string, tf.KernelFunc>();

/** Runs upstream's kernel `name` (the one hcr's kernel of that name replaced). */
function runUpstream(name: string, args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const upstream = upstreamKernels.get(name);
  if (upstream === undefined) {
    throw new HcrError('ENGINE', `${name} (hcr wasm kernel): upstream kernel not captured`);
  }
  return upstream(args) as TensorInfo;
}

/**
 * BatchMatMul that transposes its operands itself: upstream multiplies transposed operands
 * in a plain loop at 2 GFLOP/s (8x slower than its XNNPACK path), and every dense layer's
 * gradient asks for a transpose. A transpose costs a copy; the product then takes the fast path.
 */
function batchMatMulKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const attrs = (args.attrs ?? {}) as unknown as { transposeA: boolean; transposeB: boolean };
  if (!attrs.transposeA && !attrs.transposeB) return runUpstream(tf.BatchMatMul, args);
  const temps: TensorInfo[] = [];
  const untransposed = (t: TensorInfo, transpose: boolean): TensorInfo => {
    if (!transpose) return t;
    const rank = t.shape.length;
    const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
    const r = runWasmKernel('Transpose', backend, { x: t }, { perm });
    temps.push(r);
    return r;
  };
  try {
    const a = untransposed(args.inputs['a'] as TensorInfo, attrs.transposeA);
    const b = untransposed(args.inputs['b'] as TensorInfo, attrs.transposeB);
    return runUpstream(tf.BatchMatMul, {
      inputs: { a, b },
      backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
  } finally {
    for (const t of temps) free(backend, t);
  }
}

/**
 * Sum or Mean over the LEADING axes of a float32 tensor (a bias gradient sums dy over batch,
 * height and width; batch norm takes the mean over the same axes) as one pass over
 * contiguous rows. Upstream transposes the reduced axes to the end first and took three
 * times as long. Any other reduction goes to upstream's kernel.
 */
function reduceLeadingKernel(name: typeof tf.Sum | typeof tf.Mean): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as BackendWasm;
    const x = args.inputs['x'] as TensorInfo;
    const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return runUpstream(name, args);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const kept = x.shape.slice(axes.length);
    const width = kept.reduce((a, b) => a * b, 1);
    const out = backend.makeOutput(
      attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept,
      'float32',
    );
    const src = f32(backend, x);
    const dst = f32(backend, out);
    const acc = new Float64Array(width);
    // Four rows per pass: a quarter of the accumulator traffic.
    let r = 0;
    for (const w2 = 2 * width, w3 = 3 * width; r + 4 <= rows; r += 4) {
      const at = r * width;
      for (let j = 0; j < width; j++) {
        const i = at + j;
        acc[j] = acc[j]! + (src[i]! + src[i + width]! + (src[i + w2]! + src[i + w3]!));
      }
    }
    for (; r < rows; r++) {
      for (let j = 0, at = r * width; j < width; j++) acc[j] = acc[j]! + src[at + j]!;
    }
    const scale = name === tf.Mean ? 1 / Math.max(rows, 1) : 1;
    for (let j = 0; j < width; j++) dst[j] = acc[j]! * scale;
    return out;
  };
}

/**
 * The kernels hcr adds to (or replaces in) the WASM backend, as tfjs kernel configs.
 *
 * @example
 * for (const k of WASM_TRAINING_KERNELS) console.log(k.kernelName); // Conv2DBackpropInput, ...
 */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = Object.freeze([
  { kernelName: tf.Conv2D, backendName: WASM, kernelFunc: conv2DKernel },
  { kernelName: tf.Conv2DBackpropInput, backendName: WASM, kernelFunc: conv2DBackpropInputKernel },
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: WASM,
    kernelFunc: conv2DBackpropFilterKernel,
  },
  { kernelName: tf.Tile, backendName: WASM, kernelFunc: tileKernel },
  { kernelName: tf.MaxPoolGrad, backendName: WASM, kernelFunc: maxPoolGradKernel },
  { kernelName: tf.BatchMatMul, backendName: WASM, kernelFunc: batchMatMulKernel },
  { kernelName: tf.Sum, backendName: WASM, kernelFunc: reduceLeadingKernel(tf.Sum) },
  { kernelName: tf.Mean, backendName: WASM, kernelFunc: reduceLeadingKernel(tf.Mean) },
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
      upstreamKernels.set(config.kernelName, current.kernelFunc);
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
