// The engine's WASM training kernels (DESIGN.md §1). They live in src/core/wasm-kernels.ts so
// that the page's adaptation worker registers the same ones; Node's engine uses them from here.

export { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from '../../core/wasm-kernels.js';
