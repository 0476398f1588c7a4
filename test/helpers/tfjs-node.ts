// Whether @tensorflow/tfjs-node (an optional dependency) is installed here: tests that need
// its absence (the WASM fallback, a worker that cannot start it) are skipped where it is.

import { createRequire } from 'node:module';

/** True when `@tensorflow/tfjs-node` resolves from the tests. */
export const tfjsNodeInstalled = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();
