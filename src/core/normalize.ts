// The one image convention of docs/DESIGN.md §2: every image that reaches a model (training data,
// a file given to `predict`, an upload, a drawing) is brought to the MNIST form here:
// ink bright on dark, cropped to the ink, scaled to fit 20x20 keeping the aspect ratio,
// placed in 28x28 with the centre of mass at the centre. Also the small pixel helpers
// around it: colour to gray, EMNIST's transposition, re-normalizing a 28x28 image.

import { labelInk, type InkComponent } from './components.js';
import { HcrError } from './errors.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from './types.js';
import type { GrayImage } from './types.js';

/**
 * Version of the normalization below; a model's metadata records it, so a model is only used
 * with inputs prepared the way its training data was. Bump it whenever the output changes.
 */
export const NORMALIZATION_VERSION = 2;

/** Which way round ink and paper are. */
export type Polarity = 'auto' | 'dark-on-light' | 'light-on-dark';

/** Options of {@link normalizeToMnist}; every field is optional, defaults in {@link NORMALIZE_DEFAULTS}. */
export interface NormalizeOptions {
  /** Longer side of the scaled glyph in pixels, 1-28. Default: 20 (MNIST). */
  readonly boxSize?: number;
  /**
   * Pixels darker than this fraction of the brightest ink (after inversion and background
   * removal) do not count for the bounding box, 0-1. Default: 0.2.
   */
  readonly noiseThreshold?: number;
  /**
   * Least difference, in levels of 0-255, between the brightest ink and the background for an
   * image to hold anything; below it the image is empty. Default: 32.
   */
  readonly minContrast?: number;
  /**
   * A separate blob of ink with less than this fraction of the largest blob's ink counts for the
   * bounding box only when it is near the glyph (a speck far away is ignored), 0-1. Default: 0.25.
   */
  readonly minComponentMass?: number;
  /**
   * How near a light blob must be to count: its gap to the glyph's box at most this fraction of
   * the box's longer side. Default: 0.5.
   */
  readonly nearDistance?: number;
  /**
   * `'auto'` decides from the border pixels (a light border means dark ink on light paper, which
   * is inverted); the others force it. Default: `'auto'`.
   */
  readonly polarity?: Polarity;
  /**
   * Subtract a smooth estimate of the paper's brightness before anything else, for images whose
   * longer side is at least this many pixels (photos: shadows, uneven light); 0 turns it off.
   * Smaller images, such as 28x28 dataset images, are left as they are. Default: 56.
   */
  readonly flattenMinSide?: number;
}

/**
 * The defaults of {@link NormalizeOptions}, in one place for docs, `--help` and tests.
 *
 * @example
 * normalizeToMnist(image, { ...NORMALIZE_DEFAULTS, polarity: 'dark-on-light' });
 */
export const NORMALIZE_DEFAULTS: Readonly<Required<NormalizeOptions>> = Object.freeze({
  boxSize: 20,
  noiseThreshold: 0.2,
  minContrast: 32,
  minComponentMass: 0.25,
  nearDistance: 0.5,
  polarity: 'auto',
  flattenMinSide: 56,
});

/** A rectangle in pixels; `x`, `y` is its top-left pixel. */
export interface PixelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

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

function resolveOptions(options: NormalizeOptions | undefined): Required<NormalizeOptions> {
  const o = { ...NORMALIZE_DEFAULTS, ...options };
  const check = (ok: boolean, name: string, expected: string, value: unknown): void => {
    if (!ok) {
      throw new HcrError(
        'BAD_OPTION',
        `normalizeToMnist: expected ${name} ${expected}, got ${String(value)}`,
      );
    }
  };
  check(
    Number.isInteger(o.boxSize) && o.boxSize >= 1 && o.boxSize <= SIZE,
    'boxSize',
    `an integer 1-${SIZE}`,
    o.boxSize,
  );
  check(
    o.noiseThreshold >= 0 && o.noiseThreshold <= 1,
    'noiseThreshold',
    'in 0-1',
    o.noiseThreshold,
  );
  check(o.minContrast >= 0 && o.minContrast <= 255, 'minContrast', 'in 0-255', o.minContrast);
  check(
    o.minComponentMass >= 0 && o.minComponentMass <= 1,
    'minComponentMass',
    'in 0-1',
    o.minComponentMass,
  );
  check(o.nearDistance >= 0, 'nearDistance', '>= 0', o.nearDistance);
  check(
    Number.isInteger(o.flattenMinSide) && o.flattenMinSide >= 0,
    'flattenMinSide',
    'an integer >= 0 (0 = off)',
    o.flattenMinSide,
  );
  check(
    o.polarity === 'auto' || o.polarity === 'dark-on-light' || o.polarity === 'light-on-dark',
    'polarity',
    "'auto', 'dark-on-light' or 'light-on-dark'",
    o.polarity,
  );
  return o;
}

function checkImage(image: GrayImage, where: string): void {
  const { width, height, data } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    data.length !== width * height
  ) {
    throw new HcrError(
      'BAD_IMAGE',
      `${where}: expected an image of at least 1x1 with width*height bytes, ` +
        `got ${width}x${height} with ${data.length} bytes`,
    );
  }
}

/**
 * Scratch arrays reused across images of one batch, so that re-normalizing a whole dataset does
 * not allocate per image. Grown on demand; owned by one call, never shared between calls.
 */
class Workspace {
  ink = new Float32Array(0);
  labels = new Int32Array(0);
  stack = new Int32Array(0);
  tmp = new Float32Array(0);
  scaled = new Float32Array(PIXELS);
  readonly hist = new Uint32Array(256);
  readonly oriented = new Uint32Array(256);
  readonly deviations = new Uint32Array(256);
  readonly weights = new Map<number, AxisWeights>();

  reserve(pixels: number): void {
    if (this.ink.length < pixels) {
      this.ink = new Float32Array(pixels);
      this.labels = new Int32Array(pixels);
      this.stack = new Int32Array(pixels);
    }
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

/** Value at quantile `q` of a 256-bin histogram holding `total` values. */
function histogramQuantile(hist: Uint32Array, total: number, q: number): number {
  const rank = q * (total - 1);
  let seen = 0;
  for (let v = 0; v < hist.length; v++) {
    seen += hist[v]!;
    if (seen > rank) return v;
  }
  return hist.length - 1;
}

/** Histogram of the outermost rows and columns. */
function borderHistogram(image: GrayImage, hist: Uint32Array): number {
  const { width: w, height: h, data } = image;
  hist.fill(0);
  let total = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (y === 0 || y === h - 1) {
      for (let x = 0; x < w; x++) hist[data[row + x]!]!++;
      total += w;
    } else {
      hist[data[row]!]!++;
      total++;
      if (w > 1) {
        hist[data[row + w - 1]!]!++;
        total++;
      }
    }
  }
  return total;
}

/**
 * The median gray level of the outermost rows and columns: the paper's level, the statistic
 * that decides polarity here and on the page.
 *
 * @example
 * borderMedian({ width: 3, height: 3, data: new Uint8Array([250, 250, 250, 250, 0, 250, 250, 250, 250]) }); // 250
 */
export function borderMedian(image: GrayImage): number {
  const hist = new Uint32Array(256);
  return histogramQuantile(hist, borderHistogram(image, hist), 0.5);
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
  checkImage(image, 'normalizeToMnist');
  const o = resolveOptions(options);
  const pixels = new Uint8Array(PIXELS);
  const ws = new Workspace();
  if (o.flattenMinSide > 0 && Math.max(image.width, image.height) >= o.flattenMinSide) {
    const { flattened, inverted } = flattenBackground(image, o.polarity, ws);
    const result = normalizeInto(flattened, { ...o, polarity: 'light-on-dark' }, ws, pixels);
    return { ...result, inverted, pixels };
  }
  return { ...normalizeInto(image, o, ws, pixels), pixels };
}

/** Whether ink is dark on light paper: from the border's median unless `polarity` says. */
function isDarkOnLight(image: GrayImage, polarity: Polarity, ws: Workspace): boolean {
  if (polarity !== 'auto') return polarity === 'dark-on-light';
  const total = borderHistogram(image, ws.hist);
  return histogramQuantile(ws.hist, total, 0.5) > 127;
}

/** Cells across the longer side of the grid on which the paper's brightness is estimated. */
const FLATTEN_CELLS = 24;

/**
 * The image with ink bright on dark and the paper's local brightness subtracted: the paper
 * level of each cell of a coarse grid is a low quantile of its pixels, a 3x3 minimum over the
 * cells fills cells that a thick stroke covers, a 3x3 mean smooths it, and it is interpolated
 * bilinearly back to every pixel. Shadows and uneven light then no longer look like ink.
 */
function flattenBackground(
  image: GrayImage,
  polarity: Polarity,
  ws: Workspace,
): { flattened: GrayImage; inverted: boolean } {
  const { width: w, height: h, data } = image;
  const inverted = isDarkOnLight(image, polarity, ws);
  const cell = Math.max(2, Math.ceil(Math.max(w, h) / FLATTEN_CELLS));
  const gw = Math.ceil(w / cell);
  const gh = Math.ceil(h / cell);
  const level = new Float32Array(gw * gh);
  const hist = ws.oriented;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      hist.fill(0);
      let count = 0;
      for (let y = gy * cell; y < Math.min(h, (gy + 1) * cell); y++) {
        for (let x = gx * cell; x < Math.min(w, (gx + 1) * cell); x++) {
          const v = data[y * w + x]!;
          hist[inverted ? 255 - v : v]!++;
          count++;
        }
      }
      level[gy * gw + gx] = histogramQuantile(hist, count, 0.1);
    }
  }
  const filter = (src: Float32Array, reduce: 'min' | 'mean'): Float32Array => {
    const dst = new Float32Array(src.length);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        let acc = reduce === 'min' ? Infinity : 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const x = gx + dx;
            const y = gy + dy;
            if (x < 0 || y < 0 || x >= gw || y >= gh) continue;
            const v = src[y * gw + x]!;
            acc = reduce === 'min' ? Math.min(acc, v) : acc + v;
            n++;
          }
        }
        dst[gy * gw + gx] = reduce === 'min' ? acc : acc / n;
      }
    }
    return dst;
  };
  const paper = filter(filter(level, 'min'), 'mean');
  // Bilinear interpolation of the paper level: each grid row interpolated across the image's
  // width once, then every pixel between the two grid rows around it.
  const across = new Float64Array(gh * w);
  for (let x = 0; x < w; x++) {
    const fx = Math.min(Math.max((x + 0.5) / cell - 0.5, 0), gw - 1);
    const x0 = Math.floor(fx);
    const x1 = Math.min(x0 + 1, gw - 1);
    const tx = fx - x0;
    for (let gy = 0; gy < gh; gy++) {
      across[gy * w + x] = paper[gy * gw + x0]! * (1 - tx) + paper[gy * gw + x1]! * tx;
    }
  }
  const sign = inverted ? -1 : 1;
  const offset = inverted ? 255 : 0;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) / cell - 0.5, 0), gh - 1);
    const top = Math.floor(fy) * w;
    const bottom = Math.min(Math.floor(fy) + 1, gh - 1) * w;
    const ty = fy - Math.floor(fy);
    for (let x = 0, at = y * w; x < w; x++, at++) {
      const ink =
        sign * data[at]! + offset - (across[top + x]! * (1 - ty) + across[bottom + x]! * ty);
      out[at] = ink > 0 ? Math.min(255, Math.round(ink)) : 0;
    }
  }
  return { flattened: { width: w, height: h, data: out }, inverted };
}

/**
 * Steps 1-2 of {@link normalizeToMnist} into `ws.ink`: polarity from the border (unless forced)
 * and the border's median plus three robust deviations subtracted, so paper becomes 0.
 */
function removeBackground(
  image: GrayImage,
  polarity: Polarity,
  ws: Workspace,
): { inverted: boolean; max: number } {
  const { width: w, height: h, data } = image;
  const n = w * h;
  ws.reserve(n);

  const { hist, oriented, deviations } = ws;
  const total = borderHistogram(image, hist);
  const median = histogramQuantile(hist, total, 0.5);
  const inverted = polarity === 'auto' ? median > 127 : polarity === 'dark-on-light';
  for (let v = 0; v < 256; v++) oriented[inverted ? 255 - v : v] = hist[v]!;
  const level = histogramQuantile(oriented, total, 0.5);
  deviations.fill(0);
  for (let v = 0; v < 256; v++) deviations[Math.abs(v - level)]! += oriented[v]!;
  const mad = histogramQuantile(deviations, total, 0.5);
  const background = Math.min(255, level + 3 * 1.4826 * mad);

  const ink = ws.ink;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = (inverted ? 255 - data[i]! : data[i]!) - background;
    ink[i] = v > 0 ? v : 0;
    if (v > max) max = v;
  }
  return { inverted, max };
}

/** The result of {@link extractInk}: ink bright (up to 255) on a background of 0. */
export interface InkImage extends GrayImage {
  readonly data: Uint8Array;
  /** True when the input was dark ink on light paper and was inverted. */
  readonly inverted: boolean;
  /** The brightest ink level (0 when the image holds nothing at all). */
  readonly max: number;
}

/**
 * The first steps of {@link normalizeToMnist} on their own, for work on a whole page (reading a
 * line of characters): the paper's brightness flattened when the image is photo-sized
 * (`flattenMinSide`), polarity decided from the border (or forced), and the background level
 * subtracted, so paper is 0 and ink is bright. Nothing is cropped or scaled. A glyph cut out of
 * the result and given to `normalizeToMnist` with polarity `'light-on-dark'` and
 * `flattenMinSide: 0` is prepared exactly as the convention says.
 *
 * @param options - only `polarity` and `flattenMinSide` apply; see {@link NORMALIZE_DEFAULTS}
 * @throws HcrError BAD_IMAGE when the size is 0 or does not match the data length
 * @example
 * const ink = extractInk(photo); // ink.data[y * ink.width + x]: 0 = paper
 */
export function extractInk(image: GrayImage, options?: NormalizeOptions): InkImage {
  checkImage(image, 'extractInk');
  const o = resolveOptions(options);
  const ws = new Workspace();
  let source = image;
  let polarity = o.polarity;
  let flattenedInverted: boolean | undefined;
  if (o.flattenMinSide > 0 && Math.max(image.width, image.height) >= o.flattenMinSide) {
    const { flattened, inverted } = flattenBackground(image, o.polarity, ws);
    source = flattened;
    polarity = 'light-on-dark';
    flattenedInverted = inverted;
  }
  const { inverted, max } = removeBackground(source, polarity, ws);
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  const ink = ws.ink;
  for (let i = 0; i < n; i++) data[i] = Math.min(255, Math.round(ink[i]!));
  return {
    width: image.width,
    height: image.height,
    data,
    inverted: flattenedInverted ?? inverted,
    max: Math.min(255, max),
  };
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

/**
 * Converts interleaved 1-4 channel pixels (gray, gray+alpha, RGB, RGBA) to gray with the Rec.
 * 601 luminance 0.299 R + 0.587 G + 0.114 B. Transparency is composited onto a backdrop that
 * contrasts with the visible pixels: onto white when they are dark on average (black strokes on
 * a transparent canvas), onto black when they are light (white strokes), so a transparent PNG
 * keeps its ink either way.
 *
 * @param channels - 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
 * @throws HcrError BAD_IMAGE when the data length is not width*height*channels
 * @example
 * const gray = rgbaToGray(imageData.data, imageData.width, imageData.height, 4);
 */
export function rgbaToGray(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
): GrayImage {
  const n = width * height;
  if (
    ![1, 2, 3, 4].includes(channels) ||
    !Number.isInteger(n) ||
    width < 1 ||
    height < 1 ||
    data.length !== n * channels
  ) {
    throw new HcrError(
      'BAD_IMAGE',
      `rgbaToGray: expected ${width}x${height}x${channels} = ${n * channels} bytes, got ${data.length}`,
    );
  }
  const gray = new Uint8Array(n);
  if (channels === 1) {
    gray.set(data);
    return { width, height, data: gray };
  }
  const hasAlpha = channels === 2 || channels === 4;
  const lum = new Float32Array(n);
  let visible = 0;
  let visibleLum = 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const l =
      channels <= 2 ? data[p]! : 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
    lum[i] = l;
    if (hasAlpha) {
      const a = data[p + channels - 1]! / 255;
      visible += a;
      visibleLum += a * l;
    }
  }
  const backdrop = hasAlpha && visible > 0 && visibleLum / visible > 127.5 ? 0 : 255;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const a = hasAlpha ? data[p + channels - 1]! / 255 : 1;
    gray[i] = Math.round(lum[i]! * a + backdrop * (1 - a));
  }
  return { width, height, data: gray };
}

/**
 * Transposes each 28x28 image (EMNIST stores its images transposed); returns a new array.
 *
 * @throws HcrError BAD_DATA when `images` does not hold `count` * 784 bytes
 * @example
 * const fixed = transposeImages(emnistImages, emnistImages.length / 784);
 */
export function transposeImages(images: Uint8Array, count: number): Uint8Array {
  if (!Number.isInteger(count) || count < 0 || images.length !== count * PIXELS) {
    throw new HcrError(
      'BAD_DATA',
      `transposeImages: expected ${count} * ${PIXELS} bytes, got ${images.length}`,
    );
  }
  const out = new Uint8Array(images.length);
  for (let k = 0; k < count; k++) {
    const base = k * PIXELS;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        out[base + x * SIZE + y] = images[base + y * SIZE + x]!;
      }
    }
  }
  return out;
}
