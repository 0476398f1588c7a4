// On-the-fly augmentation of training batches: a small random affine transform (rotation,
// scale, shear, shift; never a flip, which would turn a "b" into a "d") applied to each 28x28
// image as it is turned into floats. Runs for every training image, so the inner loops are
// plain typed-array arithmetic with the inverse transform precomputed per image.

import { HcrError } from './errors.js';
import type { Random } from './random.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from './types.js';

/** Strength of the random transform; every field is optional, defaults in {@link AUGMENT_DEFAULTS}. */
export interface AugmentOptions {
  /** Largest rotation in degrees, either way. Default: 12. */
  rotation?: number;
  /** Largest shift in pixels, along each axis, either way. Default: 2. */
  shift?: number;
  /** Largest change of size as a fraction, either way (0.1 = 90% to 110%). Default: 0.1. */
  scale?: number;
  /** Largest horizontal shear in degrees, either way. Default: 8. */
  shear?: number;
}

/**
 * The defaults of {@link AugmentOptions}, in one place for docs, `--help` and tests.
 *
 * @example
 * augmentBatch(images, indices, out, rand, { ...AUGMENT_DEFAULTS, rotation: 5 });
 */
export const AUGMENT_DEFAULTS: Readonly<Required<AugmentOptions>> = Object.freeze({
  rotation: 12,
  shift: 2,
  scale: 0.1,
  shear: 8,
});

/** No augmentation at all; {@link augmentInto} with it reproduces its input. */
export const NO_AUGMENTATION: Readonly<Required<AugmentOptions>> = Object.freeze({
  rotation: 0,
  shift: 0,
  scale: 0,
  shear: 0,
});

/**
 * Fills in the defaults and checks the ranges.
 *
 * @throws HcrError BAD_OPTION when a strength is negative, not finite, or `scale` is 1 or more
 * @example
 * const options = resolveAugmentOptions({ rotation: 8 }); // shift 2, scale 0.1, shear 8
 */
export function resolveAugmentOptions(
  options: AugmentOptions = {},
): Readonly<Required<AugmentOptions>> {
  const resolved = { ...AUGMENT_DEFAULTS, ...options };
  const limits: Record<keyof AugmentOptions, number> = {
    rotation: 180,
    shift: IMAGE_SIZE,
    scale: 1,
    shear: 60,
  };
  for (const key of Object.keys(limits) as (keyof AugmentOptions)[]) {
    const value = resolved[key];
    if (!(
      Number.isFinite(value) &&
      value >= 0 &&
      value < limits[key] + (key === 'scale' ? 0 : 1e-9)
    )) {
      throw new HcrError(
        'BAD_OPTION',
        `augment: expected ${key} in 0-${limits[key]}${key === 'scale' ? ' (exclusive)' : ''}, got ${value}`,
      );
    }
  }
  return Object.freeze(resolved);
}

/** One affine transform about the image centre: output = centre + shift + R * Sh * S * (input - centre). */
export interface AffineParams {
  /** Rotation in degrees; positive turns the glyph clockwise on screen (y points down). */
  readonly rotation: number;
  /** Size factor, 1 = unchanged. */
  readonly scale: number;
  /** Horizontal shear in degrees; positive leans the top of the glyph to the right. */
  readonly shear: number;
  /** Shift in pixels; positive moves right. */
  readonly shiftX: number;
  /** Shift in pixels; positive moves down. */
  readonly shiftY: number;
}

// Module-local copies: an imported binding can compile to a getter call (CommonJS interop in
// tsx and vitest), which costs several times the arithmetic in the loops below.
const SIZE = IMAGE_SIZE;
const PIXELS = IMAGE_PIXELS;
/** Centre of the 28x28 grid in pixel-index coordinates (pixel centres at integers). */
const C = (SIZE - 1) / 2;
const DEG = Math.PI / 180;
const LAST = SIZE - 1;

/**
 * Writes `src[srcOffset..+784]` transformed by `params` into `dst[dstOffset..+784]` as floats in
 * [0, 1]: bilinear sampling of the inverse transform, 0 outside the image.
 *
 * @example
 * applyAffine(images, 0, out, 0, { rotation: 90, scale: 1, shear: 0, shiftX: 0, shiftY: 0 });
 */
export function applyAffine(
  src: Uint8Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  params: AffineParams,
): void {
  // Forward matrix M = R * Sh * S, with R = [[cos, -sin], [sin, cos]] and Sh = [[1, -tan], [0, 1]]
  // (y points down, so the rows above the centre move right for a positive shear).
  const cos = Math.cos(params.rotation * DEG);
  const sin = Math.sin(params.rotation * DEG);
  const tan = Math.tan(params.shear * DEG);
  const s = params.scale;
  const m00 = cos * s;
  const m01 = (-cos * tan - sin) * s;
  const m10 = sin * s;
  const m11 = (cos - sin * tan) * s;
  const det = m00 * m11 - m01 * m10;
  // Inverse: input = C + M^-1 (output - C - shift).
  const i00 = m11 / det;
  const i01 = -m01 / det;
  const i10 = -m10 / det;
  const i11 = m00 / det;
  const ox = C + params.shiftX;
  const oy = C + params.shiftY;
  const bx = C - i00 * ox - i01 * oy;
  const by = C - i10 * ox - i11 * oy;

  let d = dstOffset;
  for (let y = 0; y < SIZE; y++) {
    let u = bx + i01 * y;
    let v = by + i11 * y;
    for (let x = 0; x < SIZE; x++, u += i00, v += i10, d++) {
      if (!(u > -1 && u < SIZE && v > -1 && v < SIZE)) {
        dst[d] = 0;
        continue;
      }
      // u, v > -1, so truncating u + 1 floors it
      const x0 = ((u + 1) | 0) - 1;
      const y0 = ((v + 1) | 0) - 1;
      const fx = u - x0;
      const fy = v - y0;
      const p = srcOffset + y0 * SIZE + x0;
      let sum: number;
      if (x0 >= 0 && y0 >= 0 && x0 < LAST && y0 < LAST) {
        const top = src[p]! + fx * (src[p + 1]! - src[p]!);
        const bottom = src[p + SIZE]! + fx * (src[p + SIZE + 1]! - src[p + SIZE]!);
        sum = top + fy * (bottom - top);
      } else {
        // On the border: neighbours outside the image count as 0.
        const inX0 = x0 >= 0;
        const inX1 = x0 + 1 <= LAST;
        const inY0 = y0 >= 0;
        const inY1 = y0 + 1 <= LAST;
        const p00 = inX0 && inY0 ? src[p]! : 0;
        const p01 = inX1 && inY0 ? src[p + 1]! : 0;
        const p10 = inX0 && inY1 ? src[p + SIZE]! : 0;
        const p11 = inX1 && inY1 ? src[p + SIZE + 1]! : 0;
        const top = p00 + fx * (p01 - p00);
        const bottom = p10 + fx * (p11 - p10);
        sum = top + fy * (bottom - top);
      }
      const value = sum / 255;
      dst[d] = value > 1 ? 1 : value < 0 ? 0 : value;
    }
  }
}

/**
 * Draws one random transform within `options` (five draws from `rand`, always in the order
 * rotation, scale, shear, shift x, shift y, so a seed replays the same transforms).
 *
 * @example
 * const params = randomAffine(createRandom(1), AUGMENT_DEFAULTS);
 */
export function randomAffine(
  rand: Random,
  options: Readonly<Required<AugmentOptions>>,
): AffineParams {
  const rotation = (2 * rand() - 1) * options.rotation;
  const scale = 1 + (2 * rand() - 1) * options.scale;
  const shear = (2 * rand() - 1) * options.shear;
  const shiftX = (2 * rand() - 1) * options.shift;
  const shiftY = (2 * rand() - 1) * options.shift;
  return { rotation, scale, shear, shiftX, shiftY };
}

/**
 * Writes ONE randomly transformed 28x28 image as floats in [0, 1]: a random affine transform
 * about the image centre within `options` ({@link randomAffine}), bilinear sampling, 0 outside.
 * Never flips. With all strengths 0 the output is exactly `src / 255`.
 *
 * @param options - strengths, e.g. {@link AUGMENT_DEFAULTS} or {@link resolveAugmentOptions}'s result
 * @example
 * augmentInto(ds.images, i * 784, batch, k * 784, rand, AUGMENT_DEFAULTS);
 */
export function augmentInto(
  src: Uint8Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  rand: Random,
  options: Readonly<Required<AugmentOptions>>,
): void {
  applyAffine(src, srcOffset, dst, dstOffset, randomAffine(rand, options));
}

function checkBatch(
  images: Uint8Array,
  indices: ArrayLike<number>,
  out: Float32Array,
  where: string,
): void {
  const count = images.length / PIXELS;
  if (out.length < indices.length * PIXELS) {
    throw new HcrError(
      'BAD_DATA',
      `${where}: expected an output of at least ${indices.length} * ${PIXELS} floats, got ${out.length}`,
    );
  }
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < count && Number.isInteger(i))) {
      throw new HcrError(
        'BAD_DATA',
        `${where}: expected image indices in 0..${count - 1}, got ${i} at position ${k}`,
      );
    }
  }
}

/**
 * Writes the images at `indices` (of the N*784 `images`), each randomly transformed, one after
 * another into `out` as floats in [0, 1] (a [batch, 28, 28, 1] tensor's data).
 *
 * @throws HcrError BAD_DATA when an index is out of range or `out` is too small
 * @example
 * const out = new Float32Array(batch.length * 784);
 * augmentBatch(ds.images, batch, out, createRandom(epoch), AUGMENT_DEFAULTS);
 */
export function augmentBatch(
  images: Uint8Array,
  indices: ArrayLike<number>,
  out: Float32Array,
  rand: Random,
  options: Readonly<Required<AugmentOptions>>,
): void {
  checkBatch(images, indices, out, 'augmentBatch');
  for (let k = 0; k < indices.length; k++) {
    applyAffine(images, indices[k]! * PIXELS, out, k * PIXELS, randomAffine(rand, options));
  }
}

/**
 * Writes the images at `indices` unchanged into `out` as floats in [0, 1] (pixel / 255), for
 * evaluation and prediction.
 *
 * @throws HcrError BAD_DATA when an index is out of range or `out` is too small
 * @example
 * toFloatBatch(ds.images, [0, 1, 2], new Float32Array(3 * 784));
 */
export function toFloatBatch(
  images: Uint8Array,
  indices: ArrayLike<number>,
  out: Float32Array,
): void {
  checkBatch(images, indices, out, 'toFloatBatch');
  for (let k = 0; k < indices.length; k++) {
    const from = indices[k]! * PIXELS;
    const to = k * PIXELS;
    for (let p = 0; p < PIXELS; p++) out[to + p] = images[from + p]! / 255;
  }
}
