// `hcr predict`: ranks the classes of the character in each image file, in chunks of files that
// the shared recognition pipeline (recognize.ts) decodes, normalizes and classifies together,
// with the model on worker threads when there are many files.

import type { CaseMergedReading } from '../../core/read/case.js';
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../core/read/read.js';
import type { ErrorCode } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import type { BackendName } from '../engine/backend.js';
import { ReplicaPool, defaultWorkers } from '../engine/replicas.js';
import {
  RECOGNIZE_DEFAULTS,
  recognizeCharacters,
  type ClassProbability,
  type Recognition,
} from './recognize.js';

export type { ClassProbability } from './recognize.js';

/** The outcome for one input file. */
export type FilePrediction =
  | {
      readonly file: string;
      readonly status: 'ok';
      readonly predictions: ClassProbability[];
      readonly inverted: boolean;
      /** For a model with both cases: the reading with case merged (see recognize.ts). */
      readonly caseMerged?: CaseMergedReading;
    }
  | { readonly file: string; readonly status: 'empty' }
  | {
      readonly file: string;
      readonly status: 'error';
      readonly error: string;
      /** The error's code: `NOT_FOUND` for a missing file, else `BAD_IMAGE`. */
      readonly code: ErrorCode;
    };

/** Options of {@link predictFiles}. */
export interface PredictOptions {
  /** How many classes to rank per image. Default 3. */
  top?: number;
  /** Files decoded, then classified, together; images per forward pass. Default 256. */
  batchSize?: number;
  /** Largest image (width x height) accepted. Default: decodeImage's limit. */
  maxPixels?: number;
  /** Worker threads for the model when there are many files (at least 1024). Default: one per extra core on WASM. */
  workers?: number;
  /** Called after each decoded file. */
  onProgress?: (done: number, total: number) => void;
}

/** Below this many files, the model runs on the main thread alone (decoding dominates). */
const PARALLEL_PREDICT_MIN_FILES = 1024;

/** Defaults of {@link PredictOptions}: the recognition pipeline's. */
export const PREDICT_DEFAULTS = RECOGNIZE_DEFAULTS;

/** One file's recognition as `hcr predict` reports it. */
function filePrediction(file: string, r: Recognition): FilePrediction {
  if (r.status === 'ok') {
    return {
      file,
      status: 'ok',
      inverted: r.normalized.inverted,
      predictions: r.predictions,
      ...(r.caseMerged ? { caseMerged: r.caseMerged } : {}),
    };
  }
  if (r.status === 'empty') return { file, status: 'empty' };
  return { file, status: 'error', error: r.message, code: r.code };
}

/**
 * Ranks the classes of each image file. A file that cannot be read or decoded gets an
 * `error` entry (the others are still predicted); a blank image gets `empty`.
 *
 * @example
 * const [first] = await predictFiles(loaded, ['a.png']);
 * if (first.status === 'ok') first.predictions[0].label; // 'A'
 */
export async function predictFiles(
  loaded: LoadedModel,
  files: readonly string[],
  options: PredictOptions = {},
): Promise<FilePrediction[]> {
  const top = options.top ?? PREDICT_DEFAULTS.top;
  const batchSize = options.batchSize ?? PREDICT_DEFAULTS.batchSize;
  const results: FilePrediction[] = [];
  const backend = tf.getBackend() as BackendName;
  const pool = await ReplicaPool.start(loaded.model, {
    backend,
    workers:
      files.length >= PARALLEL_PREDICT_MIN_FILES ? (options.workers ?? defaultWorkers(backend)) : 0,
  });
  const classifier: Classifier = {
    classes: loaded.labelSet.classes,
    classify: (images, count) => pool.predict(images, count, { batchSize }),
  };
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      const chunk = files.slice(start, start + batchSize);
      const recognized = await recognizeCharacters(classifier, chunk, {
        top,
        maxPixels: options.maxPixels,
        onProgress: (done) => options.onProgress?.(start + done, files.length),
      });
      results.push(...recognized.map((r, i) => filePrediction(chunk[i]!, r)));
    }
  } finally {
    await pool.close();
  }
  return results;
}
