// The benchmark set of `npm run bench:read`: images of lines of handwriting composed from
// held-out TEST images only (never training images), with the text they show. Lines of 3-12
// characters (letter words, digit numbers, and codes that mix a letter run and a digit run),
// random spacing including touching and overlapping neighbours, baseline jitter and a slight
// slope, size variation, some images with two lines; dark ink on light paper with a lighting
// gradient, noise and specks. Deterministic for a seed.

import { createRandom } from '../src/core/random.js';
import { letterShape } from '../src/core/read/case.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../src/core/types.js';
import type { PixelBox } from '../src/core/normalize.js';
import type { Dataset, GrayImage } from '../src/core/types.js';

// The scoring distance is core's (the one the lexicon uses), re-exported for bench:read.

/** Options of {@link buildReadSet}; every field optional. */
export interface ReadSetOptions {
  /** Images to make. Default: 400. */
  readonly count?: number;
  /** Seed of every random choice. Default: 1. */
  readonly seed?: number;
  /** Share of images with two lines. Default: 0.2. */
  readonly twoLineShare?: number;
  /** Characters per line, inclusive range. Default: [3, 12]. */
  readonly lineLength?: readonly [number, number];
  /** Words per line: 1 unless the line is long enough for more. Default: true (spaces occur). */
  readonly spaces?: boolean;
  /**
   * The words of each line, instead of random letters, digits and codes (`lineLength` and
   * `spaces` are then unused). Default: none.
   */
  readonly words?: (rand: () => number) => string[];
  /**
   * Gap between the letters of a word, as a range of fractions of the line's height, instead
   * of the usual mix (60% apart, 20% touching, 20% overlapping): e.g. [0.7, 1.1] for
   * letter-spaced writing (`D O G`). Default: none.
   */
  readonly letterSpacing?: readonly [number, number];
  /**
   * Where each character's image comes from, instead of the test images: e.g. glyphs rendered
   * from held-out font families (bench/read-fonts.ts). Default: none (the test images).
   */
  readonly glyphs?: GlyphSource;
}

/** A character's image, cropped to its ink (0-1, ink bright), and what it was drawn from. */
export interface Glyph {
  readonly w: number;
  readonly h: number;
  readonly ink: Float32Array;
  readonly source: { readonly set: string; readonly index: number };
}

/** Draws one image of a class. */
export type GlyphSource = (rand: () => number, label: string) => Glyph;

/** Defaults of {@link ReadSetOptions}. */
export const READ_SET_DEFAULTS = Object.freeze({
  count: 400,
  seed: 1,
  twoLineShare: 0.2,
  lineLength: Object.freeze([3, 12]) as readonly [number, number],
  spaces: true,
  words: undefined as ReadSetOptions['words'],
  letterSpacing: undefined as ReadSetOptions['letterSpacing'],
  glyphs: undefined as ReadSetOptions['glyphs'],
});

/** One benchmark image and what it says. */
export interface ReadSample {
  readonly image: GrayImage;
  /** The lines' texts joined by '\n'; words separated by one space. */
  readonly text: string;
  /** Which test image each character is, in reading order (spaces left out). */
  readonly sources: readonly { readonly set: string; readonly index: number }[];
  /** Where each character was drawn, in reading order (spaces left out). */
  readonly boxes: readonly PixelBox[];
}

type Random = () => number;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const DIGITS = '0123456789'.split('');

/** Test images grouped by class name: where each image of a class can be found. */
interface Pool {
  readonly byClass: Map<string, { set: Dataset; index: number }[]>;
}

function buildPool(tests: readonly Dataset[]): Pool {
  const byClass = new Map<string, { set: Dataset; index: number }[]>();
  for (const set of tests) {
    for (let i = 0; i < set.labels.length; i++) {
      const label = set.labelSet.classes[set.labels[i]!]!;
      const list = byClass.get(label) ?? [];
      list.push({ set, index: i });
      byClass.set(label, list);
    }
  }
  return { byClass };
}

function pick<T>(rand: Random, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function between(rand: Random, a: number, b: number): number {
  return a + (b - a) * rand();
}

function gaussian(rand: Random): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** The words of one line: letter words, digit numbers, or codes (a letter run and a digit run). */
function lineText(rand: Random, length: number, spaces: boolean): string[] {
  const style = rand();
  const words: number[] = [];
  let left = length;
  const wordCount = !spaces
    ? 1
    : length >= 8 && rand() < 0.2
      ? 3
      : length >= 5 && rand() < 0.4
        ? 2
        : 1;
  for (let w = wordCount; w > 1; w--) {
    const size = Math.max(2, Math.round(left / w + between(rand, -1, 1)));
    words.push(Math.min(size, left - 2 * (w - 1)));
    left -= words.at(-1)!;
  }
  words.push(left);
  return words.map((size) => {
    const kind =
      style < 0.35
        ? 'letters'
        : style < 0.65
          ? 'digits'
          : pick(rand, ['letters', 'digits', 'code'] as const);
    if (kind === 'code' && size >= 4) {
      const split = 2 + Math.floor(rand() * (size - 3));
      const a = Array.from({ length: split }, () => pick(rand, LETTERS)).join('');
      const b = Array.from({ length: size - split }, () => pick(rand, DIGITS)).join('');
      return rand() < 0.5 ? a + b : b + a;
    }
    const alphabet = kind === 'digits' ? DIGITS : LETTERS;
    return Array.from({ length: size }, () => pick(rand, alphabet)).join('');
  });
}

/**
 * An image's ink, cropped to where it is brighter than 40 with one pixel of its faint edge kept,
 * as 0-1 values; undefined when there is no ink.
 *
 * @example
 * cropInk(28, 28, dataset.images.subarray(i * 784, (i + 1) * 784)); // { w: 14, h: 20, ink }
 */
export function cropInk(
  width: number,
  height: number,
  data: ArrayLike<number>,
): { w: number; h: number; ink: Float32Array } | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! > 40) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  x0 = Math.max(0, x0 - 1);
  y0 = Math.max(0, y0 - 1);
  x1 = Math.min(width - 1, x1 + 1);
  y1 = Math.min(height - 1, y1 + 1);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const ink = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) ink[y * w + x] = data[(y0 + y) * width + x0 + x]! / 255;
  }
  return { w, h, ink };
}

/** A test image of a class, cropped to its ink: width, height and ink 0-1. */
function glyph(rand: Random, pool: Pool, label: string): Glyph {
  const list = pool.byClass.get(label);
  if (!list || list.length === 0) throw new Error(`no test image of class ${label}`);
  const { set, index } = pick(rand, list);
  const base = index * IMAGE_PIXELS;
  const cropped = cropInk(IMAGE_SIZE, IMAGE_SIZE, set.images.subarray(base, base + IMAGE_PIXELS));
  if (!cropped) throw new Error(`${set.name} image ${index} (${label}) has no ink`);
  return { ...cropped, source: { set: set.name, index } };
}

/** Draws `g` scaled by `s` with its top-left at (left, top) into `canvas` (ink combined by max). */
function drawGlyph(
  canvas: Float32Array,
  cw: number,
  ch: number,
  g: { w: number; h: number; ink: Float32Array },
  s: number,
  left: number,
  top: number,
): void {
  const ow = Math.max(1, Math.round(g.w * s));
  const oh = Math.max(1, Math.round(g.h * s));
  for (let y = 0; y < oh; y++) {
    const cy = Math.round(top) + y;
    if (cy < 0 || cy >= ch) continue;
    const v = Math.min(g.h - 1, Math.max(0, (y + 0.5) / s - 0.5));
    const v0 = Math.floor(v);
    const v1 = Math.min(g.h - 1, v0 + 1);
    const fv = v - v0;
    for (let x = 0; x < ow; x++) {
      const cx = Math.round(left) + x;
      if (cx < 0 || cx >= cw) continue;
      const u = Math.min(g.w - 1, Math.max(0, (x + 0.5) / s - 0.5));
      const u0 = Math.floor(u);
      const u1 = Math.min(g.w - 1, u0 + 1);
      const fu = u - u0;
      const value =
        (g.ink[v0 * g.w + u0]! * (1 - fu) + g.ink[v0 * g.w + u1]! * fu) * (1 - fv) +
        (g.ink[v1 * g.w + u0]! * (1 - fu) + g.ink[v1 * g.w + u1]! * fu) * fv;
      const at = cy * cw + cx;
      if (value > canvas[at]!) canvas[at] = value;
    }
  }
}

interface PlacedGlyph {
  g: { w: number; h: number; ink: Float32Array };
  s: number;
  left: number;
  top: number;
}

/** Lays out the words of one line from x = 0 along a baseline at y = 0 (tops are negative). */
function layLine(
  rand: Random,
  glyphOf: GlyphSource,
  words: readonly string[],
  height: number,
  sources: { set: string; index: number }[],
  letterSpacing?: readonly [number, number],
): { glyphs: PlacedGlyph[]; width: number; top: number; bottom: number } {
  const slope = Math.tan((between(rand, -3, 3) * Math.PI) / 180);
  const glyphs: PlacedGlyph[] = [];
  let x = 0;
  // The line's x-height and descent, as fractions of its cap height (drawn at its first lowercase letter).
  let xRatio: number | undefined;
  let descent: number | undefined;
  words.forEach((word, w) => {
    // Letter-spaced words are set apart by three times their letters' spacing.
    if (w > 0) {
      x += letterSpacing
        ? 3 * between(rand, letterSpacing[0], letterSpacing[1]) * height
        : between(rand, 0.9, 1.5) * height;
    }
    let previousWidth = 0;
    [...word].forEach((label, k) => {
      const g = glyphOf(rand, label);
      sources.push(g.source);
      // Lowercase letters stand on the line as handwriting does: x-high, or from the x-height
      // down past the baseline (g p q y j), or in between (i t). Drawn only for a line with
      // lowercase, so that lines of capitals and digits are what they always were.
      const shape = label === label.toUpperCase() ? undefined : letterShape(label);
      if (shape && xRatio === undefined) {
        xRatio = between(rand, 0.55, 0.7);
        descent = between(rand, 0.25, 0.4);
      }
      const tallness = !shape
        ? 1
        : shape.top === 'short'
          ? xRatio!
          : shape.top === 'any'
            ? (1 + xRatio!) / 2
            : 1;
      const drop = shape?.foot === 'descends' ? descent! : 0;
      const target = height * (tallness + drop) * between(rand, 0.85, 1.15);
      const s = Math.min(target / g.h, (1.25 * height) / g.w);
      if (k > 0 && letterSpacing) {
        x += between(rand, letterSpacing[0], letterSpacing[1]) * height;
      } else if (k > 0) {
        // 60% apart, 20% touching or nearly, 20% overlapping by 5-30% of the narrower glyph.
        const r = rand();
        const narrower = Math.min(previousWidth, g.w * s);
        x +=
          r < 0.6
            ? between(rand, 0.1, 0.4) * height
            : r < 0.8
              ? between(rand, -0.05, 0.03) * height
              : -between(rand, 0.05, 0.3) * narrower;
      }
      previousWidth = g.w * s;
      const baseline = x * slope + gaussian(rand) * 0.05 * height + drop * height;
      glyphs.push({ g, s, left: x, top: baseline - g.h * s });
      x += g.w * s;
    });
  });
  const top = Math.min(...glyphs.map((p) => p.top));
  const bottom = Math.max(...glyphs.map((p) => p.top + p.g.h * p.s));
  return { glyphs, width: x, top, bottom };
}

/** Dark ink on light paper: paper level with a gradient, ink level, Gaussian noise and specks. */
function renderPaper(rand: Random, ink: Float32Array, width: number, height: number): Uint8Array {
  const paper = between(rand, 195, 245);
  const gx = between(rand, -20, 20) / width;
  const gy = between(rand, -20, 20) / height;
  const inkLevel = between(rand, 10, 90);
  const sigma = between(rand, 2, 10);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = paper + gx * (x - width / 2) + gy * (y - height / 2);
      const a = ink[y * width + x]!;
      const v = p * (1 - a) + inkLevel * a + gaussian(rand) * sigma;
      out[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const specks = Math.floor(rand() * 7);
  for (let k = 0; k < specks; k++) {
    const cx = rand() * width;
    const cy = rand() * height;
    const r = between(rand, 0.5, 1.6);
    const level = between(rand, inkLevel, paper - 40);
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) out[y * width + x] = Math.round(level);
      }
    }
  }
  return out;
}

/**
 * Builds the benchmark images from held-out test sets (`tests`, e.g. `planData(...).tests`):
 * each character is a class drawn uniformly from the letters or digits its word needs, then a
 * test image of that class drawn uniformly from all `tests`.
 *
 * @param tests - held-out test sets only; their label sets must name classes 0-9 and A-Z
 * @example
 * const samples = buildReadSet(plan.tests, { count: 400, seed: 1 });
 * samples[0].text; // e.g. 'KX 2071'
 */
export function buildReadSet(
  tests: readonly Dataset[],
  options: ReadSetOptions = {},
): ReadSample[] {
  const o = { ...READ_SET_DEFAULTS, ...options };
  const rand = createRandom(o.seed);
  const pool = o.glyphs ? undefined : buildPool(tests);
  const glyphOf: GlyphSource = o.glyphs ?? ((r, label) => glyph(r, pool!, label));
  const samples: ReadSample[] = [];
  for (let n = 0; n < o.count; n++) {
    const height = Math.round(between(rand, 28, 60));
    const lineCount = rand() < o.twoLineShare ? 2 : 1;
    const sources: { set: string; index: number }[] = [];
    const laid = Array.from({ length: lineCount }, () => {
      const length = o.lineLength[0] + Math.floor(rand() * (o.lineLength[1] - o.lineLength[0] + 1));
      const words = o.words ? o.words(rand) : lineText(rand, length, o.spaces);
      return { words, ...layLine(rand, glyphOf, words, height, sources, o.letterSpacing) };
    });
    const margin = Math.round(between(rand, 0.4, 1) * height);
    const width = Math.ceil(Math.max(...laid.map((l) => l.width)) + 2 * margin);
    const offsets: number[] = [];
    let y = margin;
    laid.forEach((line, i) => {
      if (i > 0) y += between(rand, 0.35, 0.8) * height;
      offsets.push(y - line.top);
      y += line.bottom - line.top;
    });
    const canvasHeight = Math.ceil(y + margin);
    const canvas = new Float32Array(width * canvasHeight);
    const boxes: PixelBox[] = [];
    laid.forEach((line, i) => {
      for (const p of line.glyphs) {
        drawGlyph(canvas, width, canvasHeight, p.g, p.s, margin + p.left, offsets[i]! + p.top);
        boxes.push({
          x: Math.round(margin + p.left),
          y: Math.round(offsets[i]! + p.top),
          width: Math.max(1, Math.round(p.g.w * p.s)),
          height: Math.max(1, Math.round(p.g.h * p.s)),
        });
      }
    });
    samples.push({
      image: { width, height: canvasHeight, data: renderPaper(rand, canvas, width, canvasHeight) },
      text: laid.map((l) => l.words.join(' ')).join('\n'),
      sources,
      boxes,
    });
  }
  return samples;
}
