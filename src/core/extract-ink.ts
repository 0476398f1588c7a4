// Ink from an image of writing on paper (docs/DESIGN.md §2, steps 1-2 of the image convention):
// polarity decided from the border, the paper's uneven brightness flattened in photo-sized
// images, and the paper's level subtracted, so that paper is 0 and ink is bright. normalizeToMnist
// starts with these steps; extractInk gives their result on its own, for the segmentation of a
// whole page and for the line convention.

import { resolveNormalizeOptions } from './normalize-options.js';
import type { NormalizeOptions, Polarity } from './normalize-options.js';
import { checkGrayImage } from './pixels.js';
import type { GrayImage } from './types.js';

/**
 * Scratch memory of background removal, reused across the images of one batch (normalizeToMnist
 * extends it with its own). Grown on demand; owned by one call, never shared between calls.
 */
export class InkWorkspace {
  /** The ink of the last image, one float per pixel (at least as long as the image). */
  ink = new Float32Array(0);
  readonly hist = new Uint32Array(256);
  readonly oriented = new Uint32Array(256);
  readonly deviations = new Uint32Array(256);

  /** Makes room for an image of `pixels` pixels. */
  reserve(pixels: number): void {
    if (this.ink.length < pixels) this.ink = new Float32Array(pixels);
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

/** Whether ink is dark on light paper: from the border's median unless `polarity` says. */
function isDarkOnLight(image: GrayImage, polarity: Polarity, ws: InkWorkspace): boolean {
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
  ws: InkWorkspace,
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
export function removeBackground(
  image: GrayImage,
  polarity: Polarity,
  ws: InkWorkspace,
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

/** An image ready for background removal: flattened when photo-sized, with the polarity left to decide. */
export interface PaperFlattened {
  readonly image: GrayImage;
  readonly polarity: Polarity;
  /** Set when the image was flattened: whether it was inverted (flattening decides polarity). */
  readonly inverted?: boolean;
}

/**
 * The image with its paper flattened (ink bright, polarity then `'light-on-dark'`) when its
 * longer side is at least `flattenMinSide` (0: never); else the image and polarity as given.
 *
 * @example
 * const { image, polarity } = flattenLargeImage(photo, 'auto', 56, new InkWorkspace());
 */
export function flattenLargeImage(
  image: GrayImage,
  polarity: Polarity,
  flattenMinSide: number,
  ws: InkWorkspace,
): PaperFlattened {
  if (flattenMinSide > 0 && Math.max(image.width, image.height) >= flattenMinSide) {
    const { flattened, inverted } = flattenBackground(image, polarity, ws);
    return { image: flattened, polarity: 'light-on-dark', inverted };
  }
  return { image, polarity };
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
  checkGrayImage(image, 'extractInk');
  const o = resolveNormalizeOptions(options);
  const ws = new InkWorkspace();
  const paper = flattenLargeImage(image, o.polarity, o.flattenMinSide, ws);
  const { inverted, max } = removeBackground(paper.image, paper.polarity, ws);
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  const ink = ws.ink;
  for (let i = 0; i < n; i++) data[i] = Math.min(255, Math.round(ink[i]!));
  return {
    width: image.width,
    height: image.height,
    data,
    inverted: paper.inverted ?? inverted,
    max: Math.min(255, max),
  };
}
