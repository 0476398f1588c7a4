// The backend of the page's adaptation workers (adapt-worker.ts for the character model,
// line-adapt-worker.ts for the line model): tfjs' WebAssembly backend with hcr's own training
// kernels (core/wasm-kernels.ts; upstream has no Conv2DBackpropFilter), else WebGL.

import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../core/wasm-kernels.js';

/**
 * Starts WebAssembly with hcr's training kernels, else WebGL; returns the backend's name.
 *
 * @throws Error when neither starts
 * @example
 * const backend = await startTrainingBackend(); // 'wasm'
 */
export async function startTrainingBackend(): Promise<string> {
  try {
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      registerWasmTrainingKernels();
      return 'wasm';
    }
  } catch {
    // WebGL below.
  }
  if (await tf.setBackend('webgl')) {
    await tf.ready();
    return 'webgl';
  }
  throw new Error('neither WebAssembly nor WebGL could start in the worker');
}
