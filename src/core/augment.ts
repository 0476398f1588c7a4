// On-the-fly augmentation of training batches: a small random affine transform (rotation,
// scale, shear, shift; never a flip, which would turn a "b" into a "d") applied to each 28x28
// image as it is turned into floats, then the ways a pen, a camera and the normalization of a
// photo change a glyph: stroke thickness, blur and noise. Runs for every training image, so
// the inner loops are plain typed-array arithmetic with the inverse transform precomputed.

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
  /**
   * Largest change of stroke thickness, in 3x3 dilation (thicker) or erosion (thinner) steps,
   * either way; fractions blend the step in. Default: 1.
   */
  thickness?: number;
  /** Largest Gaussian blur, as its standard deviation in pixels. Default: 0.8. */
  blur?: number;
  /** Largest standard deviation of added Gaussian noise, in units of full ink (0-1). Default: 0.06. */
  noise?: number;
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
  thickness: 1,
  blur: 0.8,
  noise: 0.06,
});

/** No augmentation at all; {@link augmentInto} with it reproduces its input. */
export const NO_AUGMENTATION: Readonly<Required<AugmentOptions>> = Object.freeze({
  rotation: 0,
  shift: 0,
  scale: 0,
  shear: 0,
  thickness: 0,
  blur: 0,
  noise: 0,
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
    thickness: 3,
    blur: 3,
    noise: 1,
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

/** One draw of the pen-and-camera changes, see {@link randomPhotometric}. */
export interface PhotometricParams {
  /** Dilation (positive) or erosion (negative) steps; fractions blend one step in. */
  readonly thickness: number;
  /** Gaussian blur standard deviation in pixels (0 = none). */
  readonly blur: number;
  /** Standard deviation of the added noise (0 = none). */
  readonly noise: number;
}

/**
 * Draws the stroke, blur and noise changes for one image (three draws from `rand`, after
 * {@link randomAffine}'s five).
 *
 * @example
 * const p = randomPhotometric(createRandom(1), AUGMENT_DEFAULTS);
 */
export function randomPhotometric(
  rand: Random,
  options: Readonly<Required<AugmentOptions>>,
): PhotometricParams {
  return {
    thickness: (2 * rand() - 1) * options.thickness,
    blur: rand() * options.blur,
    noise: rand() * options.noise,
  };
}

/** Scratch space of the photometric steps (one image). */
const scratch = new Float32Array(PIXELS);

/** Second scratch image, for the separable passes. */
const scratch2 = new Float32Array(PIXELS);

/** Share of its ink an image keeps when it is thinned; a thinner result is undone. */
const MIN_ERODED_MASS = 0.4;

function mass(img: Float32Array, at: number): number {
  let sum = 0;
  for (let i = 0; i < PIXELS; i++) sum += img[at + i]!;
  return sum;
}

/** Third scratch image: the input of a dilation (for an erosion, the negative of the input). */
const scratch3 = new Float32Array(PIXELS);

/** 3x3 grey dilation of `src` into `scratch` (a row pass, then a column pass; edges use what is inside). */
function dilate3(src: Float32Array): void {
  for (let y = 0; y < SIZE; y++) {
    const row = y * SIZE;
    let a = 0;
    let b = src[row]!;
    for (let x = 0; x < SIZE; x++) {
      const c = x < LAST ? src[row + x + 1]! : 0;
      const ab = a > b ? a : b;
      scratch2[row + x] = ab > c ? ab : c;
      a = b;
      b = c;
    }
  }
  for (let x = 0; x < SIZE; x++) {
    let a = 0;
    let b = scratch2[x]!;
    for (let y = 0; y < SIZE; y++) {
      const c = y < LAST ? scratch2[(y + 1) * SIZE + x]! : 0;
      const ab = a > b ? a : b;
      scratch[y * SIZE + x] = ab > c ? ab : c;
      a = b;
      b = c;
    }
  }
}

/**
 * One 3x3 grey dilation (`grow`) or erosion of `img[at..+784]`, blended in by `amount` (0-1).
 * Erosion is the dilation of the negative (1 - v), so both share one loop; values are in
 * [0, 1], so 0 outside the image never wins a dilation and never loses an erosion.
 */
function morph(img: Float32Array, at: number, grow: boolean, amount: number): void {
  for (let i = 0; i < PIXELS; i++) scratch3[i] = grow ? img[at + i]! : 1 - img[at + i]!;
  dilate3(scratch3);
  for (let i = 0; i < PIXELS; i++) {
    const v = img[at + i]!;
    const target = grow ? scratch[i]! : 1 - scratch[i]!;
    img[at + i] = v + amount * (target - v);
  }
}

/** Separable Gaussian blur of `img[at..+784]` with standard deviation `sigma` (radius 2). */
function gaussianBlur(img: Float32Array, at: number, sigma: number): void {
  const w1 = Math.exp(-1 / (2 * sigma * sigma));
  const w2 = Math.exp(-4 / (2 * sigma * sigma));
  const norm = 1 + 2 * w1 + 2 * w2;
  const k0 = 1 / norm;
  const k1 = w1 / norm;
  const k2 = w2 / norm;
  // Rows into scratch, then columns back into img; outside the image counts as 0.
  for (let y = 0; y < SIZE; y++) {
    const row = at + y * SIZE;
    for (let x = 0; x < SIZE; x++) {
      const c = img[row + x]!;
      const l1 = x > 0 ? img[row + x - 1]! : 0;
      const r1 = x < LAST ? img[row + x + 1]! : 0;
      const l2 = x > 1 ? img[row + x - 2]! : 0;
      const r2 = x < LAST - 1 ? img[row + x + 2]! : 0;
      scratch[y * SIZE + x] = k0 * c + k1 * (l1 + r1) + k2 * (l2 + r2);
    }
  }
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      const c = scratch[i]!;
      const u1 = y > 0 ? scratch[i - SIZE]! : 0;
      const d1 = y < LAST ? scratch[i + SIZE]! : 0;
      const u2 = y > 1 ? scratch[i - 2 * SIZE]! : 0;
      const d2 = y < LAST - 1 ? scratch[i + 2 * SIZE]! : 0;
      img[at + i] = k0 * c + k1 * (u1 + d1) + k2 * (u2 + d2);
    }
  }
}

/**
 * Applies stroke thickness, blur and noise to the float image `img[at..+784]` in place, in that
 * order, keeping values in [0, 1]; after thickness and blur the brightest pixel is stretched
 * back to 1, as normalization does. Noise draws from `rand` (784 draws when `noise` > 0).
 *
 * @example
 * applyPhotometric(batch, k * 784, { thickness: 0.5, blur: 0.6, noise: 0.05 }, rand);
 */
export function applyPhotometric(
  img: Float32Array,
  at: number,
  params: PhotometricParams,
  rand: Random,
): void {
  let steps = Math.abs(params.thickness);
  while (steps > 1e-3) {
    const grow = params.thickness > 0;
    const before = grow ? 0 : mass(img, at);
    morph(img, at, grow, Math.min(steps, 1));
    steps -= 1;
    // A thin stroke eroded away would leave a label on an empty image: keep at least 40%.
    if (!grow && mass(img, at) < MIN_ERODED_MASS * before) {
      for (let i = 0; i < PIXELS; i++) img[at + i] = 1 - scratch3[i]!;
      break;
    }
  }
  if (params.blur > 0.2) gaussianBlur(img, at, params.blur);
  if (params.thickness !== 0 || params.blur > 0.2) {
    // Normalization stretches every glyph to full ink (docs/DESIGN.md §2); so does augmentation,
    // or thinned and blurred strokes would be fainter than anything the model later sees.
    let max = 0;
    for (let i = 0; i < PIXELS; i++) if (img[at + i]! > max) max = img[at + i]!;
    if (max > 0.05 && max < 1) {
      const gain = 1 / max;
      for (let i = 0; i < PIXELS; i++) img[at + i] = img[at + i]! * gain;
    }
  }
  if (params.noise > 0) {
    // Uniform noise with the requested standard deviation (one draw per pixel).
    const amplitude = 2 * params.noise * Math.sqrt(3);
    for (let i = 0; i < PIXELS; i++) {
      const v = img[at + i]! + amplitude * (rand() - 0.5);
      img[at + i] = v > 1 ? 1 : v < 0 ? 0 : v;
    }
  }
}

/**
 * Writes ONE randomly transformed 28x28 image as floats in [0, 1]: a random affine transform
 * about the image centre within `options` ({@link randomAffine}), bilinear sampling, 0 outside;
 * then a random stroke thickness, blur and noise ({@link applyPhotometric}). Never flips. With
 * all strengths 0 the output is exactly `src / 255`.
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
  applyPhotometric(dst, dstOffset, randomPhotometric(rand, options), rand);
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
    augmentInto(images, indices[k]! * PIXELS, out, k * PIXELS, rand, options);
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
