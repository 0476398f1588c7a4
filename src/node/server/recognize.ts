// What the server does with uploaded image bytes: decode (sharp), bring to the MNIST convention
// with core's normalizeToMnist (the same function the page runs in the browser), run the model
// on all images of a request in one batch, and answer the top classes with the 28x28 image the
// model saw as a PNG data URL.

import sharp from 'sharp';
import { normalizeToMnist, type PixelBox } from '../../core/normalize.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../core/types.js';
import { isHcrError, type ErrorCode } from '../errors.js';
import type { ApiErrorCode } from './errors.js';
import { decodeImage } from '../image/decode.js';
import type { LoadedModel } from '../model/artifact.js';
import { DEFAULT_INFERENCE_BATCH, predictProbabilities, topK } from '../model/inference.js';
import type { ClassProbability } from '../predict/predict.js';

/** An image that was read: its ranked classes and what the model saw. */
export interface RecognizedImage {
  readonly status: 'ok';
  /** The most probable classes, best first. */
  readonly predictions: ClassProbability[];
  /** The normalized 28x28 input (ink white on black) as a `data:image/png;base64,...` URL. */
  readonly image: string;
  /** True when the input was dark ink on light paper and was inverted. */
  readonly inverted: boolean;
  /** The ink's bounding box in the uploaded image's pixels. */
  readonly box: PixelBox;
}

/** An image without a character: blank, or only specks. */
export interface EmptyImage {
  readonly status: 'empty';
  readonly message: string;
}

/** An image that could not be read. */
export interface FailedImage {
  readonly status: 'error';
  readonly code: ErrorCode | ApiErrorCode;
  readonly message: string;
}

/** The answer for one image of a request. */
export type ImageResult = RecognizedImage | EmptyImage | FailedImage;

/** One uploaded image. */
export interface ImageInput {
  /** Name used in messages: the uploaded file's name, or `upload`. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Runs async jobs at most `limit` at a time, in arrival order; the rest wait. Bounds the memory
 * that decoding large images takes when many requests arrive together.
 *
 * @example
 * const limiter = new Limiter(2);
 * const gray = await limiter.run(() => decodeImage(bytes));
 */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs `job` once a slot is free; resolves or rejects as `job` does. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#active++;
    try {
      return await job();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

/** Message of an {@link EmptyImage} for an image named `name`. */
export function emptyImageMessage(name: string): string {
  return `${name}: no character found (the image is blank or holds only specks): draw or upload a character`;
}

/**
 * The 28x28 image as a PNG data URL.
 *
 * @example
 * await pixelsToDataUrl(normalized.pixels); // 'data:image/png;base64,iVBORw0...'
 */
export async function pixelsToDataUrl(pixels: Uint8Array): Promise<string> {
  const png = await sharp(pixels, {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * Reads each image: decoded and normalized (at most `limiter`'s limit at a time), then the
 * model runs once on all non-empty ones. An image that cannot be decoded gets an `error` entry
 * and the others are still read; answers are in the order of `inputs`.
 *
 * @param options.top - classes ranked per image
 * @param options.maxPixels - the largest image accepted (checked before decoding)
 * @throws only errors hcr did not expect (an HcrError of one image becomes its `error` entry)
 * @example
 * const [result] = await recognizeImages(loaded, [{ name: 'a.png', bytes }], { top: 5, maxPixels, limiter });
 */
export async function recognizeImages(
  loaded: LoadedModel,
  inputs: readonly ImageInput[],
  options: { top: number; maxPixels: number; limiter: Limiter },
): Promise<ImageResult[]> {
  const prepared = await Promise.all(
    inputs.map((input) =>
      options.limiter.run(async () => {
        try {
          const gray = await decodeImage(input.bytes, {
            name: input.name,
            maxPixels: options.maxPixels,
          });
          return { input, normalized: normalizeToMnist(gray) };
        } catch (error) {
          if (!isHcrError(error)) throw error;
          const failed: FailedImage = { status: 'error', code: error.code, message: error.message };
          return failed;
        }
      }),
    ),
  );
  const rows: number[] = [];
  const batch = new Uint8Array(prepared.length * IMAGE_PIXELS);
  prepared.forEach((p, i) => {
    if ('normalized' in p && !p.normalized.empty) {
      batch.set(p.normalized.pixels, rows.length * IMAGE_PIXELS);
      rows.push(i);
    }
  });
  const classes = loaded.labelSet.classes;
  // A batch size of the request's own size: the default (256) would allocate 800 KB of floats
  // for every single-image request.
  const probs =
    rows.length > 0
      ? predictProbabilities(loaded.model, batch, rows.length, {
          batchSize: Math.min(rows.length, DEFAULT_INFERENCE_BATCH),
        })
      : new Float32Array(0);
  const rowOf = new Map(rows.map((index, row) => [index, row]));
  return Promise.all(
    prepared.map(async (p, i): Promise<ImageResult> => {
      if (!('normalized' in p)) return p;
      const row = rowOf.get(i);
      if (row === undefined) return { status: 'empty', message: emptyImageMessage(p.input.name) };
      return {
        status: 'ok',
        predictions: topK(probs, row, classes.length, options.top).map((c) => ({
          label: classes[c.index]!,
          probability: c.probability,
        })),
        image: await pixelsToDataUrl(p.normalized.pixels),
        inverted: p.normalized.inverted,
        box: p.normalized.box,
      };
    }),
  );
}
