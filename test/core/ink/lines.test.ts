// Tests of grouping a drawing's strokes into lines: words on three lines written in any order,
// i-dots and t-bars kept with their line, and a single line left whole.

import { describe, expect, it } from 'vitest';
import { groupStrokesIntoLines } from '../../../src/core/ink/lines.js';
import type { InkStroke } from '../../../src/core/ink/types.js';

/** A vertical stroke at x from y0 to y1. */
const bar = (x: number, y0: number, y1: number): InkStroke => [
  { x, y: y0 },
  { x, y: y1 },
];
const dot = (x: number, y: number): InkStroke => [{ x, y }];

describe('groupStrokesIntoLines', () => {
  it('keeps one line whole, dots and a descender included', () => {
    // "it" then a "p" with a descender, x-height 20 between y 100 and 120.
    const strokes = [bar(0, 100, 120), dot(0, 88), bar(20, 90, 120), bar(40, 100, 135)];
    expect(groupStrokesIntoLines(strokes)).toEqual([[0, 1, 2, 3]]);
  });

  it('separates three lines, top to bottom, whatever the writing order', () => {
    const strokes = [
      bar(0, 200, 220), // line 3
      bar(0, 0, 20), // line 1
      bar(30, 100, 120), // line 2
      dot(30, 88), // line 2's i-dot
      bar(30, 0, 20), // line 1
      bar(60, 200, 220), // line 3
    ];
    expect(groupStrokesIntoLines(strokes)).toEqual([
      [1, 4],
      [2, 3],
      [0, 5],
    ]);
  });

  it('handles no ink, empty strokes and a drawing of dots', () => {
    expect(groupStrokesIntoLines([])).toEqual([]);
    expect(groupStrokesIntoLines([[], bar(0, 0, 10)])).toEqual([[1]]);
    expect(groupStrokesIntoLines([dot(0, 0), dot(5, 0)])).toEqual([[0, 1]]);
  });
});
