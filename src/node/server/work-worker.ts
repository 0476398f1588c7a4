// The worker thread behind the server's WorkPool (work-pool.ts): it builds its own copy of the
// served model on its own tfjs backend, then runs one request's work at a time (work.ts) and
// answers with the result or the error's code and message. The pool terminates it when a job
// runs past its time budget or its client leaves, and starts another.

import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { initEngine, type BackendName } from '../engine/backend.js';
import { isHcrError } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import { ApiError } from './errors.js';
import { runWork, type WorkJob, type WorkResult } from './work.js';
import { lineModelWeightTensors } from '../read/line-reader.js';

/** What the pool hands a worker when it starts it. */
export interface WorkWorkerInit {
  readonly backend: BackendName;
  /** `model.toJSON(null, false)` of the served model. */
  readonly topology: object;
  /** Shapes of `model.weights`, in order. */
  readonly weightShapes: readonly (readonly number[])[];
  /** All weights, concatenated (Float32), shared by every worker. */
  readonly weights: SharedArrayBuffer;
  readonly labelSet: LoadedModel['labelSet'];
  readonly metadata: LoadedModel['metadata'];
  readonly dir: string;
}

/** A message from the pool: one job. */
export interface WorkRequest {
  readonly id: number;
  readonly job: WorkJob;
}

/** A message to the pool. */
export type WorkReply =
  | { readonly type: 'ready'; readonly tensors: number }
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly ok: true;
      readonly value: WorkResult;
      /** Tensors alive in this worker after the job beyond its models' weights (must stay flat). */
      readonly tensors: number;
      /** True when the job left this worker holding much memory: the pool replaces it. */
      readonly recycle: boolean;
    }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly ok: false;
      /** An HcrError or ApiError code; absent for an error hcr did not expect. */
      readonly code?: string;
      readonly message: string;
      readonly tensors: number;
      readonly recycle: boolean;
    };

/**
 * A worker whose JavaScript heap and ArrayBuffers together hold this much more after a job than
 * when it started (a large photo, a page of candidates) is replaced rather than kept: V8 keeps
 * a grown heap, and the next job would start from there. About 100 MiB is the baseline (tfjs,
 * the model, WebAssembly memory).
 */
const RECYCLE_GROWTH_BYTES = 64 * 1024 * 1024;

function heldBytes(): number {
  const heap = getHeapStatistics();
  return heap.total_heap_size + heap.external_memory;
}

let baselineBytes = Infinity;

function heavy(): boolean {
  return heldBytes() - baselineBytes > RECYCLE_GROWTH_BYTES;
}

async function start(init: WorkWorkerInit): Promise<LoadedModel> {
  await initEngine({ backend: init.backend });
  const model = await tf.models.modelFromJSON({
    modelTopology: init.topology as tf.io.ModelJSON['modelTopology'],
  });
  let offset = 0;
  const values = init.weightShapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(new Float32Array(init.weights, offset * 4, size), shape as number[]);
    offset += size;
    return t;
  });
  model.setWeights(values);
  tf.dispose(values);
  return {
    model,
    labelSet: init.labelSet,
    metadata: init.metadata,
    dir: init.dir,
    dispose: () => model.dispose(),
  };
}

/**
 * Tensors beyond the weights of the models this worker holds: flat from job to job unless a job
 * leaks, although the worker loads the line model on its first line read (a replaced worker
 * loads it again).
 */
function jobTensors(loaded: LoadedModel): number {
  return tf.memory().numTensors - loaded.model.weights.length - lineModelWeightTensors();
}

const port = parentPort;
if (port) {
  // libvips' cache would keep decoded uploads (up to 50 MB) and its thread pool would spread
  // one decode over every core; the pool's workers are the server's parallelism.
  sharp.cache(false);
  sharp.concurrency(1);
  const init = workerData as WorkWorkerInit;
  start(init).then(
    (loaded) => {
      port.on('message', (request: WorkRequest) => {
        runWork(loaded, request.job).then(
          (value) => {
            const reply: WorkReply = {
              type: 'done',
              id: request.id,
              ok: true,
              value,
              tensors: jobTensors(loaded),
              recycle: heavy(),
            };
            port.postMessage(reply);
          },
          (error: unknown) => {
            const known = isHcrError(error) || error instanceof ApiError;
            const reply: WorkReply = {
              type: 'done',
              id: request.id,
              ok: false,
              ...(known ? { code: error.code } : {}),
              message: error instanceof Error ? error.message : String(error),
              tensors: jobTensors(loaded),
              recycle: heavy(),
            };
            port.postMessage(reply);
          },
        );
      });
      baselineBytes = heldBytes();
      port.postMessage({ type: 'ready', tensors: jobTensors(loaded) } satisfies WorkReply);
    },
    (error: unknown) => {
      port.postMessage({
        type: 'failed',
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkReply);
    },
  );
}
