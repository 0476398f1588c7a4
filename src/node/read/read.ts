// Reading lines of handwriting in Node: core's readText with a loaded model as the classifier
// (the glyph reader), or core's readTextByLines with a loaded line model (line-reader.ts), for
// `hcr read`, the server's POST /api/read and the benchmark. Files are decoded with the shared
// decodeImage (its pixel limit refuses huge images before decoding).

import type { Classifier, ReadResult } from '../../core/read/read.js';
import { readText } from '../../core/read/read.js';
import { readTextByLines } from '../../core/read/line-read.js';
import type { ReadOptions } from '../../core/read/options.js';
import { READ_DEFAULTS } from '../../core/read/options.js';
import type { GrayImage } from '../../core/types.js';
import { isHcrError, type ErrorCode } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import type { LoadedLineModel } from '../model/line-artifact.js';
import { DEFAULT_INFERENCE_BATCH, predictProbabilities } from '../model/inference.js';
import { decodeInput } from '../predict/input.js';
import { defaultLanguageModel } from './language-model.js';
import { lineModelRecognizer } from './line-reader.js';

/**
 * A loaded model as core's {@link Classifier}: its label set's classes and a batched forward
 * pass (no tensors are left behind).
 *
 * @param batchSize - most images per forward pass (fewer images, a smaller pass: a single
 *   character does not allocate the floats of 256); default 256 (DEFAULT_INFERENCE_BATCH)
 * @example
 * const result = await readText(gray, modelClassifier(loaded));
 */
export function modelClassifier(
  loaded: LoadedModel,
  batchSize: number = DEFAULT_INFERENCE_BATCH,
): Classifier {
  return {
    classes: loaded.labelSet.classes,
    classify: (images, count) =>
      predictProbabilities(loaded.model, images, count, {
        batchSize: Math.min(count, batchSize),
      }),
  };
}

/**
 * `options` with the shipped language model (models/lm-en) filled in when the language-model
 * decoder will run and no model was given.
 *
 * @example
 * const options = await withLanguageModel({ pattern: 'AA99 9AA' });
 */
export async function withLanguageModel(options: ReadOptions = {}): Promise<ReadOptions> {
  const decoder = options.decoder ?? READ_DEFAULTS.decoder;
  const context = options.context ?? READ_DEFAULTS.context;
  if (options.languageModel || decoder !== 'language-model' || !context) return options;
  return { ...options, languageModel: await defaultLanguageModel() };
}

/** What reads: a character model cutting lines into glyphs, or a line model reading them whole. */
export type LoadedReader = LoadedModel | LoadedLineModel;

/**
 * True when `loaded` is a line model.
 *
 * @example
 * isLineModel(await loadLineModel('models/line-en')); // true
 */
export function isLineModel(loaded: LoadedReader): loaded is LoadedLineModel {
  return !('labelSet' in loaded);
}

/**
 * Reads the text in a decoded gray image with a loaded model (what POST /api/read calls after
 * decoding an upload): a line model reads each line whole (line-reader.ts), a character model
 * reads the glyphs cut from them. Decodes with the shipped language model unless `options` give
 * another (or turn the context off). A blank image gives status `blank` with empty text, ink
 * without character-shaped components `no-characters` with a message; neither throws.
 *
 * @param options - core's ReadOptions; defaults in READ_DEFAULTS
 * @throws HcrError BAD_IMAGE for an image over `options.maxPixels`; BAD_OPTION for a bad option
 * @example
 * const gray = await decodeImage(body, { name: 'upload.png', maxPixels: 4_000_000 });
 * const { text, lines } = await readImage(loaded, gray, { context: true });
 */
export async function readImage(
  loaded: LoadedReader,
  image: GrayImage,
  options: ReadOptions = {},
): Promise<ReadResult> {
  if (isLineModel(loaded)) {
    return readTextByLines(image, lineModelRecognizer(loaded), await withLanguageModel(options));
  }
  return readText(image, modelClassifier(loaded), await withLanguageModel(options));
}

/**
 * Decodes an image file (or its bytes) and reads its text. A path is refused before a byte is
 * read when it is not a regular file or is over MAX_INPUT_FILE_BYTES (predict's
 * decodeInput); the pixel limit is applied to the file's header before decoding
 * (`options.maxPixels`, default READ_DEFAULTS.maxPixels).
 *
 * @param options - ReadOptions plus `name`, the image's name in error messages
 * @throws HcrError NOT_FOUND for a missing file; BAD_IMAGE for a device, a directory, a file over
 *   the size limit, something that is not an image, or an image larger than the pixel limit (the
 *   message names the limit)
 * @example
 * const result = await readImageFile(loaded, 'note.jpg');
 */
export async function readImageFile(
  loaded: LoadedReader,
  input: string | Uint8Array,
  options: ReadOptions & { readonly name?: string } = {},
): Promise<ReadResult> {
  const { name, ...readOptions } = options;
  const gray = await decodeInput(input, {
    maxPixels: options.maxPixels ?? READ_DEFAULTS.maxPixels,
    ...(name !== undefined ? { name } : {}),
  });
  return readImage(loaded, gray, readOptions);
}

/** The outcome of reading one file. */
export type FileReading =
  | ({ readonly file: string; readonly status: 'ok' | 'blank' | 'no-characters' } & Omit<
      ReadResult,
      'status'
    >)
  | {
      readonly file: string;
      readonly status: 'error';
      readonly error: string;
      /** The error's code: `NOT_FOUND` for a missing file, else `BAD_IMAGE`. */
      readonly code: ErrorCode;
    };

/**
 * Reads each file in turn; a file that cannot be read or decoded gets an `error` entry with the
 * message, and the others are still read. `readOne` reads one file: an image by default
 * ({@link readImageFile}); the CLI passes its ink reader for `--ink`.
 *
 * @example
 * const [first] = await readFiles(loaded, ['a.png']);
 * if (first.status === 'ok') first.text; // 'AB12'
 */
export async function readFiles(
  loaded: LoadedReader,
  files: readonly string[],
  options: ReadOptions = {},
  readOne: (
    loaded: LoadedReader,
    file: string,
    options: ReadOptions,
  ) => Promise<ReadResult> = readImageFile,
): Promise<FileReading[]> {
  const results: FileReading[] = [];
  for (const file of files) {
    try {
      results.push({ file, ...(await readOne(loaded, file, options)) });
    } catch (error) {
      if (!isHcrError(error) || error.code === 'BAD_OPTION') throw error;
      results.push({ file, status: 'error', error: error.message, code: error.code });
    }
  }
  return results;
}
