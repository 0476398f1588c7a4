// Decoding image files (PNG, JPEG, WebP, GIF, TIFF, SVG) to gray pixels with sharp, the way
// every image file reaches a model in Node: EXIF orientation applied, colour and transparency
// turned into gray by core's rgbaToGray (the same function the browser uses on canvas pixels),
// and images larger than a pixel limit refused from their header, before any decoding.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import {
  normalizeToMnist,
  rgbaToGray,
  type NormalizedImage,
  type NormalizeOptions,
} from '../../core/normalize.js';
import type { GrayImage } from '../../core/types.js';
import { HcrError } from '../errors.js';

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /**
   * Largest image accepted, in pixels (width x height), checked from the file's header before
   * decoding, so that a decompression bomb is refused. Default: {@link DECODE_DEFAULTS}.maxPixels
   * (40,000,000).
   */
  readonly maxPixels?: number;
  /** Name of the image in error messages. Default: the file's base name, or `image` for bytes. */
  readonly name?: string;
}

/** Defaults of {@link decodeImage}. */
export const DECODE_DEFAULTS = Object.freeze({
  /** Largest image accepted, in pixels: 40 megapixels (e.g. 8000x5000). */
  maxPixels: 40_000_000,
});

/** The image formats hcr accepts, as named in error messages. */
export const IMAGE_FORMATS = Object.freeze(['PNG', 'JPEG', 'WebP', 'GIF', 'TIFF', 'SVG']);

const FORMAT_LIST = `(${IMAGE_FORMATS.join(', ')})`;
// Colour spaces sharp hands over as they are (1-2 channels gray, 3-4 sRGB); any other (CMYK,
// Lab, 16-bit) is converted to sRGB first so that the channels mean what rgbaToGray expects.
const GRAY_SPACES = new Set(['b-w']);
const RGB_SPACES = new Set(['srgb']);

/**
 * Decodes an image file or its bytes to a gray image (one byte per pixel, any size): EXIF
 * orientation applied (`.rotate()`), colour converted with core's `rgbaToGray`, transparency
 * composited onto a backdrop that contrasts with the ink (as in the browser). Multi-frame
 * images (GIF, TIFF) give their first frame.
 *
 * @throws HcrError NOT_FOUND for a missing file; BAD_IMAGE for an empty file, bytes that are not
 *   an image, or an image over `maxPixels`, each naming the file
 * @example
 * const gray = await decodeImage('photo.jpg'); // { width, height, data }
 * const fromUpload = await decodeImage(body, { name: 'upload.png', maxPixels: 4_000_000 });
 */
export async function decodeImage(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): Promise<GrayImage> {
  const name = options.name ?? (typeof input === 'string' ? basename(input) : 'image');
  const maxPixels = options.maxPixels ?? DECODE_DEFAULTS.maxPixels;
  if (!(maxPixels > 0)) {
    throw new HcrError('BAD_OPTION', `maxPixels: expected a positive number, got ${maxPixels}`);
  }
  const bytes = typeof input === 'string' ? await readImageFile(input, name) : input;
  if (bytes.length === 0) {
    throw new HcrError('BAD_IMAGE', `${name}: empty file, expected an image ${FORMAT_LIST}`);
  }

  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new HcrError('BAD_IMAGE', `${name}: not an image that can be decoded ${FORMAT_LIST}`, {
      cause: error,
    });
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width * height > maxPixels) {
    throw new HcrError(
      'BAD_IMAGE',
      `${name}: ${width}x${height} = ${width * height} px exceeds the limit of ${maxPixels}`,
    );
  }

  try {
    // 'warning', sharp's setting for untrusted input: a JPEG cut short but closed with an
    // end-of-image marker is only a libjpeg warning, and 'error' would decode it as grey.
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning' }).rotate();
    const space = metadata.space ?? '';
    const channels = metadata.channels ?? 0;
    const keep =
      (GRAY_SPACES.has(space) && channels <= 2) || (RGB_SPACES.has(space) && channels >= 3);
    if (!keep) pipeline = pipeline.toColourspace(channels <= 2 ? 'b-w' : 'srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({
      resolveWithObject: true,
    });
    if (info.channels < 1 || info.channels > 4) {
      throw new Error(`unexpected ${info.channels} channels`);
    }
    return rgbaToGray(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      info.width,
      info.height,
      info.channels as 1 | 2 | 3 | 4,
    );
  } catch (error) {
    if (error instanceof HcrError) throw error;
    const reason = error instanceof Error ? error.message.trim() : String(error);
    throw new HcrError('BAD_IMAGE', `${name}: cannot decode the image (${reason})`, {
      cause: error,
    });
  }
}

async function readImageFile(path: string, name: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new HcrError('NOT_FOUND', `${path}: no such file`);
    if (code === 'EISDIR') {
      throw new HcrError('BAD_IMAGE', `${name}: is a directory, expected an image file`);
    }
    throw error;
  }
}

/** Options of {@link loadImageForModel}. */
export interface LoadImageOptions extends DecodeOptions {
  /** Options of core's `normalizeToMnist`. Default: its defaults (NORMALIZE_DEFAULTS). */
  readonly normalize?: NormalizeOptions;
}

/** An image as a model receives it, with the decoded source it came from. */
export interface ModelImage {
  /** The 28x28 image in the MNIST convention (check `normalized.empty` before predicting). */
  readonly normalized: NormalizedImage;
  /** The decoded gray image, before normalization. */
  readonly source: GrayImage;
}

/**
 * Decodes an image and brings it to the MNIST convention (docs/DESIGN.md §2): what `predict` and
 * the server do with a file before the model sees it.
 *
 * @example
 * const { normalized } = await loadImageForModel('letter.png');
 * if (!normalized.empty) model.predict(normalized.pixels);
 */
export async function loadImageForModel(
  input: string | Uint8Array,
  options: LoadImageOptions = {},
): Promise<ModelImage> {
  const source = await decodeImage(input, options);
  return { normalized: normalizeToMnist(source, options.normalize), source };
}
