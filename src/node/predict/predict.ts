// `hcr predict`: decode image files of any size and polarity, bring each to the MNIST
// convention with the shared normalizeToMnist, and run the model on them in batches.

import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { normalizeToMnist } from '../../core/normalize.js';
import { IMAGE_PIXELS } from '../../core/types.js';
import { HcrError, isHcrError, type ErrorCode } from '../errors.js';
import { decodeImage } from '../image/decode.js';
import type { LoadedModel } from '../model/artifact.js';
import type { BackendName } from '../engine/backend.js';
import { ReplicaPool, defaultWorkers } from '../engine/replicas.js';
import { DEFAULT_INFERENCE_BATCH, topK } from '../model/inference.js';

/** One ranked class. */
export interface ClassProbability {
  readonly label: string;
  readonly probability: number;
}

/** The outcome for one input file. */
export type FilePrediction =
  | {
      readonly file: string;
      readonly status: 'ok';
      readonly predictions: ClassProbability[];
      readonly inverted: boolean;
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
  /** Images per forward pass. Default 256. */
  batchSize?: number;
  /** Largest image (width x height) accepted. Default: decodeImage's limit. */
  maxPixels?: number;
  /** Worker threads for the model when there are many files (at least 1024). Default: one per extra core on WASM. */
  workers?: number;
  /** Called after each decoded file. */
  onProgress?: (done: number, total: number) => void;
}

/** The largest input file read, in bytes (a photo is a few MB; /dev/zero is endless). */
export const MAX_INPUT_FILE_BYTES = 64 * 2 ** 20;

/**
 * Refuses what cannot be an image file before reading a byte of it: a missing path
 * (`NOT_FOUND`), anything but a regular file (a device such as /dev/zero, a FIFO, a
 * directory) and a file over {@link MAX_INPUT_FILE_BYTES} (`BAD_IMAGE`).
 *
 * @example
 * await checkInputFile('/dev/zero'); // throws: expected a regular image file, got a character device
 */
export async function checkInputFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HcrError('NOT_FOUND', `${file}: no such file`);
    }
    throw new HcrError('BAD_IMAGE', `${file}: cannot read (${(error as Error).message})`);
  }
  if (!info.isFile()) {
    const kind = info.isDirectory()
      ? 'a directory'
      : info.isCharacterDevice()
        ? 'a character device'
        : info.isBlockDevice()
          ? 'a block device'
          : info.isFIFO()
            ? 'a pipe'
            : info.isSocket()
              ? 'a socket'
              : 'not a regular file';
    throw new HcrError('BAD_IMAGE', `${file}: expected a regular image file, got ${kind}`);
  }
  if (info.size > MAX_INPUT_FILE_BYTES) {
    throw new HcrError(
      'BAD_IMAGE',
      `${file}: ${info.size} bytes, over the ${MAX_INPUT_FILE_BYTES / 2 ** 20} MiB an image file may have`,
    );
  }
}

/** Below this many files, the model runs on the main thread alone (decoding dominates). */
const PARALLEL_PREDICT_MIN_FILES = 1024;

/** Defaults of {@link PredictOptions}. */
export const PREDICT_DEFAULTS = Object.freeze({ top: 3, batchSize: DEFAULT_INFERENCE_BATCH });

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
  const numClasses = loaded.labelSet.classes.length;
  const results: FilePrediction[] = [];
  const backend = tf.getBackend() as BackendName;
  const pool = await ReplicaPool.start(loaded.model, {
    backend,
    workers:
      files.length >= PARALLEL_PREDICT_MIN_FILES ? (options.workers ?? defaultWorkers(backend)) : 0,
  });
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      const chunk = files.slice(start, start + batchSize);
      const images = new Uint8Array(chunk.length * IMAGE_PIXELS);
      const slots: { file: string; row: number; inverted: boolean; result: number }[] = [];
      const chunkResults: FilePrediction[] = [];
      for (const file of chunk) {
        try {
          await checkInputFile(file);
          const gray = await decodeImage(
            file,
            options.maxPixels ? { maxPixels: options.maxPixels } : {},
          );
          const normalized = normalizeToMnist(gray);
          if (normalized.empty) {
            chunkResults.push({ file, status: 'empty' });
          } else {
            images.set(normalized.pixels, slots.length * IMAGE_PIXELS);
            slots.push({
              file,
              row: slots.length,
              inverted: normalized.inverted,
              result: chunkResults.length,
            });
            chunkResults.push({
              file,
              status: 'ok',
              predictions: [],
              inverted: normalized.inverted,
            });
          }
        } catch (error) {
          if (!isHcrError(error)) throw error;
          chunkResults.push({ file, status: 'error', error: error.message, code: error.code });
        }
        options.onProgress?.(results.length + chunkResults.length, files.length);
      }
      const probs = await pool.predict(images, slots.length, { batchSize });
      for (const slot of slots) {
        chunkResults[slot.result] = {
          file: slot.file,
          status: 'ok',
          inverted: slot.inverted,
          predictions: topK(probs, slot.row, numClasses, top).map(({ index: c, probability }) => ({
            label: loaded.labelSet.classes[c]!,
            probability,
          })),
        };
      }
      results.push(...chunkResults);
    }
  } finally {
    await pool.close();
  }
  return results;
}
