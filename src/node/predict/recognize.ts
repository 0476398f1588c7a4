// The one recognition pipeline of hcr, for `hcr predict` (predict.ts) and the server's
// POST /api/predict (server/recognize.ts): each image, a file or uploaded bytes, is decoded,
// brought to the MNIST convention by core's normalizeToMnist (the function the page runs in the
// browser), the non-empty ones are classified together in one batch, and each gets its top-k
// classes. Callers shape the answers: the CLI's per-file lines, the API's JSON with the image
// the model saw.

import { normalizeToMnist, type NormalizedImage } from '../../core/normalize.js';
import { caseMergedReading, type CaseMergedReading } from '../../core/read/case.js';
import type { Classifier } from '../../core/read/read.js';
import { IMAGE_PIXELS } from '../../core/types.js';
import { isHcrError, type ErrorCode } from '../errors.js';
import { DEFAULT_INFERENCE_BATCH, topK } from '../model/inference.js';
import { decodeInput } from './input.js';
import { Limiter } from './limiter.js';

/** One ranked class. */
export interface ClassProbability {
  readonly label: string;
  readonly probability: number;
}

/** One uploaded image. */
export interface ImageInput {
  /** Name used in messages: the uploaded file's name, or `upload`. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** An image to recognize: a file path (checked before it is read) or uploaded bytes. */
export type RecognitionInput = string | ImageInput;

/** What became of one input image. */
export type Recognition =
  | {
      readonly status: 'ok';
      /** The most probable classes, best first. */
      readonly predictions: ClassProbability[];
      /** What the model saw: the 28x28 image, whether it was inverted, the ink's box. */
      readonly normalized: NormalizedImage;
      /**
       * For a model with both cases: the reading with case merged (c/C, o/O ...), which a
       * character seen alone can know when its case it cannot. Absent otherwise.
       */
      readonly caseMerged?: CaseMergedReading;
    }
  /** No character: blank, or only specks. */
  | { readonly status: 'empty' }
  /** The image could not be read: the HcrError's code and message (they name the image). */
  | { readonly status: 'error'; readonly code: ErrorCode; readonly message: string };

/** Options of {@link recognizeCharacters}; every field optional. */
export interface RecognizeOptions {
  /** How many classes to rank per image. Default 3. */
  readonly top?: number;
  /** Largest image (width x height) accepted, checked from its header. Default: decodeImage's. */
  readonly maxPixels?: number;
  /** Bounds how many images are decoded at once. Default: one at a time. */
  readonly limiter?: Limiter;
  /** Called after each image is decoded and normalized (or failed). Default: none. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Defaults of {@link RecognizeOptions}, and the batch size (images decoded, then classified,
 * together) that `hcr predict` uses.
 */
export const RECOGNIZE_DEFAULTS = Object.freeze({ top: 3, batchSize: DEFAULT_INFERENCE_BATCH });

async function normalizeInput(
  input: RecognitionInput,
  maxPixels: number | undefined,
): Promise<NormalizedImage | Extract<Recognition, { status: 'error' }>> {
  try {
    const gray =
      typeof input === 'string'
        ? await decodeInput(input, { maxPixels })
        : await decodeInput(input.bytes, { name: input.name, maxPixels });
    return normalizeToMnist(gray);
  } catch (error) {
    if (!isHcrError(error)) throw error;
    return { status: 'error', code: error.code, message: error.message };
  }
}

/**
 * Recognizes the character in each image: decoded and normalized (at most `limiter`'s limit at
 * a time), then `classifier` runs once on all the non-empty ones. An image that cannot be read
 * gets an `error` entry and the others are still recognized; a blank one gets `empty`. Answers
 * are in the order of `inputs`.
 *
 * @throws only errors hcr did not expect (an HcrError of one image becomes its `error` entry)
 * @example
 * const [first] = await recognizeCharacters(modelClassifier(loaded), ['a.png'], { top: 5 });
 * if (first.status === 'ok') first.predictions[0].label; // 'A'
 */
export async function recognizeCharacters(
  classifier: Classifier,
  inputs: readonly RecognitionInput[],
  options: RecognizeOptions = {},
): Promise<Recognition[]> {
  const top = options.top ?? RECOGNIZE_DEFAULTS.top;
  const limiter = options.limiter ?? new Limiter(1);
  let done = 0;
  const prepared = await Promise.all(
    inputs.map((input) =>
      limiter.run(async () => {
        const result = await normalizeInput(input, options.maxPixels);
        options.onProgress?.(++done, inputs.length);
        return result;
      }),
    ),
  );
  const rows: number[] = [];
  const batch = new Uint8Array(prepared.length * IMAGE_PIXELS);
  prepared.forEach((p, i) => {
    if ('pixels' in p && !p.empty) {
      batch.set(p.pixels, rows.length * IMAGE_PIXELS);
      rows.push(i);
    }
  });
  const probs =
    rows.length > 0 ? await classifier.classify(batch, rows.length) : new Float32Array(0);
  const rowOf = new Map(rows.map((index, row) => [index, row]));
  const { classes } = classifier;
  return prepared.map((p, i): Recognition => {
    if (!('pixels' in p)) return p;
    const row = rowOf.get(i);
    if (row === undefined) return { status: 'empty' };
    const caseMerged = caseMergedReading(
      probs.subarray(row * classes.length, (row + 1) * classes.length),
      classes,
    );
    return {
      status: 'ok',
      predictions: topK(probs, row, classes.length, top).map((c) => ({
        label: classes[c.index]!,
        probability: c.probability,
      })),
      normalized: p,
      ...(caseMerged ? { caseMerged } : {}),
    };
  });
}
