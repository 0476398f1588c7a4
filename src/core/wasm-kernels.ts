// The kernels are in src/core/kernels/; this path stays for the page's adaptation worker
// (src/web/adapt-worker.ts), which imports it.
export { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from './kernels/index.js';
