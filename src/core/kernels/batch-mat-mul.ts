// BatchMatMul for the WASM backend that transposes its operands itself (docs/DESIGN.md §1):
// upstream multiplies transposed operands in a plain loop at 2 GFLOP/s (8x slower than its
// XNNPACK path), and every dense layer's gradient asks for a transpose. A transpose costs a
// copy; the product then takes the fast path.

import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM, runUpstream, transpose, withTemps, type KernelArgs } from './kernel-utils.js';

function batchMatMul(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const attrs = (args.attrs ?? {}) as unknown as { transposeA: boolean; transposeB: boolean };
  if (!attrs.transposeA && !attrs.transposeB) return runUpstream(tf.BatchMatMul, args);
  return withTemps(backend, (temp) => {
    const untransposed = (t: TensorInfo, transposed: boolean): TensorInfo => {
      if (!transposed) return t;
      const rank = t.shape.length;
      return temp(transpose(backend, t, [...Array(rank - 2).keys(), rank - 1, rank - 2]));
    };
    const a = untransposed(args.inputs['a'] as TensorInfo, attrs.transposeA);
    const b = untransposed(args.inputs['b'] as TensorInfo, attrs.transposeB);
    return runUpstream(tf.BatchMatMul, {
      inputs: { a, b },
      backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
  });
}

/** hcr's BatchMatMul for the WASM backend (transposed operands; the others upstream's). */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: WASM,
  kernelFunc: batchMatMul,
};
