// The work of one API request as a worker thread of the server's pool runs it (work-pool.ts):
// the images' formats and header dimensions are checked against the request's budget before
// anything is decoded, then `/api/predict` decodes, normalizes and runs the model, and
// `/api/read` decodes and reads: with the line model the server names (loaded once per
// worker), or segments with a budget of candidate characters and reads the glyphs.

import sharp from 'sharp';
import { inkOnPaper, parseInk } from '../../core/ink/document.js';
import { inkFromJson } from '../../core/ink/json.js';
import type { InkLimits } from '../../core/ink/limits.js';
import { RENDER_INK_DEFAULTS } from '../../core/ink/render.js';
import { HcrError, isHcrError } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import { Limiter } from '../predict/limiter.js';
import type { ImageInput } from '../predict/recognize.js';
import { lineModelOnce } from '../read/line-reader.js';
import { ApiError } from './errors.js';
import { readUpload, type ReadAnswer, type ReadRequestOptions } from './reading.js';
import { recognizeImages, type FailedImage, type ImageResult } from './recognize.js';

/** The formats the server decodes, as named in messages (SVG is refused: see {@link sniffImageFormat}). */
export const SERVER_IMAGE_FORMATS = Object.freeze(['PNG', 'JPEG', 'WebP', 'GIF', 'TIFF']);

/** What the first bytes of an upload say it is. */
export type SniffedFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'tiff' | 'svg' | 'unknown';

/** The limits of one request's work, from the server's options. */
export interface WorkBudget {
  /** Largest single image, in pixels, from its header. */
  readonly maxPixels: number;
  /** Pixels all the request's images may decode together, from their headers. */
  readonly maxRequestPixels: number;
  /** Candidate characters `/api/read` may classify. */
  readonly maxCandidates: number;
}

/** One request's work, as the server hands it to a worker. */
export type WorkJob =
  | {
      readonly kind: 'predict';
      readonly images: readonly ImageInput[];
      readonly top: number;
      readonly budget: WorkBudget;
    }
  | {
      readonly kind: 'read';
      readonly image: ImageInput;
      readonly options: ReadRequestOptions;
      readonly budget: WorkBudget;
      /** The line model's directory, when it reads the lines (loaded once per worker). */
      readonly lineModel?: string;
    }
  | {
      /** `POST /api/ink`: the body parsed, held to the ink budgets, drawn and read here. */
      readonly kind: 'ink';
      /** The request's body as it arrived: InkML, or the strokes' JSON. */
      readonly text: string;
      readonly format: 'inkml' | 'json';
      readonly limits: InkLimits;
      readonly options: ReadRequestOptions;
      readonly budget: WorkBudget;
      /** The line model's directory, when it reads the lines (loaded once per worker). */
      readonly lineModel?: string;
    };

/** What a job answers: a result per image (`predict`), or the reading (`read`). */
export type WorkResult = ImageResult[] | ReadAnswer;

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...bytes.subarray(from, to));

/**
 * The format an upload's magic bytes announce, without handing it to a decoder. Only PNG, JPEG,
 * GIF, WebP and TIFF are decoded by the server; anything else (SVG, HEIF, libvips' own formats,
 * text) never reaches libvips.
 *
 * @example
 * sniffImageFormat(pngBytes); // 'png'
 * sniffImageFormat(Buffer.from('<svg xmlns=...')); // 'svg'
 */
export function sniffImageFormat(bytes: Uint8Array): SniffedFormat {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0x89 && ascii(bytes, 1, 4) === 'PNG') return 'png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  const tiff = ascii(bytes, 0, 4);
  if (tiff === 'II*\0' || tiff === 'MM\0*') return 'tiff';
  // XML text (after a byte-order mark and white space) that holds an <svg element.
  const head = Buffer.from(bytes.subarray(0, 4096))
    .toString('utf8')
    .replace(/^\uFEFF?\s*/, '');
  if (head.startsWith('<') && /<svg[\s>]/i.test(head)) return 'svg';
  return 'unknown';
}

/** The answer to an SVG upload named `name`. */
export function svgRefusedMessage(name: string): string {
  return `${name}: SVG is not accepted by this server (rendering an SVG cannot be bounded: a few hundred bytes of filters can take minutes and gigabytes); send the drawing as ${SERVER_IMAGE_FORMATS.join(', ')}`;
}

function notAnImageMessage(name: string): string {
  return `${name}: not an image that can be decoded (${SERVER_IMAGE_FORMATS.join(', ')})`;
}

/**
 * Checks an upload's format and its header's size: throws for an SVG or something that is not
 * an accepted image, or an image over `maxPixels`; answers its pixel count otherwise.
 */
async function headerPixels(input: ImageInput, budget: WorkBudget): Promise<number> {
  if (input.bytes.length === 0) {
    throw new HcrError(
      'BAD_IMAGE',
      `${input.name}: empty file, expected an image (${SERVER_IMAGE_FORMATS.join(', ')})`,
    );
  }
  const format = sniffImageFormat(input.bytes);
  if (format === 'svg') throw new ApiError('UNSUPPORTED_MEDIA_TYPE', svgRefusedMessage(input.name));
  if (format === 'unknown') {
    throw new HcrError('BAD_IMAGE', notAnImageMessage(input.name));
  }
  let width = 0;
  let height = 0;
  try {
    ({ width = 0, height = 0 } = await sharp(input.bytes, { limitInputPixels: false }).metadata());
  } catch {
    throw new HcrError('BAD_IMAGE', notAnImageMessage(input.name));
  }
  if (width * height > budget.maxPixels) {
    throw new HcrError(
      'BAD_IMAGE',
      `${input.name}: ${width}x${height} = ${width * height} px exceeds the limit of ${budget.maxPixels}`,
    );
  }
  return width * height;
}

/**
 * The drawing of an ink job as a PNG: parsed (a million points or an element nested ten
 * thousand deep is refused by the ink budgets as it is counted, and the job's time budget bounds
 * the rest), then drawn as an upload of it would look (docs/DESIGN.md §8): at the line model's
 * pen when it reads, else at the glyph reader's paper pen.
 */
async function inkPng(job: Extract<WorkJob, { kind: 'ink' }>): Promise<Uint8Array> {
  let strokes;
  if (job.format === 'inkml') {
    strokes = parseInk(job.text, job.limits, 'InkML');
  } else {
    let value: unknown;
    try {
      value = JSON.parse(job.text);
    } catch {
      // What Fastify's JSON parser answered when it parsed the body on the event loop.
      throw new ApiError(
        'BAD_REQUEST',
        "JSON body: not valid JSON (Body is not valid JSON but content-type is set to 'application/json')",
      );
    }
    strokes = inkFromJson(value, job.limits, 'ink');
  }
  const image =
    job.lineModel === undefined
      ? inkOnPaper(strokes)
      : inkOnPaper(strokes, RENDER_INK_DEFAULTS.penWidth);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

/**
 * Runs one request's work (in a worker of the pool; nothing here touches the event loop of the
 * server). `predict`: every image's format and header are checked first, an image that fails
 * gets its `error` entry, and when the others together hold more than `maxRequestPixels` the
 * whole request is refused before any decoding; then they are decoded one at a time and the
 * model runs once on all. `read`: the same checks, then segmentation with at most
 * `maxCandidates` candidates for the model.
 *
 * @throws ApiError OVER_BUDGET past a budget; for `read`, HcrError BAD_IMAGE or ApiError
 *   UNSUPPORTED_MEDIA_TYPE for an upload that is not an accepted image
 * @example
 * const results = await runWork(loaded, { kind: 'predict', images, top: 5, budget });
 */
export async function runWork(loaded: LoadedModel, job: WorkJob): Promise<WorkResult> {
  const { budget } = job;
  const limiter = new Limiter(1);
  if (job.kind === 'ink') {
    const image = { name: 'ink', bytes: await inkPng(job) };
    const { options, lineModel } = job;
    return runWork(loaded, {
      kind: 'read',
      image,
      options,
      budget,
      ...(lineModel ? { lineModel } : {}),
    });
  }
  if (job.kind === 'read') {
    await headerPixels(job.image, budget);
    const line = job.lineModel === undefined ? undefined : await lineModelOnce(job.lineModel);
    return readUpload(line ?? loaded, job.image, {
      ...job.options,
      maxPixels: budget.maxPixels,
      maxCandidates: budget.maxCandidates,
      limiter,
    });
  }
  const checked = await Promise.all(
    job.images.map(async (input): Promise<{ input: ImageInput; pixels: number } | FailedImage> => {
      try {
        return { input, pixels: await headerPixels(input, budget) };
      } catch (error) {
        if (isHcrError(error) || error instanceof ApiError) {
          return { status: 'error', code: error.code, message: error.message };
        }
        throw error;
      }
    }),
  );
  const accepted = checked.flatMap((c) => ('input' in c ? [c] : []));
  const pixels = accepted.reduce((sum, c) => sum + c.pixels, 0);
  if (pixels > budget.maxRequestPixels) {
    throw new ApiError(
      'OVER_BUDGET',
      `request: ${accepted.length} image(s) of ${pixels} px in all exceed the work budget of ${budget.maxRequestPixels} decoded pixels per request; send fewer or smaller images`,
    );
  }
  const recognized = await recognizeImages(
    loaded,
    accepted.map((c) => c.input),
    { top: job.top, maxPixels: budget.maxPixels, limiter },
  );
  let next = 0;
  return checked.map((c) => ('input' in c ? recognized[next++]! : c));
}
