// IDX files (MNIST, EMNIST and the converted sets, docs/DESIGN.md §3): a big-endian header
// (magic 0x0000080N, then N dimensions) followed by unsigned bytes. Files may be gzip-compressed;
// that is detected from the content (1f 8b), not from the file name.

import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import { IMAGE_SIZE, type Dataset } from '../../core/types.js';
import type { LabelSet } from '../../core/label-sets.js';
import { HcrError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { displayName, readFileChecked, writePartsAtomic } from './files.js';

const gunzip = promisify(gunzipCallback);
const gzip = promisify(gzipCallback);

/** IDX magic of an image file: unsigned bytes, 3 dimensions (count, rows, cols). */
export const IDX_IMAGES_MAGIC = 2051;
/** IDX magic of a label file: unsigned bytes, 1 dimension (count). */
export const IDX_LABELS_MAGIC = 2049;

/** The content of an IDX file of unsigned bytes. */
export interface IdxFile {
  /** The 32-bit magic, e.g. 2051 for images, 2049 for labels. */
  readonly magic: number;
  /** Size of each dimension, outermost first, e.g. `[60000, 28, 28]`. */
  readonly dims: readonly number[];
  /** The values, row-major, `dims` multiplied together long (a view, not a copy). */
  readonly data: Uint8Array;
}

/** Images read from an IDX image file. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** `count * rows * cols` bytes, one image after another, row by row. */
  readonly images: Uint8Array;
}

/** True when `bytes` starts with the gzip magic (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a whole file and gunzips it when it is gzip-compressed (detected from its first two
 * bytes). A truncated or corrupt gzip stream throws `BAD_DATA` naming the file.
 *
 * @example
 * const raw = await readMaybeGzip('train-labels-idx1-ubyte.gz');
 */
export async function readMaybeGzip(path: string): Promise<Buffer> {
  const bytes = await readFileChecked(path);
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzip(bytes, { chunkSize: gunzipChunkSize(bytes) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HcrError(
      'BAD_DATA',
      `${displayName(path)}: gzip stream is truncated or corrupt (${reason})`,
      { cause: error },
    );
  }
}

// zlib's default 16 KiB output chunks make gunzip of MNIST train take 2.5x as long; the gzip
// trailer holds the uncompressed size (mod 2^32, last member only), so one chunk usually fits
// all. Capped so that a corrupt trailer cannot ask for gigabytes.
function gunzipChunkSize(bytes: Uint8Array): number {
  if (bytes.length < 18) return 1 << 16;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(bytes.length - 4, true);
  return Math.min(64 << 20, Math.max(1 << 16, size + 1));
}

/**
 * Reads an IDX file of unsigned bytes (gzip-compressed or not) and checks that its size matches
 * its header. `expectMagic`, when given, is checked too.
 *
 * @example
 * const { magic, dims, data } = await readIdx('t10k-labels-idx1-ubyte.gz'); // 2049, [10000]
 */
export async function readIdx(path: string, expectMagic?: number): Promise<IdxFile> {
  return parseIdx(await readMaybeGzip(path), displayName(path), expectMagic);
}

/**
 * Parses the bytes of an (uncompressed) IDX file; `name` is used in error messages.
 *
 * @example
 * parseIdx(bytes, 'labels.idx1', 2049);
 */
export function parseIdx(bytes: Uint8Array, name: string, expectMagic?: number): IdxFile {
  if (bytes.length < 4) {
    throw new HcrError(
      'BAD_DATA',
      `${name}: expected an IDX header, file has ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (expectMagic !== undefined && magic !== expectMagic) {
    throw new HcrError('BAD_DATA', `${name}: expected IDX magic ${expectMagic}, got ${magic}`);
  }
  const type = (magic >>> 8) & 0xff;
  const rank = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08 || rank === 0) {
    throw new HcrError(
      'BAD_DATA',
      `${name}: expected IDX magic 0x0000080N (unsigned bytes, N dimensions), got 0x${magic
        .toString(16)
        .padStart(8, '0')}`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new HcrError(
      'BAD_DATA',
      `${name}: header of ${rank} dimensions needs ${headerBytes} bytes, file has ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < rank; d++) {
    const dim = view.getUint32(4 + 4 * d);
    dims.push(dim);
    size *= dim;
  }
  const dataBytes = bytes.length - headerBytes;
  if (dataBytes !== size) {
    throw new HcrError(
      'BAD_DATA',
      `${name}: header says ${describeDims(magic, dims)} = ${size} bytes, file has ${dataBytes}`,
    );
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, size);
  return { magic, dims, data };
}

function describeDims(magic: number, dims: readonly number[]): string {
  if (magic === IDX_IMAGES_MAGIC) return `${dims[0]} images of ${dims[1]}x${dims[2]}`;
  if (magic === IDX_LABELS_MAGIC) return `${dims[0]} labels`;
  return `dimensions ${dims.join('x')}`;
}

/**
 * Reads an IDX image file (magic 2051) of 28x28 images.
 *
 * @example
 * const { count, images } = await readIdxImages('t10k-images-idx3-ubyte.gz'); // 10000
 */
export async function readIdxImages(path: string): Promise<IdxImages> {
  const { dims, data } = await readIdx(path, IDX_IMAGES_MAGIC);
  const [count = 0, rows = 0, cols = 0] = dims;
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new HcrError(
      'BAD_DATA',
      `${displayName(path)}: expected ${IMAGE_SIZE}x${IMAGE_SIZE} images, got ${rows}x${cols}`,
    );
  }
  return { count, rows, cols, images: data };
}

/**
 * Reads an IDX label file (magic 2049): one byte per image.
 *
 * @example
 * const labels = await readIdxLabels('t10k-labels-idx1-ubyte.gz'); // Uint8Array(10000)
 */
export async function readIdxLabels(path: string): Promise<Uint8Array> {
  return (await readIdx(path, IDX_LABELS_MAGIC)).data;
}

/**
 * Loads an image file and its label file as one dataset. The counts must match and every label
 * must be a class of `labelSet` (the source's own classes).
 *
 * @example
 * const test = await loadIdxPair(imagesPath, labelsPath, LABEL_SETS.digits, 'mnist-test');
 */
export async function loadIdxPair(
  imagesPath: string,
  labelsPath: string,
  labelSet: LabelSet,
  name: string,
): Promise<Dataset> {
  const [{ count, images }, labels] = await Promise.all([
    readIdxImages(imagesPath),
    readIdxLabels(labelsPath),
  ]);
  if (labels.length !== count) {
    throw new HcrError(
      'BAD_DATA',
      `${displayName(imagesPath)} has ${count} images but ${displayName(labelsPath)} has ${labels.length} labels`,
    );
  }
  checkLabels(
    labels,
    labelSet.classes.length,
    displayName(labelsPath),
    `label set ${labelSet.name}`,
  );
  return { name, images, labels, labelSet };
}

/**
 * Throws `BAD_DATA` naming the first label that is not below `classCount`, e.g.
 * `labels.idx1: label 12 at index 3 is not in label set digits (0-9)`.
 */
export function checkLabels(
  labels: Uint8Array,
  classCount: number,
  name: string,
  where: string,
): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label >= classCount) {
      throw new HcrError(
        'BAD_DATA',
        `${name}: label ${label} at index ${i} is not in ${where} (0-${classCount - 1})`,
      );
    }
  }
}

/** Options of {@link writeIdx}. */
export interface WriteIdxOptions {
  /** Gzip-compress the file. Default: true when the path ends in `.gz`. */
  readonly gzip?: boolean;
}

/**
 * Writes an IDX file of unsigned bytes atomically (temporary file, then rename); the magic is
 * 0x0800 + the number of dimensions (2051 for `[n, 28, 28]`, 2049 for `[n]`).
 *
 * @example
 * await writeIdx('test/fixtures/data/digits-images-idx3-ubyte.gz', [20, 28, 28], images);
 */
export async function writeIdx(
  path: string,
  dims: readonly number[],
  data: Uint8Array,
  options: WriteIdxOptions = {},
): Promise<void> {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new HcrError(
      'BAD_DATA',
      `${displayName(path)}: dimensions ${dims.join('x')} need ${size} bytes, got ${data.length}`,
    );
  }
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((dim, d) => header.writeUInt32BE(dim, 4 + 4 * d));
  const compress = options.gzip ?? path.endsWith('.gz');
  if (compress) {
    await writeFileAtomic(path, await gzip(Buffer.concat([header, data])));
  } else {
    await writePartsAtomic(path, [header, data]);
  }
}
