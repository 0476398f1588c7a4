// tfjs' backend in the browser, started one way by all who run a model there: the page
// (recognizer.ts), the polyfill's reading worker (handwriting/worker.ts) and the adaptation
// workers (training-backend.ts, which adds hcr's training kernels). WebAssembly finds its .wasm
// files where Vite put them; the first backend asked for that starts is the one used.

import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** The backends a browser tries, in order: WebAssembly, WebGL, plain JavaScript. */
export const BROWSER_BACKENDS = Object.freeze(['wasm', 'webgl', 'cpu'] as const);

/**
 * Starts the first of `backends` that starts (the WebAssembly backend with its files from this
 * build) and returns its name.
 *
 * @param backends - the backends to try, in order. Default: {@link BROWSER_BACKENDS}.
 * @throws Error naming the backends tried when none starts
 * @example
 * const backend = await startBackend(); // 'wasm'
 */
export async function startBackend(
  backends: readonly string[] = BROWSER_BACKENDS,
): Promise<string> {
  for (const name of backends) {
    try {
      if (name === 'wasm') {
        wasm.setWasmPaths({
          'tfjs-backend-wasm.wasm': wasmPlainUrl,
          'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
        });
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // The next backend.
    }
  }
  throw new Error(`no tfjs backend could start (tried ${backends.join(', ')})`);
}
