// What the server answers for uploaded images of single characters (POST /api/predict): the
// shared recognition pipeline (predict/recognize.ts) does the work with the served model; this
// file words its answers for the API: an empty image's message, an error's code and message,
// and the 28x28 image the model saw as a PNG data URL for the page.

import sharp from 'sharp';
import type { PixelBox } from '../../core/normalize.js';
import { IMAGE_SIZE } from '../../core/types.js';
import type { ErrorCode } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import type { Limiter } from '../predict/limiter.js';
import {
  recognizeCharacters,
  type ClassProbability,
  type ImageInput,
} from '../predict/recognize.js';
import { modelClassifier } from '../read/read.js';
import type { ApiErrorCode } from './errors.js';
import type { CaseMergedReading } from '../../core/read/case.js';

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
  /** For a model with both cases: the reading with case merged, e.g. `{ classes: ['o', 'O'], probability }`. */
  readonly caseMerged?: CaseMergedReading;
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
 * Reads each image with the recognition pipeline (decoded and normalized at most `limiter`'s
 * limit at a time, then the model once on all non-empty ones) and words the answers for the
 * API. An image that cannot be decoded gets an `error` entry and the others are still read;
 * answers are in the order of `inputs`.
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
  const recognized = await recognizeCharacters(modelClassifier(loaded), inputs, options);
  return Promise.all(
    recognized.map(async (r, i): Promise<ImageResult> => {
      if (r.status === 'error') return r;
      if (r.status === 'empty')
        return { status: 'empty', message: emptyImageMessage(inputs[i]!.name) };
      return {
        status: 'ok',
        predictions: r.predictions,
        image: await pixelsToDataUrl(r.normalized.pixels),
        inverted: r.normalized.inverted,
        box: r.normalized.box,
        ...(r.caseMerged ? { caseMerged: r.caseMerged } : {}),
      };
    }),
  );
}
