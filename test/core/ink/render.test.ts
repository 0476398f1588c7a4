// Tests of ink rendered at the model's scale: the box comes out ~64 px high whatever the ink's
// units, the pen is one fixed width with soft edges, dots and flat marks render, the result is
// what normalizeLine takes, and hostile zigzags are refused by their pen travel.

import { describe, expect, it } from 'vitest';
import { HcrError } from '../../../src/core/errors.js';
import { RENDER_INK_DEFAULTS, renderInk } from '../../../src/core/ink/render.js';
import type { InkStroke } from '../../../src/core/ink/types.js';
import { LINE_HEIGHT, normalizeLine } from '../../../src/core/line/normalize-line.js';

/** An "L" and a dot, in the given units. */
function ink(unit: number): InkStroke[] {
  return [
    [
      { x: 0, y: 0 },
      { x: 0, y: 10 * unit },
      { x: 6 * unit, y: 10 * unit },
    ],
    [{ x: 9 * unit, y: 10 * unit }],
  ];
}

/** Ink columns crossed by row `y`: runs of pixels above half. */
function runs(data: Uint8Array, width: number, y: number): number[] {
  const lengths: number[] = [];
  let run = 0;
  for (let x = 0; x < width; x++) {
    if (data[y * width + x]! >= 128) run++;
    else if (run > 0) {
      lengths.push(run);
      run = 0;
    }
  }
  if (run > 0) lengths.push(run);
  return lengths;
}

describe('renderInk', () => {
  it('has the documented defaults', () => {
    expect(RENDER_INK_DEFAULTS).toEqual({
      inkHeight: 64,
      penWidth: 2.75,
      margin: 2,
      maxWidth: 4800,
      maxPenTravel: 2_000_000,
    });
  });

  it('scales any units to the same image', () => {
    const small = renderInk(ink(1));
    const large = renderInk(ink(37.5));
    expect(small.width).toBe(large.width);
    expect(small.height).toBe(large.height);
    expect(small.scale).toBeCloseTo(6.4, 5);
    expect(small.height).toBeGreaterThanOrEqual(64);
    expect(small.height).toBeLessThanOrEqual(64 + 2 * (2 + 1.375) + 2);
    let diff = 0;
    for (let i = 0; i < small.data.length; i++) diff += Math.abs(small.data[i]! - large.data[i]!);
    expect(diff / small.data.length).toBeLessThan(1);
  });

  it('draws a fixed pen: about 3 px across, soft edges, full ink in the middle', () => {
    const image = renderInk(ink(1));
    const y = Math.round(image.height / 2);
    const row = runs(image.data, image.width, y);
    expect(row).toHaveLength(1);
    expect(row[0]).toBeGreaterThanOrEqual(2);
    expect(row[0]).toBeLessThanOrEqual(4);
    const values = new Set(image.data);
    expect(values.has(255)).toBe(true);
    expect([...values].some((v) => v > 0 && v < 255)).toBe(true);
    const thick = renderInk(ink(1), { penWidth: 8 });
    expect(runs(thick.data, thick.width, y)[0]).toBeGreaterThanOrEqual(7);
  });

  it('draws a lone point as a round dot, and places ink by scale, origin and offset', () => {
    const image = renderInk(ink(2));
    const { scale, originX, originY, offset } = image;
    const cx = Math.floor((18 - originX) * scale + offset);
    const cy = Math.floor((20 - originY) * scale + offset);
    expect(image.data[cy * image.width + cx]).toBeGreaterThan(200);
    expect(image.data[cy * image.width + cx + 4]).toBe(0);
  });

  it('renders nothing as a small blank image, and a flat mark without blowing it up', () => {
    const empty = renderInk([]);
    expect(empty.data.every((v) => v === 0)).toBe(true);
    const dash = renderInk([
      [
        { x: 0, y: 5 },
        { x: 100, y: 5 },
      ],
    ]);
    expect(dash.width).toBeLessThanOrEqual(64 * 10 + 10);
    expect(dash.height).toBeLessThan(10);
  });

  it('gives normalizeLine an image it reads as ink-bright', () => {
    const line = normalizeLine(renderInk(ink(3)), { inkIsBright: true });
    expect(line.empty).toBe(false);
    expect(line.height).toBe(LINE_HEIGHT);
    expect(Math.max(...line.data)).toBeGreaterThan(200);
  });

  it('fits wide ink into maxWidth', () => {
    const wide: InkStroke[] = [
      [
        { x: 0, y: 0 },
        { x: 1000, y: 10 },
      ],
      [
        { x: 0, y: 0 },
        { x: 0, y: 10 },
      ],
    ];
    expect(renderInk(wide, { maxWidth: 500 }).width).toBeLessThanOrEqual(500);
  });

  it('refuses a zigzag whose pen travel is past the budget, quickly', () => {
    const zigzag: InkStroke = Array.from({ length: 200_000 }, (_, i) => ({
      x: i % 2 ? 1000 : 0,
      y: (i % 7) * 10,
    }));
    const start = Date.now();
    expect(() => renderInk([zigzag])).toThrow(HcrError);
    expect(() => renderInk([zigzag])).toThrow(
      /expected the pen to travel at most 2000000 pixels at the model's scale, got \d+/,
    );
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('refuses options that are not positive', () => {
    expect(() => renderInk(ink(1), { penWidth: 0 })).toThrow(
      /renderInk: expected penWidth > 0, got 0/,
    );
    expect(() => renderInk(ink(1), { scale: -1 })).toThrow(/expected scale > 0, got -1/);
  });
});
