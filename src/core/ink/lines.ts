// Several lines written in one drawing, told apart before each is read: strokes are grouped by
// where they sit vertically, in writing order, each joining the line whose band holds its
// middle (a band widened by three quarters of a typical stroke's height, so i-dots, t-bars and
// descenders stay with their line) or starting a new one; lines that end up overlapping are
// merged, and the lines come out top to bottom.

import type { InkStroke } from './types.js';

interface Band {
  top: number;
  bottom: number;
  strokes: number[];
}

/** The median of a non-empty list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Groups strokes into lines of writing.
 *
 * @returns the indices of the strokes of each line, lines top to bottom, each line's strokes in
 *   writing order; strokes without points belong to no line
 * @example
 * const lines = groupStrokesIntoLines(strokes); // [[0, 1, 2], [3, 4]]
 * const first = lines[0]!.map((i) => strokes[i]!);
 */
export function groupStrokesIntoLines(strokes: readonly InkStroke[]): number[][] {
  const boxes = strokes.map((stroke) => {
    let top = Infinity;
    let bottom = -Infinity;
    let left = Infinity;
    let right = -Infinity;
    for (const p of stroke) {
      if (p.y < top) top = p.y;
      if (p.y > bottom) bottom = p.y;
      if (p.x < left) left = p.x;
      if (p.x > right) right = p.x;
    }
    return { top, bottom, width: right - left, height: bottom - top, middle: (top + bottom) / 2 };
  });
  const heights = boxes.filter((b) => b.height > 0).map((b) => b.height);
  if (heights.length === 0) {
    const some = boxes.map((b, i) => (Number.isFinite(b.top) ? i : -1)).filter((i) => i >= 0);
    return some.length > 0 ? [some] : [];
  }
  const typical = median(heights);
  const reach = 0.75 * typical;
  const bands: Band[] = [];
  const small: number[] = [];
  boxes.forEach((b, i) => {
    if (!Number.isFinite(b.top)) return;
    let best: Band | undefined;
    let bestDistance = Infinity;
    for (const band of bands) {
      if (b.middle < band.top - reach || b.middle > band.bottom + reach) continue;
      const distance = Math.abs(b.middle - (band.top + band.bottom) / 2);
      if (distance < bestDistance) {
        best = band;
        bestDistance = distance;
      }
    }
    if (best) {
      best.strokes.push(i);
      best.top = Math.min(best.top, b.top);
      best.bottom = Math.max(best.bottom, b.bottom);
    } else if (b.height < 0.3 * typical && b.width < 0.3 * typical && bands.length > 0) {
      small.push(i); // a dot or a tick far from every band so far: placed once all are known
    } else {
      bands.push({ top: b.top, bottom: b.bottom, strokes: [i] });
    }
  });
  // Merge bands that overlap by more than half the smaller one's height.
  bands.sort((a, b) => a.top - b.top);
  const merged: Band[] = [];
  for (const band of bands) {
    const last = merged.at(-1);
    const overlap = last ? Math.min(last.bottom, band.bottom) - Math.max(last.top, band.top) : -1;
    const smaller = last ? Math.min(last.bottom - last.top, band.bottom - band.top) : 0;
    if (last && overlap > 0.5 * Math.max(smaller, typical * 0.5)) {
      last.strokes.push(...band.strokes);
      last.top = Math.min(last.top, band.top);
      last.bottom = Math.max(last.bottom, band.bottom);
    } else {
      merged.push({ ...band, strokes: [...band.strokes] });
    }
  }
  // Small marks go to the nearest band (a dot sits above its line, so below counts double).
  for (const i of small) {
    const b = boxes[i]!;
    let best = merged[0]!;
    let bestDistance = Infinity;
    for (const band of merged) {
      const distance =
        b.middle < band.top
          ? band.top - b.middle
          : b.middle > band.bottom
            ? 2 * (b.middle - band.bottom)
            : 0;
      if (distance < bestDistance) {
        best = band;
        bestDistance = distance;
      }
    }
    best.strokes.push(i);
  }
  return merged.map((band) => band.strokes.sort((a, b) => a - b));
}
