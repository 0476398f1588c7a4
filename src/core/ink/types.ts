// Ink as hcr keeps it (docs/DESIGN.md §8, "Ink is the native input"): strokes of pen points in the
// shape of the web's Handwriting Recognition API (`HandwritingPoint`: x, y and an optional time
// t in milliseconds), in any units, y pointing down. Ink stays strokes until it is read; it is
// rendered at the model's own scale only then (render.ts).

/** One observation of the pen tip: a position and, when known, a time in milliseconds. */
export interface InkPoint {
  readonly x: number;
  readonly y: number;
  /** Milliseconds from a reference time common to the whole drawing; absent when unknown. */
  readonly t?: number;
}

/** One continuous pen-down movement, in writing order. */
export type InkStroke = readonly InkPoint[];

/** A box in ink units: `x..x+width`, `y..y+height`. */
export interface InkBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The box around every point of `strokes`, or undefined when they hold no point.
 *
 * @example
 * inkBox([[{ x: 0, y: 0 }, { x: 4, y: 2 }]]); // { x: 0, y: 0, width: 4, height: 2 }
 */
export function inkBox(strokes: readonly InkStroke[]): InkBox | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of strokes) {
    for (const p of stroke) {
      if (p.x < minX) minX = p.x;
      if (p.x > maxX) maxX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.y > maxY) maxY = p.y;
    }
  }
  if (minX > maxX) return undefined;
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** Number of points in all of `strokes`. */
export function countPoints(strokes: readonly InkStroke[]): number {
  let n = 0;
  for (const stroke of strokes) n += stroke.length;
  return n;
}
