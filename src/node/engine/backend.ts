// Chooses and starts the TensorFlow.js backend (docs/DESIGN.md §1): tfjs-node when it can be
// loaded, else WASM with hcr's training kernels; `cpu` only when asked for. Nothing
// happens at import time: backends are loaded by `initEngine()`.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HcrError, lookup } from '../../core/errors.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

/**
 * The backends hcr can run on, with what each one is.
 *
 * @example
 * Object.keys(BACKENDS); // ['auto', 'tensorflow', 'wasm', 'cpu']
 */
export const BACKENDS = Object.freeze({
  auto: "'tensorflow' when @tensorflow/tfjs-node can be loaded, else 'wasm'",
  tensorflow:
    'native libtensorflow through the optional dependency @tensorflow/tfjs-node (fastest; its install downloads libtensorflow)',
  wasm: 'WebAssembly with XNNPACK and SIMD, one thread in Node, plus hcr training kernels (always available)',
  cpu: 'pure JavaScript reference backend (under 1 image/s when training; for tests and checks)',
} as const);

/** A key of `BACKENDS`. */
export type BackendName = keyof typeof BACKENDS;

/** Options of `initEngine()`; every field is optional. */
export interface EngineOptions {
  /** Which backend to start, a key of `BACKENDS`. Default: `'auto'`. */
  backend?: BackendName;
}

/**
 * Defaults of `EngineOptions`, the one place docs and `--help` read them from.
 *
 * @example
 * ENGINE_DEFAULTS.backend; // 'auto'
 */
export const ENGINE_DEFAULTS: Readonly<Required<EngineOptions>> = Object.freeze({
  backend: 'auto',
});

/** What `initEngine()` started. */
export interface EngineInfo {
  /** The tfjs backend now active: `'tensorflow'`, `'wasm'` or `'cpu'`. */
  backend: string;
  /** Version of `@tensorflow/tfjs`, e.g. `'4.22.0'`. */
  tfjsVersion: string;
  /** Threads the backend computes with (WASM under Node: 1). */
  threads: number;
  /** With `'auto'` only: why `'tensorflow'` was not used, e.g. `@tensorflow/tfjs-node is not installed`. */
  fallbackReason?: string;
}

const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

/** The WASM binary tfjs-backend-wasm loads under Node: SIMD, no threads (its pthreads do not start in Node). */
const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

/**
 * Starts a TensorFlow.js backend and makes it the active one. `'auto'` (the default)
 * prefers `@tensorflow/tfjs-node` and falls back to WASM quietly when it is missing.
 * On WASM it registers hcr's training kernels (see `registerWasmTrainingKernels`).
 * Calling it again is cheap and returns the same answer.
 *
 * @throws HcrError `BAD_OPTION` for an unknown backend name (the message lists the valid
 *   ones); `ENGINE` when the requested backend cannot start.
 * @example
 * const info = await initEngine(); // { backend: 'wasm', tfjsVersion: '4.22.0', threads: 1, ... }
 * await initEngine({ backend: 'cpu' });
 */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const name = options.backend ?? ENGINE_DEFAULTS.backend;
  lookup(BACKENDS, name, 'backend');
  switch (name) {
    case 'tensorflow':
      return startTensorflow();
    case 'wasm':
      return startWasm();
    case 'cpu':
      return startCpu();
    case 'auto': {
      let reason: string;
      try {
        return await startTensorflow();
      } catch (error) {
        reason = error instanceof HcrError ? error.message : String(error);
      }
      return { ...(await startWasm()), fallbackReason: reason };
    }
  }
}

function info(backend: string, threads: number): EngineInfo {
  return { backend, tfjsVersion: tf.version.tfjs, threads };
}

async function startTensorflow(): Promise<EngineInfo> {
  const install = `install it with 'npm install ${TFJS_NODE}' (it downloads libtensorflow, so it needs internet) or use --backend wasm`;
  if (tf.findBackendFactory('tensorflow') === null) {
    try {
      // A variable specifier: the package is optional and has no types when absent.
      const specifier: string = TFJS_NODE;
      await import(specifier);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
      throw new HcrError(
        'ENGINE',
        missing
          ? `backend 'tensorflow': ${TFJS_NODE} is not installed; ${install}`
          : `backend 'tensorflow': ${TFJS_NODE} is installed but failed to load (${(error as Error).message}); reinstall it or use --backend wasm`,
        { cause: error },
      );
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      throw new HcrError(
        'ENGINE',
        `backend 'tensorflow': ${TFJS_NODE} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs ${tf.version.tfjs}; install the same version of both`,
      );
    }
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new HcrError(
      'ENGINE',
      `backend 'tensorflow': ${TFJS_NODE} failed to initialize; ${install}`,
    );
  }
  return info('tensorflow', availableParallelism());
}

async function startWasm(): Promise<EngineInfo> {
  const wasm = await import(TFJS_WASM);
  if (tf.findBackend('wasm') === null) {
    // Point the loader at the package's own dist folder, where the .wasm files ship; its
    // default (the script's __dirname) breaks as soon as the package is bundled.
    const distDir = dirname(createRequire(import.meta.url).resolve(TFJS_WASM));
    if (!existsSync(join(distDir, WASM_BINARY))) {
      throw new HcrError(
        'ENGINE',
        `backend 'wasm': expected ${WASM_BINARY} in ${distDir}, it is missing; reinstall ${TFJS_WASM}`,
      );
    }
    wasm.setWasmPaths(distDir + sep);
  }
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) {
    throw new HcrError(
      'ENGINE',
      `backend 'wasm': ${TFJS_WASM} failed to initialize (WebAssembly unavailable?)`,
    );
  }
  return info('wasm', wasm.getThreadsCount());
}

async function startCpu(): Promise<EngineInfo> {
  if (!(await tf.setBackend('cpu'))) {
    throw new HcrError('ENGINE', "backend 'cpu' failed to initialize");
  }
  // The cpu backend prints an "install tfjs-node" banner on its first tensor; hcr already
  // reports the backend it runs on, so mark that first use as done.
  const cpu = tf.findBackend('cpu') as { firstUse?: unknown } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
  return info('cpu', 1);
}
