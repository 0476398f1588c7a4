// What `POST /api/read` does with an uploaded image: decode it (sharp, with the server's pixel
// limit read from the header first), read its lines of handwriting with the line model (each
// line whole) or core's glyph reader and the served model (src/node/read), with the shipped
// language model, under the request's charset,
// pattern and lexicon, and answer the whole ReadResult. A blank image, or ink with
// nothing shaped like a character, is an answer with a message, not an error: a caller that
// reads lines gets empty text for an empty page.

import { readTextByLines } from '../../core/read/line-read.js';
import type { ReadOptions } from '../../core/read/options.js';
import { readText, type Classifier, type ReadResult } from '../../core/read/read.js';
import type { GrayImage } from '../../core/types.js';
import { decodeImage } from '../image/decode.js';
import type { LoadedModel } from '../model/artifact.js';
import type { Limiter } from '../predict/limiter.js';
import type { ImageInput } from '../predict/recognize.js';
import { prepareReadOptions, readRequestOptions, type ReadRequest } from '../read/options.js';
import { lineModelRecognizer } from '../read/line-reader.js';
import {
  isLineModel,
  modelClassifier,
  withLanguageModel,
  type LoadedReader,
} from '../read/read.js';
import { ApiError } from './errors.js';

/** The answer of `POST /api/read`: core's ReadResult, with a message whenever it read no text. */
export type ReadAnswer = ReadResult;

/** The reading options of a request: the query's fields, as `hcr read`'s flags set them too. */
export type ReadRequestOptions = ReadRequest;

/** Options of {@link readUpload}: the request's reading options and the server's limits. */
export interface ReadUploadOptions extends ReadRequest {
  /** Largest image accepted, in pixels, checked from the header before decoding. Required. */
  readonly maxPixels: number;
  /** Bounds how many uploads are decoded and read at once. Required. */
  readonly limiter: Limiter;
  /**
   * Most candidate characters the model may classify; more is an ApiError OVER_BUDGET before the
   * model runs. Default: no limit.
   */
  readonly maxCandidates?: number;
}

/**
 * Checks a request's reading options (the pattern, the charset and the lexicon against the
 * model's classes) before any upload is decoded.
 *
 * @throws HcrError BAD_OPTION naming the pattern position or the lexicon line and column
 * @example
 * checkReadOptions(loaded.labelSet.classes, { pattern: 'AA99 9AA' });
 */
export function checkReadOptions(classes: readonly string[], options: ReadRequestOptions): void {
  prepareReadOptions(readRequestOptions(options), classes);
}

/**
 * Message of a blank upload (no ink at all) named `name`.
 *
 * @example
 * blankReadMessage('upload'); // 'upload: blank image, no ink found: write or upload a line of characters'
 */
export function blankReadMessage(name: string): string {
  return `${name}: blank image, no ink found: write or upload a line of characters`;
}

/**
 * Decodes one upload and reads its lines of handwriting, at most `limiter`'s limit at a time
 * (decoding and segmenting a large photo take memory). Blank and character-less images give
 * status `blank` / `no-characters` with a message, not an error.
 *
 * @throws HcrError BAD_IMAGE for bytes that are not an image, an empty file or an image over
 *   `maxPixels` (the message names the upload and the limit); ApiError OVER_BUDGET for more
 *   than `maxCandidates` candidate characters
 * @example
 * const answer = await readUpload(loaded, { name: 'note.png', bytes }, { maxPixels: 24e6, limiter });
 * answer.text; // 'AB12'
 */
export function readUpload(
  loaded: LoadedReader,
  input: ImageInput,
  options: ReadUploadOptions,
): Promise<ReadAnswer> {
  return options.limiter.run(async () => {
    const gray = await decodeImage(input.bytes, {
      name: input.name,
      maxPixels: options.maxPixels,
    });
    const readOptions = await withLanguageModel({
      ...readRequestOptions(options),
      maxPixels: options.maxPixels,
    });
    // A line model reads each line whole: its work is bounded by the pixels, not by candidates.
    const result = isLineModel(loaded)
      ? await readTextByLines(gray, lineModelRecognizer(loaded), readOptions)
      : await readGlyphs(loaded, gray, input.name, options, readOptions);
    const message =
      result.status === 'blank'
        ? (result.message ?? blankReadMessage(input.name))
        : result.message === undefined
          ? undefined
          : `${input.name}: ${result.message}`;
    // The answer opens with what a reader looks for first: the status and the text.
    const { status, text, rawText, ...rest } = result;
    delete (rest as { message?: string }).message;
    return { status, text, rawText, ...(message === undefined ? {} : { message }), ...rest };
  });
}

/** The glyph reader on a decoded upload, its candidates held to `maxCandidates`. */
function readGlyphs(
  loaded: LoadedModel,
  gray: GrayImage,
  name: string,
  options: ReadUploadOptions,
  readOptions: ReadOptions,
): Promise<ReadResult> {
  const model = modelClassifier(loaded);
  const maxCandidates = options.maxCandidates ?? Infinity;
  const classifier: Classifier = {
    classes: model.classes,
    classify: (images, count) => {
      if (count > maxCandidates) {
        throw new ApiError(
          'OVER_BUDGET',
          `${name}: segmentation found ${count} candidate characters, over the work budget of ${maxCandidates} per image; send one line or a smaller part of the page`,
        );
      }
      return model.classify(images, count);
    },
  };
  return readText(gray, classifier, readOptions);
}
