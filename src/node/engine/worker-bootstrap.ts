// Starting a worker thread from hcr's own modules, compiled or not: the replicas of training
// (replicas.ts) and the server's work pool (server/work-pool.ts) both start theirs here.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The script that runs the module `name` (without extension) beside the caller's file `here`:
 * the compiled `.js`, or in development (the caller is `.ts`, run by tsx or vitest) a small
 * bootstrap that registers tsx's loader in the worker, since Node 20's workers do not inherit
 * the parent's module hooks.
 *
 * @example
 * workerEntry(import.meta.url, './work-worker'); // { script: URL of work-worker.js, eval: false }
 */
export function workerEntry(here: string, name: string): { script: string | URL; eval: boolean } {
  if (!here.endsWith('.ts')) return { script: new URL(`${name}.js`, here), eval: false };
  // `require.resolve` picks the CommonJS build of tsx's API; the worker imports its ESM twin.
  const tsxApi = createRequire(here)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const tsx = pathToFileURL(tsxApi).href;
  const target = new URL(`${name}.ts`, here).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`,
    eval: true,
  };
}

/**
 * Starts a worker thread running the module `name` beside the caller's file `here` (see
 * {@link workerEntry}), with `options` (workerData, resource limits).
 *
 * @example
 * const worker = startWorker(import.meta.url, './replica-worker', { workerData: init });
 */
export function startWorker(here: string, name: string, options: WorkerOptions = {}): Worker {
  const entry = workerEntry(here, name);
  return new Worker(entry.script, { ...options, eval: entry.eval });
}
