// The engine's WASM training kernels (docs/DESIGN.md §1). They live in src/core/kernels/ so that
// the page's adaptation worker registers the same ones; Node's engine uses them from here.

export { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from '../../core/kernels/index.js';
