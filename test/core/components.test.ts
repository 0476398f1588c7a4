// labelInk: 8-connected components over a threshold, their boxes, masses and centres.

import { describe, expect, it } from 'vitest';
import { labelInk } from '../../src/core/components.js';

/** A small image from rows of digits (0-9 → ink 0-90). */
function image(rows: string[]): { data: Uint8Array; w: number; h: number } {
  const w = rows[0]!.length;
  const data = Uint8Array.from(rows.join(''), (c) => Number(c) * 10);
  return { data, w, h: rows.length };
}

describe('labelInk', () => {
  it('joins diagonal neighbours, separates gaps, and ignores ink under the threshold', () => {
    const { data, w, h } = image([
      '900000', //
      '090055', // the 5s are under the threshold 60
      '009000',
      '000009',
      '000099',
    ]);
    const labels = new Int32Array(w * h);
    const parts = labelInk(data, w, h, 60, labels, new Int32Array(w * h));
    expect(
      parts.map(({ x0, y0, x1, y1, count, mass }) => ({ x0, y0, x1, y1, count, mass })),
    ).toEqual([
      { x0: 0, y0: 0, x1: 2, y1: 2, count: 3, mass: 270 },
      { x0: 4, y0: 3, x1: 5, y1: 4, count: 3, mass: 270 },
    ]);
    expect(parts[0]!.sx / parts[0]!.mass).toBe(1); // the diagonal's centre
    expect(labels[0]).toBe(1);
    expect(labels[4 * w + 5]).toBe(2);
    expect(labels[w + 4]).toBe(0);
  });

  it('clears labels left from an earlier call', () => {
    const { data, w, h } = image(['09', '00']);
    const labels = new Int32Array(w * h).fill(7);
    labelInk(data, w, h, 50, labels, new Int32Array(w * h));
    expect(Array.from(labels)).toEqual([0, 1, 0, 0]);
  });
});
