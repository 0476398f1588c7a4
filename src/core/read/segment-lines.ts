// The lines of an image for the line reader: found as the glyph reader finds them
// (page-lines.ts) but not cut into characters; each line's ink, with the faint pixels bordering
// it and the small marks near it, sheared so that the line runs level (line-read.ts reads it).

import type { PixelBox } from '../pixels.js';
import type { GrayImage } from '../types.js';
import type { ResolvedReadOptions } from './options.js';
import { findPageLines, RULE_WIDTH, slantDegrees, typicalHeight } from './page-lines.js';
import type { PageSegmentation } from './page-lines.js';

/** One line of writing cut out for a line model: its ink, deskewed, and where it came from. */
export interface TextLine {
  /** The line's ink, bright on 0 (other lines' ink left out), its rows sheared by the slant. */
  readonly image: GrayImage;
  /** The line's ink box in the image. */
  readonly box: PixelBox;
  /** Median height of the line's characters, in pixels. */
  readonly charHeight: number;
  /**
   * Per column of the box (x - box.x): the topmost and bottommost ink row in the image, -1
   * where the column holds none of the line's ink; so a span of columns gives a character's box.
   */
  readonly top: Int32Array;
  readonly bottom: Int32Array;
}

/** What {@link segmentLines} found. */
export interface LineSegmentation extends PageSegmentation {
  readonly lines: readonly TextLine[];
}

/**
 * The lines of an image for a line model, found as `segmentImage` finds them but not cut
 * into characters: each line's ink (its components, the faint pixels bordering them, and the
 * small marks near it: dots, commas, full stops), sheared so the line runs level.
 *
 * @param options - resolved read options (see `resolveReadOptions`)
 * @throws HcrError BAD_IMAGE when the image is larger than `maxPixels` or malformed
 * @example
 * const { lines } = segmentLines(gray, resolveReadOptions());
 * const line = normalizeLine(lines[0].image, { inkIsBright: true });
 */
export function segmentLines(image: GrayImage, options: ResolvedReadOptions): LineSegmentation {
  const { width, height } = image;
  const page = findPageLines(image, options);
  const { ink, lab, t } = page;
  const base = {
    width,
    height,
    inverted: ink.inverted,
    slant: slantDegrees(t),
  };
  if (page.status !== 'ok') return { ...base, status: page.status, specks: page.specks, lines: [] };
  const shift = (x: number) => -t * (x - width / 2);
  // Rules (underlines, form lines) are dropped as the glyph reader drops them: a line model
  // would see the text squeezed above them.
  let rules = 0;
  const groups = page.groups
    .filter((g) => g.some((c) => c.y1 - c.y0 + 1 >= options.minCharHeight))
    .map((g) => {
      const height = typicalHeight(g);
      const kept = g.filter(
        (c) => !(c.y1 - c.y0 + 1 < 0.3 * height && c.x1 - c.x0 + 1 > RULE_WIDTH * height),
      );
      rules += g.length - kept.length;
      return kept;
    })
    .filter((g) => g.length > 0);
  let specks = page.specks + rules + (page.groups.length - groups.length);
  // Small marks go to the line whose band (in level coordinates) holds them.
  const bands = groups.map((g) => {
    const band = { a: Infinity, b: -Infinity, x0: Infinity, x1: -Infinity, h: typicalHeight(g) };
    for (const c of g) {
      band.a = Math.min(band.a, c.y0 + shift(c.cx));
      band.b = Math.max(band.b, c.y1 + shift(c.cx));
      band.x0 = Math.min(band.x0, c.x0);
      band.x1 = Math.max(band.x1, c.x1);
    }
    return band;
  });
  for (const c of page.noise) {
    const y = c.cy + shift(c.cx);
    let best = -1;
    let bestDistance = Infinity;
    bands.forEach((band, i) => {
      if (c.cx < band.x0 - band.h || c.cx > band.x1 + band.h) return;
      const d = Math.max(0, band.a - y, y - band.b);
      if (d <= 0.3 * band.h && d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    });
    if (best >= 0) {
      groups[best]!.push(c);
      specks--;
    }
  }
  const lines: TextLine[] = [];
  groups.forEach((g, i) => {
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (const c of g) {
      x0 = Math.min(x0, c.x0);
      y0 = Math.min(y0, c.y0);
      x1 = Math.max(x1, c.x1);
      y1 = Math.max(y1, c.y1);
    }
    [x0, y0] = [Math.max(0, x0 - 1), Math.max(0, y0 - 1)];
    [x1, y1] = [Math.min(width - 1, x1 + 1), Math.min(height - 1, y1 + 1)];
    const cx = (x0 + x1) / 2;
    // Rows shift by the slant around the line's centre: the sheared image is taller.
    const lift = Math.ceil(Math.abs(t) * (x1 - x0 + 1)) + 1;
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1 + 2 * lift;
    const data = new Uint8Array(w * h);
    const top = new Int32Array(w).fill(-1);
    const bottom = new Int32Array(w).fill(-1);
    const put = (p: number, counted: boolean) => {
      const y = (p / width) | 0;
      const x = p - y * width;
      const yy = y - y0 + lift - Math.round(t * (x - cx));
      if (yy < 0 || yy >= h) return;
      data[yy * w + (x - x0)] = ink.data[p]!;
      const k = x - x0;
      if (counted) {
        if (top[k] === -1 || y < top[k]!) top[k] = y;
        if (y > bottom[k]!) bottom[k] = y;
      }
    };
    // The line's pixels, and the faint ones below the threshold that border them. Work in
    // proportion to the line's ink, not to its box (a slanted line's box is mostly paper).
    const faint = (q: number) => lab.labels[q] === 0 && ink.data[q]! > 0;
    for (const c of g) {
      for (let k = c.start; k < c.start + c.count; k++) {
        const p = lab.order[k]!;
        put(p, true);
        const x = p % width;
        if (x > 0 && faint(p - 1)) put(p - 1, false);
        if (x < width - 1 && faint(p + 1)) put(p + 1, false);
        if (p >= width && faint(p - width)) put(p - width, false);
        if (p + width < width * height && faint(p + width)) put(p + width, false);
      }
    }
    lines.push({
      image: { width: w, height: h, data },
      box: { x: x0, y: y0, width: w, height: y1 - y0 + 1 },
      charHeight: bands[i]!.h,
      top,
      bottom,
    });
  });
  return { ...base, status: lines.length > 0 ? 'ok' : 'no-characters', specks, lines };
}
