// The line convention (docs/DESIGN.md §2): every line that reaches a line model — a rendered
// UNIPEN word, a font line, a line cut from a photo, the page's strokes — is brought to it here, by
// one function, in training and in reading alike. Ink is bright on a dark background (the same
// grayscale, polarity and background flattening as the character convention, via extractInk),
// cropped to its box, scaled so the ink is LINE_INK_HEIGHT pixels high with the width following,
// and framed by a margin to LINE_HEIGHT.

import { HcrError } from '../errors.js';
import { extractInk, type NormalizeOptions, type PixelBox } from '../normalize.js';
import type { GrayImage } from '../types.js';

/** Height of every normalized line, in pixels. */
export const LINE_HEIGHT = 32;
/** Margin above and below the ink, and left and right of it, in pixels. */
export const LINE_MARGIN = 2;
/** Height of the ink inside a normalized line. */
export const LINE_INK_HEIGHT = LINE_HEIGHT - 2 * LINE_MARGIN;
/** Widest normalized line; a longer line is squeezed to fit (it bounds the model's work). */
export const LINE_MAX_WIDTH = 2048;
/** Fraction of the ink mass ignored at each side of the box (specks and stray marks). */
const TRIM_MASS = 0.002;

/** A normalized line: `LINE_HEIGHT` rows, ink bright (255) on 0. */
export interface LineImage extends GrayImage {
  readonly data: Uint8Array;
  /** True when the line holds no ink. */
  readonly empty: boolean;
  /** The ink's box in the input's pixels (what was scaled); zeros when empty. */
  readonly box: PixelBox;
  /** Normalized pixels per input pixel, horizontally (x_in = box.x + (x_out - margin) / scaleX). */
  readonly scaleX: number;
  /** Normalized pixels per input pixel, vertically. */
  readonly scaleY: number;
}

/**
 * Brings one line of writing to the line convention.
 *
 * @param options - the polarity and background options of {@link extractInk}; `inkIsBright`
 *   skips that step for an image that is already ink-bright on a clean 0 background
 * @throws HcrError BAD_IMAGE when the image's size does not match its data
 * @example
 * const line = normalizeLine(photoOfAWord); // line.height === 32
 */
export function normalizeLine(
  image: GrayImage,
  options: NormalizeOptions & { readonly inkIsBright?: boolean } = {},
): LineImage {
  const { width: w, height: h } = image;
  if (!(w > 0 && h > 0) || image.data.length !== w * h) {
    throw new HcrError(
      'BAD_IMAGE',
      `normalizeLine: expected a ${w}x${h} image to hold ${w * h} pixels, got ${image.data.length}`,
    );
  }
  const ink = options.inkIsBright ? image.data : extractInk(image, options).data;
  const box = inkBox(ink, w, h);
  if (!box) {
    return {
      width: 2 * LINE_MARGIN + 1,
      height: LINE_HEIGHT,
      data: new Uint8Array((2 * LINE_MARGIN + 1) * LINE_HEIGHT),
      empty: true,
      box: { x: 0, y: 0, width: 0, height: 0 },
      scaleX: 1,
      scaleY: 1,
    };
  }
  const scaleY = LINE_INK_HEIGHT / box.height;
  const inkWidth = Math.min(
    LINE_MAX_WIDTH - 2 * LINE_MARGIN,
    Math.max(1, Math.round(box.width * scaleY)),
  );
  const scaleX = inkWidth / box.width;
  const width = inkWidth + 2 * LINE_MARGIN;
  const data = new Uint8Array(width * LINE_HEIGHT);
  const scaled = resample(ink, w, box, inkWidth, LINE_INK_HEIGHT, 255 / box.max);
  for (let y = 0; y < LINE_INK_HEIGHT; y++) {
    data.set(
      scaled.subarray(y * inkWidth, (y + 1) * inkWidth),
      (y + LINE_MARGIN) * width + LINE_MARGIN,
    );
  }
  return {
    width,
    height: LINE_HEIGHT,
    data,
    empty: false,
    box: { x: box.x, y: box.y, width: box.width, height: box.height },
    scaleX,
    scaleY,
  };
}

/**
 * The box holding the ink above a fifth of its brightest level, a little mass trimmed per side,
 * and that brightest level (the line is stretched so its ink reaches 255, whatever the pen).
 */
function inkBox(
  ink: ArrayLike<number>,
  w: number,
  h: number,
): (PixelBox & { readonly max: number }) | null {
  let max = 0;
  for (let i = 0; i < w * h; i++) if (ink[i]! > max) max = ink[i]!;
  if (max < 32) return null;
  const threshold = 0.2 * max;
  const cols = new Float64Array(w);
  const rows = new Float64Array(h);
  let total = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = ink[y * w + x]!;
      if (v >= threshold) {
        cols[x] = cols[x]! + v;
        rows[y] = rows[y]! + v;
        total += v;
      }
    }
  }
  const [x0, x1] = trimmedRange(cols, total);
  const [y0, y1] = trimmedRange(rows, total);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, max };
}

function trimmedRange(profile: Float64Array, total: number): [number, number] {
  const cut = TRIM_MASS * total;
  let lo = 0;
  for (let acc = 0; lo < profile.length - 1; lo++) {
    acc += profile[lo]!;
    if (acc > cut) break;
  }
  let hi = profile.length - 1;
  for (let acc = 0; hi > lo; hi--) {
    acc += profile[hi]!;
    if (acc > cut) break;
  }
  return [lo, hi];
}

/** Source span and weights of each output pixel along one axis: area-average or bilinear. */
function axis(
  inStart: number,
  inSize: number,
  outSize: number,
): { idx: number[][]; wts: number[][] } {
  const idx: number[][] = [];
  const wts: number[][] = [];
  const ratio = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    if (ratio > 1) {
      // Shrinking: average over the input span [o*ratio, (o+1)*ratio).
      const a = o * ratio;
      const b = a + ratio;
      const i: number[] = [];
      const wt: number[] = [];
      for (let k = Math.floor(a); k < Math.ceil(b); k++) {
        const cover = Math.min(b, k + 1) - Math.max(a, k);
        if (cover > 0) {
          i.push(inStart + Math.min(k, inSize - 1));
          wt.push(cover / ratio);
        }
      }
      idx.push(i);
      wts.push(wt);
    } else {
      const c = Math.min(Math.max((o + 0.5) * ratio - 0.5, 0), inSize - 1);
      const k = Math.floor(c);
      const f = c - k;
      const k1 = Math.min(k + 1, inSize - 1);
      idx.push([inStart + k, inStart + k1]);
      wts.push([1 - f, f]);
    }
  }
  return { idx, wts };
}

function resample(
  ink: ArrayLike<number>,
  w: number,
  box: PixelBox,
  outW: number,
  outH: number,
  gain: number,
): Uint8Array {
  const ax = axis(box.x, box.width, outW);
  const ay = axis(box.y, box.height, outH);
  // Rows first (only the box's rows), then columns.
  const tmp = new Float32Array(box.height * outW);
  for (let y = 0; y < box.height; y++) {
    const row = (box.y + y) * w;
    for (let o = 0; o < outW; o++) {
      const i = ax.idx[o]!;
      const wt = ax.wts[o]!;
      let v = 0;
      for (let k = 0; k < i.length; k++) v += ink[row + i[k]!]! * wt[k]!;
      tmp[y * outW + o] = v;
    }
  }
  const out = new Uint8Array(outW * outH);
  for (let o = 0; o < outH; o++) {
    const i = ay.idx[o]!;
    const wt = ay.wts[o]!;
    for (let x = 0; x < outW; x++) {
      let v = 0;
      for (let k = 0; k < i.length; k++) v += tmp[(i[k]! - box.y) * outW + x]! * wt[k]!;
      out[o * outW + x] = Math.min(255, Math.round(v * gain));
    }
  }
  return out;
}
