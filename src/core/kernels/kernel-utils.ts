// What hcr's WASM training kernels (docs/DESIGN.md §1) share: the shapes of what tfjs passes a
// kernel, views of tensors on the WASM heap, running another WASM kernel directly (a forward
// convolution, a transpose), freeing the temporaries a kernel makes, and upstream's kernels,
// which hcr's replace and fall back to.

import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { HcrError } from '../errors.js';

/** The tfjs backend name hcr's kernels are registered for. */
export const WASM = 'wasm';

/** Explicit 4-D padding as tfjs kernels take it: `[[0,0],[top,bottom],[left,right],[0,0]]`. */
export type ExplicitPadding = [
  [number, number],
  [number, number],
  [number, number],
  [number, number],
];

/** The attributes a 2-D convolution kernel receives (the forward one and both gradients). */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** A 4-D shape, `[batch, height, width, channels]` or a filter's `[kh, kw, in, out]`. */
export type Shape4 = [number, number, number, number];

/** What tfjs passes a kernel function. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: object;
  attrs?: NamedAttrMap;
}

/**
 * What a kernel's call holds, typed: the WASM backend, its attributes as `A`, and its inputs by
 * name.
 *
 * @example
 * const { backend, attrs, input } = kernelCall<{ reps: number[] }>(args);
 * const x = input('x');
 */
export function kernelCall<A>(args: KernelArgs): {
  backend: BackendWasm;
  attrs: A;
  input: (name: string) => TensorInfo;
} {
  return {
    backend: args.backend as BackendWasm,
    attrs: args.attrs as unknown as A,
    input: (name) => args.inputs[name] as TensorInfo,
  };
}

/**
 * Runs another kernel registered for the WASM backend directly (no engine bookkeeping).
 *
 * @example
 * const y = runWasmKernel('Transpose', backend, { x }, { perm: [1, 0] });
 */
export function runWasmKernel(
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

/** Frees a tensor a kernel made for its own use. */
export function free(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/**
 * Runs `body` with a `temp` function that marks tensors to free when `body` returns or throws.
 *
 * @example
 * return withTemps(backend, (temp) => runWasmKernel('Relu', backend, { x: temp(made) }, {}));
 */
export function withTemps<T>(
  backend: BackendWasm,
  body: (temp: (info: TensorInfo) => TensorInfo) => T,
): T {
  const temps: TensorInfo[] = [];
  try {
    return body((info) => {
      temps.push(info);
      return info;
    });
  } finally {
    for (const t of temps) free(backend, t);
  }
}

/** `shape` as a 4-D shape, else an `ENGINE` error naming `what`. */
export function asShape4(shape: readonly number[], what: string): Shape4 {
  if (shape.length !== 4) {
    throw new HcrError('ENGINE', `${what}: expected a 4-D shape, got [${shape.join(', ')}]`);
  }
  return shape as Shape4;
}

/** Refuses channels-first data: hcr's convolution kernels read NHWC only. */
export function assertNhwc(kernel: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') {
    throw new HcrError(
      'ENGINE',
      `${kernel} (hcr wasm kernel): expected dataFormat 'NHWC', got '${dataFormat}'`,
    );
  }
}

/** Views of a float32 tensor on the WASM heap. Take them after the last allocation: growing the heap detaches them. */
export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** The geometry of a 2-D convolution with the kernel's attributes (tfjs' `computeConv2DInfo`). */
export function convInfo(
  inShape: Shape4,
  filterShape: Shape4,
  attrs: ConvAttrs,
  dilations: [number, number] | number = 1,
): tf.backend_util.Conv2DInfo {
  const { strides, pad, dimRoundingMode } = attrs;
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
  );
}

/** A stride-1 NHWC convolution through the backend's own (XNNPACK) Conv2D kernel. */
export function forwardConv(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  pad: ExplicitPadding,
  dilations: [number, number],
): TensorInfo {
  return runWasmKernel('Conv2D', backend, { x, filter }, {
    strides: [1, 1],
    dilations,
    pad,
    dataFormat: 'NHWC',
  } as unknown as NamedAttrMap);
}

/** `x` with its axes permuted, through the backend's Transpose kernel. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel('Transpose', backend, { x }, { perm });
}

/** Upstream's kernels that hcr's wrap (and fall back to), captured when they are replaced. */
const upstreamKernels = new Map<string, tf.KernelFunc>();

/** Keeps upstream's kernel `name` for {@link runUpstream}; called when hcr's replaces it. */
export function captureUpstream(name: string, kernelFunc: tf.KernelFunc): void {
  upstreamKernels.set(name, kernelFunc);
}

/** Runs upstream's kernel `name` (the one hcr's kernel of that name replaced). */
export function runUpstream(name: string, args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const upstream = upstreamKernels.get(name);
  if (upstream === undefined) {
    throw new HcrError('ENGINE', `${name} (hcr wasm kernel): upstream kernel not captured`);
  }
  return upstream(args) as TensorInfo;
}
