// What `POST /api/read` does with an uploaded image: decode it (sharp, with the server's pixel
// limit read from the header first), read its lines of handwriting with core's reader and the
// served model (src/node/read) and the shipped language model, under the request's charset,
// pattern and lexicon, and answer the whole ReadResult. A blank image, or ink with
// nothing shaped like a character, is an answer with a message, not an error: a caller that
// reads lines gets empty text for an empty page.

import { READ_DEFAULTS, resolveReadOptions, type ReadOptions } from '../../core/read/options.js';
import {
  prepareReading,
  readText,
  type Classifier,
  type ReadResult,
} from '../../core/read/read.js';
import { decodeImage } from '../image/decode.js';
import type { LoadedModel } from '../model/artifact.js';
import { modelClassifier, withLanguageModel } from '../read/read.js';
import { ApiError } from './errors.js';
import type { ImageInput, Limiter } from './recognize.js';

/** The answer of `POST /api/read`: core's ReadResult, with a message whenever it read no text. */
export type ReadAnswer = ReadResult;

/** Options of {@link readUpload}. */
export interface ReadUploadOptions {
  /** Ranked classes kept per character. Default: READ_DEFAULTS.top (3). */
  readonly top?: number;
  /** Settle look-alikes (O/0, I/1, ...) by the line. Default: true. */
  readonly context?: boolean;
  /** What the context may change. Default: READ_DEFAULTS.contextScope ('lookalikes'). */
  readonly contextScope?: ReadOptions['contextScope'];
  /** How lines are decoded. Default: READ_DEFAULTS.decoder ('language-model'). */
  readonly decoder?: ReadOptions['decoder'];
  /** Weight of the language model. Default: READ_DEFAULTS.lmWeight. */
  readonly lmWeight?: number;
  /** Readings per line (each line's `alternatives` when > 1). Default: 1. */
  readonly alternatives?: number;
  /** Characters a reading may use: digits, letters, alnum or the characters. Default: alnum. */
  readonly charset?: string;
  /** The shape of every line (a mask or a small regex). Default: none. */
  readonly pattern?: string;
  /** Entries a line may be, one a line. Default: none. */
  readonly lexicon?: string;
  /** Keep every wide gap as a space. Default: false. */
  readonly keepSpacing?: boolean;
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

/** The options of {@link ReadUploadOptions} that go to the reader as they are. */
export const READ_REQUEST_OPTIONS = Object.freeze([
  'context',
  'contextScope',
  'decoder',
  'lmWeight',
  'alternatives',
  'charset',
  'pattern',
  'lexicon',
  'keepSpacing',
] as const);

/** The reading options of a request (what {@link READ_REQUEST_OPTIONS} names, when given). */
export type ReadRequestOptions = Pick<
  ReadUploadOptions,
  'top' | (typeof READ_REQUEST_OPTIONS)[number]
>;

function readingOptions(options: ReadRequestOptions): ReadOptions {
  const out: Record<string, unknown> = {};
  for (const key of READ_REQUEST_OPTIONS) if (options[key] !== undefined) out[key] = options[key];
  return out as ReadOptions;
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
  prepareReading(resolveReadOptions(readingOptions(options)), classes);
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
  loaded: LoadedModel,
  input: ImageInput,
  options: ReadUploadOptions,
): Promise<ReadAnswer> {
  return options.limiter.run(async () => {
    const gray = await decodeImage(input.bytes, {
      name: input.name,
      maxPixels: options.maxPixels,
    });
    const model = modelClassifier(loaded);
    const maxCandidates = options.maxCandidates ?? Infinity;
    const classifier: Classifier = {
      classes: model.classes,
      classify: (images, count) => {
        if (count > maxCandidates) {
          throw new ApiError(
            'OVER_BUDGET',
            `${input.name}: segmentation found ${count} candidate characters, over the work budget of ${maxCandidates} per image; send one line or a smaller part of the page`,
          );
        }
        return model.classify(images, count);
      },
    };
    const result = await readText(
      gray,
      classifier,
      await withLanguageModel({
        ...readingOptions(options),
        top: Math.min(options.top ?? READ_DEFAULTS.top, loaded.labelSet.classes.length),
        maxPixels: options.maxPixels,
      }),
    );
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
