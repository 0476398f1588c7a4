// What the page's adaptation workers (adapt-worker.ts for the character model,
// line-adapt-worker.ts for the line model) share: tfjs' WebAssembly backend with hcr's own
// training kernels (core/kernels/; upstream has no Conv2DBackpropFilter), else WebGL, started by
// backend.ts as the page starts its own; the message loop (`prepare` ahead of time, `adapt`, a
// failure posted as `error`); and the end of an adaptation: the adapted model saved and posted
// in `done` with its weights transferred.

import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../core/kernels/index.js';
import type { ModelArtifacts } from './adapt-protocol.js';
import { startBackend } from './backend.js';

/** The backends a training worker tries: the page's, but not plain JavaScript (far too slow). */
export const TRAINING_BACKENDS = Object.freeze(['wasm', 'webgl'] as const);

/**
 * Starts WebAssembly with hcr's training kernels, else WebGL; returns the backend's name.
 *
 * @throws Error when neither starts
 * @example
 * const backend = await startTrainingBackend(); // 'wasm'
 */
export async function startTrainingBackend(): Promise<string> {
  const backend = await startBackend(TRAINING_BACKENDS);
  if (backend === 'wasm') registerWasmTrainingKernels();
  return backend;
}

/** Posts a message to the page from a worker, moving `transfer`'s buffers instead of copying. */
export type PostToPage<M> = (message: M, transfer?: Transferable[]) => void;

/** What an adaptation works with: the worker's backend, its base models, the post to the page. */
export interface Adaptation<Base, From> {
  /** The backend that started (startTrainingBackend). */
  readonly backend: string;
  /** What `load` loaded, once per worker. */
  readonly base: Base;
  readonly post: PostToPage<From>;
  /** When the adaptation was asked for (performance.now()), for `done`'s seconds. */
  readonly started: number;
}

/**
 * Runs an adaptation worker. The first message (`prepare`, sent when the page expects an
 * adaptation, or the first `adapt`) starts the training backend and `load` together, once per
 * worker and again after a failure, which shows when an adaptation asks for them. Every other
 * message runs `adapt`, and its failure is posted as `{ type: 'error', message }`.
 *
 * @example
 * serveAdaptation<ToWorker, FromWorker, tf.io.ModelArtifacts>({
 *   load: (message) => loadBaseModel(message.modelUrl),
 *   adapt: async (message, { backend, base, post, started }) => { ... },
 * });
 */
export function serveAdaptation<
  To extends { readonly type: string },
  From extends { readonly type: string },
  Base,
>(worker: {
  readonly load: (message: To) => Promise<Base>;
  readonly adapt: (
    message: Exclude<To, { type: 'prepare' }>,
    adaptation: Adaptation<Base, From>,
  ) => Promise<void>;
}): void {
  const scope = self as unknown as Worker;
  const post: PostToPage<From> = (message, transfer = []) => scope.postMessage(message, transfer);
  let prepared: Promise<{ backend: string; base: Base }> | undefined;
  const prepare = (message: To) => {
    prepared ??= Promise.all([startTrainingBackend(), worker.load(message)])
      .then(([backend, base]) => ({ backend, base }))
      .catch((error: unknown) => {
        prepared = undefined;
        throw error;
      });
    return prepared;
  };
  scope.onmessage = (event: MessageEvent<To>) => {
    const message = event.data;
    const started = performance.now();
    if (message.type === 'prepare') {
      prepare(message).catch(() => undefined);
      return;
    }
    prepare(message)
      .then(({ backend, base }) =>
        worker.adapt(message as Exclude<To, { type: 'prepare' }>, {
          backend,
          base,
          post,
          started,
        }),
      )
      .catch((error: unknown) =>
        scope.postMessage({
          type: 'error',
          message: error instanceof Error ? error.message : String(error),
        } satisfies ErrorMessage),
      );
  };
}

/** The message a worker posts when it fails: its reason, which the page shows. */
interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** The figures every `done` gives of its run. */
export interface AdaptationRun {
  /** When the adaptation was asked for (Adaptation.started). */
  readonly started: number;
  /** Seconds of training steps (the rest: loading, reading the held-out samples). */
  readonly trainSeconds: number;
  readonly steps: number;
  readonly backend: string;
}

/**
 * Saves the adapted `model` and posts `done` to the page: `fields`, the run's figures (seconds
 * since it was asked for) and the model's files, its weights transferred rather than copied.
 *
 * @param what - the model, for the error, e.g. 'the adapted line model'
 * @throws Error when the model cannot be saved
 * @example
 * await postAdapted(post, model, 'the adapted model', { started, trainSeconds, steps, backend }, { scores });
 */
export async function postAdapted<
  Done extends { readonly type: 'done'; readonly model: ModelArtifacts } & AdaptationRunFields,
>(
  post: PostToPage<Done>,
  model: tf.LayersModel,
  what: string,
  run: AdaptationRun,
  fields: Omit<Done, 'type' | 'model' | keyof AdaptationRunFields>,
): Promise<void> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const weightData = saved?.weightData;
  if (!saved || !(weightData instanceof ArrayBuffer) || !saved.weightSpecs) {
    throw new Error(`${what} could not be saved`);
  }
  const files: ModelArtifacts = {
    modelTopology: saved.modelTopology as object,
    weightSpecs: saved.weightSpecs,
    weightData,
  };
  const figures: AdaptationRunFields = {
    seconds: (performance.now() - run.started) / 1000,
    trainSeconds: run.trainSeconds,
    steps: run.steps,
    backend: run.backend,
  };
  post({ ...fields, ...figures, type: 'done', model: files } as Done, [weightData]);
}

/** The run's figures as `done` gives them. */
interface AdaptationRunFields {
  readonly seconds: number;
  readonly trainSeconds: number;
  readonly steps: number;
  readonly backend: string;
}
