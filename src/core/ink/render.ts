// Ink rendered at the model's own scale (docs/DESIGN.md §8): whatever the display's pen, the
// strokes are scaled so the ink's box is about INK_HEIGHT pixels high and drawn with one fixed pen,
// anti-aliased with round caps and joins, bright on 0 — what normalizeLine(image, { inkIsBright:
// true }) takes. Pure TypeScript (no canvas), so it runs the same in Node, in the page and in a Web
// Worker.

import { HcrError } from '../errors.js';
import type { GrayImage } from '../types.js';
import { inkBox, type InkStroke } from './types.js';

/** Options of {@link renderInk}; every field is optional, defaults in {@link RENDER_INK_DEFAULTS}. */
export interface RenderInkOptions {
  /** Height the ink's box is scaled to, in pixels. Default: 64. */
  readonly inkHeight?: number;
  /** Pen width at that scale, in pixels. Default: 2.75. */
  readonly penWidth?: number;
  /** Blank pixels around the ink, beyond the pen's half width. Default: 2. */
  readonly margin?: number;
  /** Widest (and tallest) image; larger ink is scaled down to fit (it bounds the work). Default: 4800. */
  readonly maxWidth?: number;
  /** Pixels per ink unit, overriding `inkHeight` (e.g. one scale for several lines). */
  readonly scale?: number;
  /** Longest pen travel drawn, in pixels at the render's scale (it bounds the work). Default: 2,000,000. */
  readonly maxPenTravel?: number;
}

/** The defaults of {@link renderInk}. */
export const RENDER_INK_DEFAULTS = Object.freeze({
  inkHeight: 64,
  penWidth: 2.75,
  margin: 2,
  maxWidth: 4800,
  maxPenTravel: 2_000_000,
});

/** Rendered ink, and where ink units land in it: `px = (x - originX) * scale + offset`. */
export interface RenderedInk extends GrayImage {
  readonly data: Uint8Array;
  /** Pixels per ink unit. */
  readonly scale: number;
  /** Ink coordinates of the box's top-left corner. */
  readonly originX: number;
  readonly originY: number;
  /** Pixels between the image's edge and the box (margin plus the pen's half width). */
  readonly offset: number;
}

/**
 * The scale that brings ink of this box to `inkHeight` pixels; a flat box (a dash, a dot) is
 * measured by a tenth of its width instead, so it is not blown up without end.
 */
function scaleFor(width: number, height: number, inkHeight: number): number {
  const size = Math.max(height, width / 10);
  return size > 0 ? inkHeight / size : 1;
}

/**
 * Draws strokes as the line model sees ink: bright, anti-aliased, one pen width, at one scale.
 *
 * @throws HcrError BAD_OPTION when an option is not a positive number; BAD_INK when the pen
 *   travels farther than `maxPenTravel` pixels (hostile zigzags across the whole line)
 * @example
 * const image = renderInk(strokes);          // ink box ~64 px high, pen 2.75 px
 * const line = normalizeLine(image, { inkIsBright: true });
 */
export function renderInk(
  strokes: readonly InkStroke[],
  options: RenderInkOptions = {},
): RenderedInk {
  const o = { ...RENDER_INK_DEFAULTS, ...options };
  for (const key of ['inkHeight', 'penWidth', 'maxWidth', 'maxPenTravel'] as const) {
    if (!(o[key] > 0)) {
      throw new HcrError('BAD_OPTION', `renderInk: expected ${key} > 0, got ${o[key]}`);
    }
  }
  if (options.scale !== undefined && !(options.scale > 0)) {
    throw new HcrError('BAD_OPTION', `renderInk: expected scale > 0, got ${options.scale}`);
  }
  const radius = o.penWidth / 2;
  const offset = Math.max(0, o.margin) + radius;
  const box = inkBox(strokes);
  if (!box) {
    const side = Math.ceil(2 * offset) + 1;
    return {
      width: side,
      height: side,
      data: new Uint8Array(side * side),
      scale: 1,
      originX: 0,
      originY: 0,
      offset,
    };
  }
  let scale = options.scale ?? scaleFor(box.width, box.height, o.inkHeight);
  const room = o.maxWidth - 2 * offset - 1;
  if (box.width * scale > room) scale = room / box.width;
  if (box.height * scale > room) scale = room / box.height;
  const width = Math.ceil(box.width * scale + 2 * offset) + 1;
  const height = Math.ceil(box.height * scale + 2 * offset) + 1;
  let travel = 0;
  for (const stroke of strokes) {
    for (let i = 1; i < stroke.length; i++) {
      travel += Math.hypot(stroke[i]!.x - stroke[i - 1]!.x, stroke[i]!.y - stroke[i - 1]!.y);
    }
  }
  travel *= scale;
  if (travel > o.maxPenTravel) {
    throw new HcrError(
      'BAD_INK',
      `ink: expected the pen to travel at most ${o.maxPenTravel} pixels at the model's scale, got ${Math.round(travel)}`,
    );
  }
  const data = new Float32Array(width * height);
  const px = (x: number): number => (x - box.x) * scale + offset;
  const py = (y: number): number => (y - box.y) * scale + offset;
  for (const stroke of strokes) {
    if (stroke.length === 0) continue;
    if (stroke.length === 1) {
      const p = stroke[0]!;
      drawSegment(data, width, height, px(p.x), py(p.y), px(p.x), py(p.y), radius);
      continue;
    }
    for (let i = 1; i < stroke.length; i++) {
      const a = stroke[i - 1]!;
      const b = stroke[i]!;
      const x0 = px(a.x);
      const y0 = py(a.y);
      const x1 = px(b.x);
      const y1 = py(b.y);
      // Long segments in short pieces, so the pixels visited follow the pen, not its box.
      const pieces = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 8));
      for (let k = 0; k < pieces; k++) {
        drawSegment(
          data,
          width,
          height,
          x0 + ((x1 - x0) * k) / pieces,
          y0 + ((y1 - y0) * k) / pieces,
          x0 + ((x1 - x0) * (k + 1)) / pieces,
          y0 + ((y1 - y0) * (k + 1)) / pieces,
          radius,
        );
      }
    }
  }
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(255 * data[i]!);
  return { width, height, data: out, scale, originX: box.x, originY: box.y, offset };
}

/**
 * Covers the pixels within `radius` of the segment (x0,y0)-(x1,y1) (a capsule: round caps),
 * each pixel by the share of it inside, approximated by its center's distance; overlapping
 * segments keep the larger cover, so joins are not darker than the line.
 */
function drawSegment(
  data: Float32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  radius: number,
): void {
  const reach = radius + 0.5;
  const left = Math.max(0, Math.floor(Math.min(x0, x1) - reach));
  const right = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + reach));
  const top = Math.max(0, Math.floor(Math.min(y0, y1) - reach));
  const bottom = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + reach));
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  for (let y = top; y <= bottom; y++) {
    const cy = y + 0.5;
    for (let x = left; x <= right; x++) {
      const cx = x + 0.5;
      let t = length2 > 0 ? ((cx - x0) * dx + (cy - y0) * dy) / length2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - (x0 + t * dx);
      const ey = cy - (y0 + t * dy);
      const cover = reach - Math.sqrt(ex * ex + ey * ey);
      if (cover <= 0) continue;
      const i = y * width + x;
      const v = cover >= 1 ? 1 : cover;
      if (v > data[i]!) data[i] = v;
    }
  }
}
