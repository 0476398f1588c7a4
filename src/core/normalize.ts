// The one image convention of docs/DESIGN.md §2: every image that reaches a model (training data,
// a file given to `predict`, an upload, a drawing) is brought to the MNIST form here:
// ink bright on dark, cropped to the ink, scaled to fit 20x20 keeping the aspect ratio,
// placed in 28x28 with the centre of mass at the centre; and re-normalizing 28x28 images (EMNIST).
// Its first steps (polarity, paper removed) are extract-ink.ts's, its options
// normalize-options.ts's, the pixel helpers around it pixels.ts's; this module exports their
// public names too, so that the convention has one entry.

import { labelInk, type InkComponent } from './components.js';
import { HcrError } from './errors.js';
import { flattenLargeImage, InkWorkspace, removeBackground } from './extract-ink.js';
import { NORMALIZE_DEFAULTS, resolveNormalizeOptions } from './normalize-options.js';
import type { NormalizeOptions } from './normalize-options.js';
import { checkGrayImage } from './pixels.js';
import type { PixelBox } from './pixels.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from './types.js';
import type { GrayImage } from './types.js';

export { borderMedian, extractInk, type InkImage } from './extract-ink.js';
export { NORMALIZE_DEFAULTS, type NormalizeOptions, type Polarity } from './normalize-options.js';
export { rgbaToGray, transposeImages, type PixelBox } from './pixels.js';

/**
 * Version of the normalization below; a model's metadata records it, so a model is only used
 * with inputs prepared the way its training data was. Bump it whenever the output changes.
 */
export const NORMALIZATION_VERSION = 2;

/** The result of {@link normalizeToMnist}. */
export interface NormalizedImage {
  /** True when the image holds no ink (uniform, or only noise below the thresholds). */
  readonly empty: boolean;
  /** 28x28 pixels in the MNIST convention (0 background, 255 ink); all 0 when empty. */
  readonly pixels: Uint8Array;
  /** True when the input was dark ink on light paper and was inverted. */
  readonly inverted: boolean;
  /** The ink's bounding box in input coordinates; all zeros when empty. */
  readonly box: PixelBox;
}

// Module-local copies: an imported binding can compile to a getter call (CommonJS interop in
// tsx and vitest), which costs several times the arithmetic in the loops below.
const SIZE = IMAGE_SIZE;
const PIXELS = IMAGE_PIXELS;
/** Index coordinate (pixel centres at integers) where MNIST puts the centre of mass: 14, measured. */
const CENTRE = SIZE / 2;
/** A blob with less than this fraction of the largest blob's ink never counts, however near. */
const TINY_COMPONENT_MASS = 0.02;
/** Passes over the blobs when growing the box; each pass may bring in blobs near the last ones. */
const MAX_GROW_PASSES = 8;
const EMPTY_BOX: PixelBox = Object.freeze({ x: 0, y: 0, width: 0, height: 0 });

/**
 * Scratch arrays reused across images of one batch, so that re-normalizing a whole dataset does
 * not allocate per image: background removal's, and the blobs' and the scaling's.
 */
class Workspace extends InkWorkspace {
  labels = new Int32Array(0);
  stack = new Int32Array(0);
  tmp = new Float32Array(0);
  scaled = new Float32Array(PIXELS);
  readonly weights = new Map<number, AxisWeights>();

  override reserve(pixels: number): void {
    if (this.labels.length < pixels) {
      this.labels = new Int32Array(pixels);
      this.stack = new Int32Array(pixels);
    }
    super.reserve(pixels);
  }

  /** Weights for one axis, cached by size (a batch of 28x28 images reuses a handful). */
  axis(inSize: number, outSize: number): AxisWeights {
    const key = inSize * 65536 + outSize;
    let w = this.weights.get(key);
    if (!w) {
      w = axisWeights(inSize, outSize);
      if (this.weights.size < 4096) this.weights.set(key, w);
    }
    return w;
  }
}

/** Blobs of connected (8-neighbour) pixels at or above the threshold: their ink and box. */
type Component = Pick<InkComponent, 'mass' | 'x0' | 'y0' | 'x1' | 'y1'>;

function findComponents(ws: Workspace, w: number, h: number, threshold: number): Component[] {
  return labelInk(ws.ink, w, h, threshold, ws.labels, ws.stack);
}

/**
 * The glyph's box: the heaviest blob, every blob of at least `minMass` of it, and lighter blobs
 * (but not tiny ones) that lie near the box grown so far, so an "i" keeps its dot while specks
 * far from the glyph are ignored.
 */
function glyphBox(
  components: Component[],
  minMass: number,
  nearDistance: number,
): Component | undefined {
  components.sort((a, b) => b.mass - a.mass);
  const first = components[0];
  if (!first) return undefined;
  const box = { ...first };
  const rest = components.slice(1).filter((c) => c.mass >= TINY_COMPONENT_MASS * first.mass);
  const used = new Uint8Array(rest.length);
  for (let pass = 0, changed = true; changed && pass < MAX_GROW_PASSES; pass++) {
    changed = false;
    rest.forEach((c, i) => {
      if (used[i]) return;
      const gapX = Math.max(0, c.x0 - box.x1 - 1, box.x0 - c.x1 - 1);
      const gapY = Math.max(0, c.y0 - box.y1 - 1, box.y0 - c.y1 - 1);
      const side = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
      if (c.mass >= minMass * first.mass || Math.max(gapX, gapY) <= nearDistance * side) {
        used[i] = 1;
        changed = true;
        box.x0 = Math.min(box.x0, c.x0);
        box.y0 = Math.min(box.y0, c.y0);
        box.x1 = Math.max(box.x1, c.x1);
        box.y1 = Math.max(box.y1, c.y1);
      }
    });
  }
  return box;
}

/** Resampling weights along one axis: output i reads `count[i]` inputs from `start[i]`. */
interface AxisWeights {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly taps: number;
  readonly weights: Float32Array;
}

/** Area averaging when shrinking, bilinear (edges held) when enlarging, identity when equal. */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = outSize / inSize;
  const taps = outSize < inSize ? Math.ceil(1 / scale) + 1 : 2;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) {
      start[o] = o;
      count[o] = 1;
      weights[o * taps] = 1;
    } else if (outSize < inSize) {
      const a = o / scale;
      const b = Math.min(inSize, (o + 1) / scale);
      const i0 = Math.floor(a);
      const i1 = Math.min(inSize - 1, Math.ceil(b) - 1);
      start[o] = i0;
      count[o] = i1 - i0 + 1;
      for (let i = i0; i <= i1; i++) {
        weights[o * taps + i - i0] = (Math.min(b, i + 1) - Math.max(a, i)) * scale;
      }
    } else {
      const u = Math.min(inSize - 1, Math.max(0, (o + 0.5) / scale - 0.5));
      const i0 = Math.min(Math.floor(u), Math.max(0, inSize - 2));
      const f = u - i0;
      start[o] = i0;
      count[o] = inSize > 1 ? 2 : 1;
      weights[o * taps] = 1 - f;
      weights[o * taps + 1] = inSize > 1 ? f : 0;
    }
  }
  return { start, count, taps, weights };
}

/**
 * Scales the box of `ink` to `outW` x `outH`, stretches the result so its brightest pixel is
 * 255, and places it in the 28x28 `out` with an integer shift that brings the centre of mass to
 * (14, 14) as MNIST did (clamped so the glyph stays inside). Returns false when nothing is left.
 */
function scaleAndCentre(
  ws: Workspace,
  width: number,
  box: PixelBox,
  outW: number,
  outH: number,
  out: Uint8Array,
): boolean {
  const { ink } = ws;
  const wx = ws.axis(box.width, outW);
  const wy = ws.axis(box.height, outH);
  if (ws.tmp.length < box.height * outW) ws.tmp = new Float32Array(box.height * outW);
  const tmp = ws.tmp;
  for (let r = 0; r < box.height; r++) {
    const row = (box.y + r) * width + box.x;
    for (let o = 0; o < outW; o++) {
      const s = row + wx.start[o]!;
      const k0 = o * wx.taps;
      let sum = 0;
      for (let k = 0; k < wx.count[o]!; k++) sum += wx.weights[k0 + k]! * ink[s + k]!;
      tmp[r * outW + o] = sum;
    }
  }
  const scaled = ws.scaled;
  let max = 0;
  for (let o = 0; o < outH; o++) {
    const k0 = o * wy.taps;
    const s = wy.start[o]!;
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      for (let k = 0; k < wy.count[o]!; k++) sum += wy.weights[k0 + k]! * tmp[(s + k) * outW + x]!;
      scaled[o * outW + x] = sum;
      if (sum > max) max = sum;
    }
  }
  if (!(max > 0)) return false;

  const gain = 255 / max;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = Math.min(255, Math.round(scaled[y * outW + x]! * gain));
      scaled[y * outW + x] = v;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  if (mass === 0) return false;
  const left = Math.min(SIZE - outW, Math.max(0, Math.round(CENTRE - mx / mass)));
  const top = Math.min(SIZE - outH, Math.max(0, Math.round(CENTRE - my / mass)));
  for (let y = 0; y < outH; y++) {
    const o = (top + y) * SIZE + left;
    for (let x = 0; x < outW; x++) out[o + x] = scaled[y * outW + x]!;
  }
  return true;
}

/**
 * Brings an image of any size to the MNIST convention (docs/DESIGN.md §2):
 * 1. polarity from the border pixels: a border whose median is above mid-grey means dark ink on
 *    light paper, which is inverted;
 * 2. background removal: the border's median plus three robust deviations (1.4826 * MAD) is
 *    subtracted, so slightly grey or noisy paper becomes 0;
 * 3. the bounding box of the ink above `noiseThreshold` of the brightest ink, counting the
 *    largest blob, blobs of at least `minComponentMass` of it, and smaller blobs near the glyph
 *    (specks far away do not widen the box);
 * 4. the box is scaled so its longer side is `boxSize` (area averaging when shrinking, bilinear
 *    when enlarging; a 1-pixel-wide stroke stays 1 pixel wide), stretched so its brightest
 *    pixel is 255, and placed in 28x28 with an integer shift that puts the centre of mass at
 *    pixel (14, 14), the place MNIST puts it.
 *
 * An image with less contrast than `minContrast` comes back `empty` with all-zero pixels, and
 * so does ink whose box is more than 2 * `boxSize` times longer than it is thick (its shorter side
 * would scale below half a pixel: a 20000x1 strip is no character).
 *
 * @param options - see {@link NORMALIZE_DEFAULTS}
 * @throws HcrError BAD_IMAGE when the size is 0 or does not match the data length
 * @throws HcrError BAD_OPTION when an option is out of range
 * @example
 * const { pixels, empty } = normalizeToMnist({ width: 200, height: 150, data: gray });
 */
export function normalizeToMnist(image: GrayImage, options?: NormalizeOptions): NormalizedImage {
  checkGrayImage(image, 'normalizeToMnist');
  const o = resolveNormalizeOptions(options);
  const pixels = new Uint8Array(PIXELS);
  const ws = new Workspace();
  const paper = flattenLargeImage(image, o.polarity, o.flattenMinSide, ws);
  const result = normalizeInto(paper.image, { ...o, polarity: paper.polarity }, ws, pixels);
  return { ...result, inverted: paper.inverted ?? result.inverted, pixels };
}

/** The steps of {@link normalizeToMnist}, writing into `pixels` (which must be all 0). */
function normalizeInto(
  image: GrayImage,
  o: Required<NormalizeOptions>,
  ws: Workspace,
  pixels: Uint8Array,
): Omit<NormalizedImage, 'pixels'> {
  const { width: w, height: h } = image;
  const { inverted, max } = removeBackground(image, o.polarity, ws);
  const empty = { empty: true, inverted, box: EMPTY_BOX };
  if (max < o.minContrast || max <= 0) return empty;

  const threshold = Math.max(o.noiseThreshold * max, Number.MIN_VALUE);
  const found = glyphBox(findComponents(ws, w, h, threshold), o.minComponentMass, o.nearDistance);
  if (!found) return empty;
  const box: PixelBox = Object.freeze({
    x: found.x0,
    y: found.y0,
    width: found.x1 - found.x0 + 1,
    height: found.y1 - found.y0 + 1,
  });
  const side = Math.max(box.width, box.height);
  const outW = Math.round((box.width * o.boxSize) / side);
  const outH = Math.round((box.height * o.boxSize) / side);
  // Ink more than 2 * boxSize times longer than it is thick (a 20000x1 strip) has no second
  // dimension at the convention's scale: its shorter side scales below half a pixel. Given one
  // pixel, it would be a bar that a model reads as some letter at 20-30%; it is no character.
  if (outW < 1 || outH < 1) return empty;
  if (!scaleAndCentre(ws, w, box, outW, outH, pixels)) return empty;
  return { empty: false, inverted, box };
}

const MNIST_OPTIONS: Readonly<Required<NormalizeOptions>> = Object.freeze({
  ...NORMALIZE_DEFAULTS,
  polarity: 'light-on-dark',
});

/**
 * Re-normalizes a 28x28 image that is already bright ink on dark (EMNIST: its characters fill
 * the frame, a bounding box plus 2 px) to the MNIST form: the same steps as
 * {@link normalizeToMnist} with polarity `'light-on-dark'`, so training data and user input are
 * prepared identically. An empty image gives all zeros. For a whole dataset use
 * {@link normalizeMnistImages}, which reuses its scratch memory.
 *
 * @param pixels - 784 bytes (may be a view into a whole dataset)
 * @param out - where to write the 784 result bytes (may be `pixels` itself); default: a new array
 * @throws HcrError BAD_IMAGE when `pixels` or `out` does not hold 784 bytes
 * @example
 * const fixed = normalizeMnistImage(images.subarray(i * 784, (i + 1) * 784));
 */
export function normalizeMnistImage(
  pixels: Uint8Array,
  out: Uint8Array = new Uint8Array(PIXELS),
): Uint8Array {
  if (pixels.length !== PIXELS || out.length !== PIXELS) {
    throw new HcrError(
      'BAD_IMAGE',
      `normalizeMnistImage: expected ${PIXELS} bytes in and out, got ${pixels.length} and ${out.length}`,
    );
  }
  return normalizeMnistImages(pixels, 1, out);
}

/**
 * {@link normalizeMnistImage} for `count` consecutive 28x28 images, reusing scratch memory
 * (the fast path for loading a whole dataset). `out` may be `images` itself (in place).
 *
 * @param out - where to write `count` * 784 result bytes; default: a new array
 * @throws HcrError BAD_DATA when `images` or `out` does not hold `count` * 784 bytes
 * @example
 * const ready = normalizeMnistImages(transposeImages(raw, n), n);
 */
export function normalizeMnistImages(
  images: Uint8Array,
  count: number,
  out: Uint8Array = new Uint8Array(count * PIXELS),
): Uint8Array {
  const size = count * PIXELS;
  if (!Number.isInteger(count) || count < 0 || images.length !== size || out.length !== size) {
    throw new HcrError(
      'BAD_DATA',
      `normalizeMnistImages: expected ${count} * ${PIXELS} = ${size} bytes in and out, ` +
        `got ${images.length} and ${out.length}`,
    );
  }
  const ws = new Workspace();
  const pixels = new Uint8Array(PIXELS);
  for (let k = 0; k < count; k++) {
    const at = k * PIXELS;
    const image = {
      width: SIZE,
      height: SIZE,
      data: images.subarray(at, at + PIXELS),
    };
    pixels.fill(0);
    normalizeInto(image, MNIST_OPTIONS, ws, pixels);
    out.set(pixels, at);
  }
  return out;
}
