// The engine's public entry: backend choice, hcr's WASM training kernels and the data-parallel
// replicas on worker threads (docs/DESIGN.md §1).

export { BACKENDS, ENGINE_DEFAULTS, initEngine } from './backend.js';
export type { BackendName, EngineInfo, EngineOptions } from './backend.js';
export { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from './wasm-kernels.js';
export { ReplicaPool, defaultWorkers } from './replicas.js';
export type { ReplicaPoolOptions, StepResult } from './replicas.js';
