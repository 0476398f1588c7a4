// The replay file: a small sample of the original training data (50 times the number of classes, each class in its training share)
// that the page mixes into an adaptation so that the model keeps reading other writers
// (docs/DESIGN.md §8). It is two IDX files, as MNIST ships, gzipped by whoever stores them (images
// `[n, 28, 28]` uint8, labels `[n]` uint8 indices into the label set), and a manifest naming the
// label set. This module owns the format; scripts/pack-replay.ts writes it, the page reads it.

import { HcrError } from './errors.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from './types.js';

/** The replay's file names, in one place for the writer and the page. */
export const REPLAY_FILES = Object.freeze({
  manifest: 'replay.json',
  images: 'replay-images-idx3-ubyte.gz',
  labels: 'replay-labels-idx1-ubyte.gz',
});

/** `replay.json`: what the replay holds and where it came from. */
export interface ReplayManifest {
  readonly format: 'hcr-replay';
  readonly formatVersion: 1;
  readonly labelSet: { readonly name: string; readonly classes: readonly string[] };
  readonly count: number;
  readonly perClass: number;
  readonly seed: number;
  /** The data sources the images were drawn from (their training splits). */
  readonly sources: readonly string[];
  /** SHA-256 of the two gzipped files. */
  readonly sha256: { readonly images: string; readonly labels: string };
}

const IDX_IMAGES_MAGIC = 2051;
const IDX_LABELS_MAGIC = 2049;

/**
 * IDX bytes of `count` 28x28 images (magic 2051) or of their labels (magic 2049).
 *
 * @example
 * const bytes = encodeIdx(replay.images, replay.labels.length, 'images');
 */
export function encodeIdx(data: Uint8Array, count: number, kind: 'images' | 'labels'): Uint8Array {
  const header = kind === 'images' ? 16 : 8;
  const expected = kind === 'images' ? count * IMAGE_PIXELS : count;
  if (data.length !== expected) {
    throw new HcrError(
      'BAD_DATA',
      `encodeIdx: expected ${expected} bytes of ${kind}, got ${data.length}`,
    );
  }
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, kind === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC);
  view.setUint32(4, count);
  if (kind === 'images') {
    view.setUint32(8, IMAGE_SIZE);
    view.setUint32(12, IMAGE_SIZE);
  }
  out.set(data, header);
  return out;
}

/**
 * The payload of IDX bytes, checked against the kind and the 28x28 size.
 *
 * @throws HcrError BAD_DATA naming `where` on a wrong magic, size or length
 * @example
 * const { count, data } = decodeIdx(bytes, 'images', 'replay-images-idx3-ubyte.gz');
 */
export function decodeIdx(
  bytes: Uint8Array,
  kind: 'images' | 'labels',
  where: string,
): { count: number; data: Uint8Array } {
  const header = kind === 'images' ? 16 : 8;
  const magic = kind === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
  if (bytes.length < header) {
    throw new HcrError(
      'BAD_DATA',
      `${where}: expected an IDX header of ${header} bytes, got ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = view.getUint32(0);
  if (got !== magic)
    throw new HcrError('BAD_DATA', `${where}: expected IDX magic ${magic}, got ${got}`);
  const count = view.getUint32(4);
  if (
    kind === 'images' &&
    (view.getUint32(8) !== IMAGE_SIZE || view.getUint32(12) !== IMAGE_SIZE)
  ) {
    throw new HcrError(
      'BAD_DATA',
      `${where}: expected ${IMAGE_SIZE}x${IMAGE_SIZE} images, got ${view.getUint32(8)}x${view.getUint32(12)}`,
    );
  }
  const length = kind === 'images' ? count * IMAGE_PIXELS : count;
  if (bytes.length !== header + length) {
    throw new HcrError(
      'BAD_DATA',
      `${where}: expected ${header + length} bytes for ${count} ${kind}, got ${bytes.length}`,
    );
  }
  return { count, data: bytes.subarray(header) };
}
