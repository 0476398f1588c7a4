// Tile for the WASM backend as block copies (docs/DESIGN.md §1): upstream's computes an index per
// element and took a quarter of a training step (batch-norm gradients tile a [1,1,1,C] tensor
// to the activation's shape). Here each axis is filled by copying the block below it.

import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { HcrError } from '../errors.js';
import { WASM, kernelCall, type KernelArgs } from './kernel-utils.js';

function tile(args: KernelArgs): TensorInfo {
  const { backend, attrs, input } = kernelCall<{ reps: number[] }>(args);
  const x = input('x');
  const reps = attrs.reps;
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

/** hcr's Tile for the WASM backend: block copies. */
export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: WASM,
  kernelFunc: tile,
};
