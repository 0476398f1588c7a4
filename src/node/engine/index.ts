// The engine's public entry: backend choice and hcr's WASM training kernels (DESIGN.md §1).

export { BACKENDS, ENGINE_DEFAULTS, initEngine } from './backend.js';
export type { BackendName, EngineInfo, EngineOptions } from './backend.js';
export { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from './wasm-kernels.js';
