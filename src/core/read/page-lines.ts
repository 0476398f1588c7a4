// The lines of a page of handwriting, before anything is cut: ink from the image convention
// (paper removed), connected components, noise left out, the slant at which the horizontal
// projection is sharpest, and the components grouped into lines by that projection. Both readers
// start here: the glyph reader cuts the lines into characters (segment.ts), the line reader
// takes each line whole (segment-lines.ts).

import { labelInk } from '../components.js';
import { HcrError } from '../errors.js';
import { extractInk } from '../extract-ink.js';
import type { InkImage } from '../extract-ink.js';
import type { GrayImage } from '../types.js';
import type { ResolvedReadOptions } from './options.js';

/** Components shorter than this fraction of the page's character height never form a line. */
const NOISE_SIZE = 0.15;
/** A thin component this many character heights wide is a ruled line or underline. */
export const RULE_WIDTH = 2;
/** Slant search step, in degrees. */
const SLANT_STEP = 0.5;

/** A connected component of ink (8-neighbour) at or above the ink threshold. */
export interface Component {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Its pixel indices are `order[start .. start + count)`. */
  readonly start: number;
  readonly count: number;
  readonly mass: number;
  readonly cx: number;
  readonly cy: number;
}

/** What a segmentation says of its page, whichever reader it is for. */
export interface PageSegmentation {
  /** `blank`: no ink at all; `no-characters`: ink, but nothing shaped like a character. */
  readonly status: 'ok' | 'blank' | 'no-characters';
  readonly width: number;
  readonly height: number;
  /** True when the image was dark ink on light paper. */
  readonly inverted: boolean;
  /** The slant of the lines found, in degrees (positive: rising to the right). */
  readonly slant: number;
  /**
   * Components dropped as specks, rules or noise (and, for the line reader, lines without a
   * character-tall component).
   */
  readonly specks: number;
}

/** The ink threshold of the image and its components, with pixel lists in one array. */
export interface Labelled {
  readonly labels: Int32Array;
  readonly order: Int32Array;
  readonly components: Component[];
}

function labelComponents(ink: InkImage, threshold: number): Labelled {
  const { width: w, height: h, data } = ink;
  const n = w * h;
  const labels = new Int32Array(n);
  const raw = labelInk(data, w, h, threshold, labels, new Int32Array(n));
  // Pixel lists in raster order, one contiguous range per component.
  const starts = new Int32Array(raw.length + 1);
  for (let k = 0; k < raw.length; k++) starts[k + 1] = starts[k]! + raw[k]!.count;
  const fill = starts.slice(0, raw.length);
  const order = new Int32Array(starts[raw.length]!);
  for (let p = 0; p < n; p++) {
    const id = labels[p]!;
    if (id > 0) order[fill[id - 1]!++] = p;
  }
  const components = raw.map((c, k) => ({
    x0: c.x0,
    y0: c.y0,
    x1: c.x1,
    y1: c.y1,
    start: starts[k]!,
    count: c.count,
    mass: c.mass,
    cx: c.sx / c.mass,
    cy: c.sy / c.mass,
  }));
  return { labels, order, components };
}

/**
 * The upper median: of two middle values the larger, so that a broken piece never wins a tie
 * against a whole character's height.
 *
 * @example
 * upperMedian([23, 44]); // 44
 */
export function upperMedian(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Typical character height: the (upper) median height of the taller components. */
export function typicalHeight(components: readonly Component[]): number {
  const heights = components.map((c) => c.y1 - c.y0 + 1);
  const tallest = Math.max(0, ...heights);
  return upperMedian(heights.filter((hh) => hh >= 0.5 * tallest));
}

/**
 * The slant (tangent) at which the horizontal projection of the ink is sharpest: lines of
 * writing that rise or fall slightly still give one narrow peak each.
 */
function estimateSlant(
  lab: Labelled,
  components: readonly Component[],
  width: number,
  height: number,
  maxSlant: number,
): number {
  let total = 0;
  for (const c of components) total += c.count;
  const stride = Math.max(1, Math.floor(total / 4000));
  const xs = new Float64Array(Math.ceil(total / stride) + components.length);
  const ys = new Float64Array(xs.length);
  let n = 0;
  for (const c of components) {
    for (let k = c.start; k < c.start + c.count; k += stride) {
      const p = lab.order[k]!;
      const y = (p / width) | 0;
      xs[n] = p - y * width - width / 2;
      ys[n++] = y;
    }
  }
  const reach = Math.ceil((width / 2) * Math.tan((maxSlant * Math.PI) / 180)) + 1;
  const bins = new Float64Array(height + 2 * reach + 1);
  const sharpness = (degrees: number): number => {
    const t = Math.tan((degrees * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < n; i++) bins[Math.round(ys[i]! - t * xs[i]!) + reach]! += 1;
    let score = 0;
    for (let b = 0; b < bins.length; b++) score += bins[b]! * bins[b]!;
    return score;
  };
  // Coarse steps, then fine ones around the best; from 0 outwards so that ties keep 0.
  let best = 0;
  let bestScore = sharpness(0);
  const search = (centre: number, step: number, count: number) => {
    const from = best;
    for (let k = 1; k <= count; k++) {
      for (const degrees of [centre + k * step, centre - k * step]) {
        if (Math.abs(degrees) > maxSlant || degrees === from) continue;
        const score = sharpness(degrees);
        if (score > bestScore * 1.02) {
          bestScore = score;
          best = degrees;
        }
      }
    }
  };
  search(0, SLANT_STEP * 4, Math.floor(maxSlant / (SLANT_STEP * 4)));
  search(best, SLANT_STEP, 3);
  return Math.tan((best * Math.PI) / 180);
}

/**
 * Groups components into lines: the horizontal projection (at slant `t`) of the components'
 * boxes splits into bands separated by empty rows; a band of only short components (a broken
 * piece above or below its line) joins the nearest band.
 */
function findLines(
  components: readonly Component[],
  width: number,
  t: number,
  charHeight: number,
): Component[][] {
  const shift = (c: Component) => -t * (c.cx - width / 2);
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of components) {
    lo = Math.min(lo, Math.floor(c.y0 + shift(c)));
    hi = Math.max(hi, Math.ceil(c.y1 + shift(c)));
  }
  const rows = hi - lo + 1;
  const profile = new Float64Array(rows);
  for (const c of components) {
    const a = Math.floor(c.y0 + shift(c)) - lo;
    const b = Math.ceil(c.y1 + shift(c)) - lo;
    const weight = c.count / (b - a + 1);
    for (let y = a; y <= b; y++) profile[y]! += weight;
  }
  const bands: { a: number; b: number; members: Component[]; tallest: number }[] = [];
  for (let y = 0; y < rows; y++) {
    if (profile[y]! <= 0) continue;
    const last = bands.at(-1);
    if (last && y - last.b <= 1) last.b = y;
    else bands.push({ a: y, b: y, members: [], tallest: 0 });
  }
  const bandOf = (c: Component): number => {
    const y = c.cy + shift(c) - lo;
    let best = 0;
    let bestDistance = Infinity;
    bands.forEach((band, i) => {
      const d = y < band.a ? band.a - y : y > band.b ? y - band.b : 0;
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    });
    return best;
  };
  for (const c of components) {
    const band = bands[bandOf(c)]!;
    band.members.push(c);
    band.tallest = Math.max(band.tallest, c.y1 - c.y0 + 1);
  }
  // A band of short pieces belongs to the nearest band of full-height characters.
  const full = bands.filter((b) => b.tallest >= 0.5 * charHeight);
  if (full.length === 0) return bands.map((b) => b.members);
  for (const band of bands) {
    if (band.tallest >= 0.5 * charHeight) continue;
    const centre = (band.a + band.b) / 2;
    let nearest = full[0]!;
    for (const f of full) {
      const d = Math.max(0, f.a - centre, centre - f.b);
      if (d < Math.max(0, nearest.a - centre, centre - nearest.b)) nearest = f;
    }
    nearest.members.push(...band.members);
  }
  return full.map((b) => b.members);
}

/** The lines of a page, before anything is cut: what both readers start from. */
export interface PageLines {
  readonly status: 'ok' | 'blank' | 'no-characters';
  readonly ink: InkImage;
  readonly lab: Labelled;
  /** Components left out as noise (too small for the page's writing). */
  readonly noise: readonly Component[];
  readonly specks: number;
  /** The slant's tangent. */
  readonly t: number;
  readonly pageHeight: number;
  /** The lines' components, top to bottom. */
  readonly groups: readonly Component[][];
}

/**
 * Ink, components, slant and lines of a page (the shared start of `segmentImage` and
 * `segmentLines`).
 */
export function findPageLines(image: GrayImage, options: ResolvedReadOptions): PageLines {
  const { width, height } = image;
  if (width * height > options.maxPixels) {
    throw new HcrError(
      'BAD_IMAGE',
      `read: ${width}x${height} = ${width * height} px exceeds the limit of ${options.maxPixels}`,
    );
  }
  const ink = extractInk(image, { polarity: options.polarity });
  const none = { t: 0, pageHeight: 0, groups: [], noise: [] };
  const emptyLab: Labelled = {
    labels: new Int32Array(0),
    order: new Int32Array(0),
    components: [],
  };
  if (ink.max < 32) return { status: 'blank', ink, lab: emptyLab, specks: 0, ...none };
  const lab = labelComponents(ink, Math.max(1, options.inkThreshold * ink.max));
  const characterLike = lab.components.filter((c) => c.y1 - c.y0 + 1 >= options.minCharHeight);
  if (characterLike.length === 0) {
    return { status: 'no-characters', ink, lab, specks: lab.components.length, ...none };
  }
  const pageHeight = typicalHeight(characterLike);
  const isKept = (c: Component) =>
    Math.max(c.x1 - c.x0 + 1, c.y1 - c.y0 + 1) >= NOISE_SIZE * pageHeight;
  const kept = lab.components.filter(isKept);
  const noise = lab.components.filter((c) => !isKept(c));
  const t = estimateSlant(lab, kept, width, height, options.maxSlant);
  const groups = findLines(kept, width, t, pageHeight).sort(
    (a, b) => Math.min(...a.map((c) => c.cy)) - Math.min(...b.map((c) => c.cy)),
  );
  return { status: 'ok', ink, lab, noise, specks: noise.length, t, pageHeight, groups };
}

/**
 * A slant's tangent as the degrees a segmentation reports (positive: rising to the right).
 *
 * @example
 * slantDegrees(-Math.tan((2 * Math.PI) / 180)); // 2
 */
export function slantDegrees(t: number): number {
  return t === 0 ? 0 : (-Math.atan(t) * 180) / Math.PI;
}
