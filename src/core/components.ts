// Connected components of ink (8-connected pixels at or above a threshold), found by one
// flood fill over the image: the glyph box of normalization and the character candidates of
// line reading both start from them.

/** One connected component: its box, pixel count, ink mass and ink-weighted coordinate sums. */
export interface InkComponent {
  /** Label of its pixels in the `labels` array (1-based). */
  readonly id: number;
  readonly x0: number;
  readonly y0: number;
  /** Inclusive right and bottom edges. */
  readonly x1: number;
  readonly y1: number;
  /** Number of pixels. */
  readonly count: number;
  /** Sum of the pixels' ink values. */
  readonly mass: number;
  /** Sums of value * x and value * y: the centre of mass is (sx / mass, sy / mass). */
  readonly sx: number;
  readonly sy: number;
}

/**
 * Labels the 8-connected components of the pixels of `data` (`width` x `height`, row-major)
 * whose value is at least `threshold`: `labels[p]` becomes the component's id (1, 2, ...; 0 for
 * background), in raster order of each component's first pixel. `labels` and `stack` must
 * hold `width * height` entries; `labels` is overwritten.
 *
 * @example
 * const labels = new Int32Array(w * h);
 * const parts = labelInk(gray, w, h, 64, labels, new Int32Array(w * h));
 */
export function labelInk(
  data: ArrayLike<number>,
  width: number,
  height: number,
  threshold: number,
  labels: Int32Array,
  stack: Int32Array,
): InkComponent[] {
  const w = width;
  const n = w * height;
  labels.fill(0, 0, n);
  const components: InkComponent[] = [];
  for (let start = 0; start < n; start++) {
    if (labels[start] !== 0 || data[start]! < threshold) continue;
    const id = components.length + 1;
    labels[start] = id;
    let top = 0;
    stack[top++] = start;
    let x0 = w;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let count = 0;
    let mass = 0;
    let sx = 0;
    let sy = 0;
    while (top > 0) {
      const p = stack[--top]!;
      const py = (p / w) | 0;
      const px = p - py * w;
      const v = data[p]!;
      count++;
      mass += v;
      sx += v * px;
      sy += v * py;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
      const xa = px > 0 ? -1 : 0;
      const xb = px < w - 1 ? 1 : 0;
      for (let dy = py > 0 ? -w : 0, yb = py < height - 1 ? w : 0; dy <= yb; dy += w) {
        for (let dx = xa; dx <= xb; dx++) {
          const q = p + dy + dx;
          if (labels[q] === 0 && data[q]! >= threshold) {
            labels[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    components.push({ id, x0, y0, x1, y1, count, mass, sx, sy });
  }
  return components;
}
