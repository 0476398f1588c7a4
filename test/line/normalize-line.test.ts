// The line convention (core/line/normalize-line.ts): height, polarity, crop, aspect, limits.

import { describe, expect, it } from 'vitest';
import {
  LINE_HEIGHT,
  LINE_INK_HEIGHT,
  LINE_MARGIN,
  LINE_MAX_WIDTH,
  normalizeLine,
} from '../../src/core/line/normalize-line.js';
import type { GrayImage } from '../../src/core/types.js';

/** A light page with a dark bar at (x, y, w, h). */
function page(width: number, height: number, bars: [number, number, number, number][]): GrayImage {
  const data = new Uint8Array(width * height).fill(235);
  for (const [x0, y0, w, h] of bars) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * width + x] = 20;
  }
  return { width, height, data };
}

function inkRows(line: { width: number; data: Uint8Array }): number[] {
  const rows: number[] = [];
  for (let y = 0; y < LINE_HEIGHT; y++) {
    let sum = 0;
    for (let x = 0; x < line.width; x++) sum += line.data[y * line.width + x]!;
    if (sum > 0) rows.push(y);
  }
  return rows;
}

describe('normalizeLine', () => {
  it('crops dark ink on light paper, inverts it and scales it to the ink height', () => {
    const line = normalizeLine(page(300, 120, [[50, 30, 140, 56]]));
    expect(line.empty).toBe(false);
    expect(line.height).toBe(LINE_HEIGHT);
    expect(line.box).toEqual({ x: 50, y: 30, width: 140, height: 56 });
    // 140x56 at 28 rows of ink: 70 columns, plus the margins.
    expect(line.width).toBe(70 + 2 * LINE_MARGIN);
    expect(inkRows(line)).toEqual(
      Array.from({ length: LINE_INK_HEIGHT }, (_, i) => i + LINE_MARGIN),
    );
    // Ink is stretched to full brightness whatever the pen.
    expect(Math.max(...line.data)).toBe(255);
    expect(line.scaleY).toBeCloseTo(LINE_INK_HEIGHT / 56, 9);
  });

  it('reads light ink on dark the same way', () => {
    const dark = page(300, 120, [[50, 30, 140, 56]]);
    const inverted = { ...dark, data: dark.data.map((v) => 255 - v) };
    const a = normalizeLine(dark);
    const b = normalizeLine(inverted);
    expect(b.width).toBe(a.width);
    expect([...b.data]).toEqual([...a.data]);
  });

  it('ignores a tiny speck far from the writing', () => {
    const line = normalizeLine(
      page(400, 120, [
        [50, 30, 140, 56],
        [390, 2, 1, 1],
      ]),
    );
    expect(line.box.x + line.box.width).toBeLessThanOrEqual(190);
  });

  it('gives an empty line for a blank page', () => {
    const line = normalizeLine(page(50, 20, []));
    expect(line.empty).toBe(true);
    expect(line.height).toBe(LINE_HEIGHT);
    expect([...line.data].every((v) => v === 0)).toBe(true);
  });

  it('squeezes a line wider than LINE_MAX_WIDTH to fit', () => {
    const line = normalizeLine(page(9000, 40, [[10, 10, 8900, 20]]));
    expect(line.width).toBe(LINE_MAX_WIDTH);
  });

  it('refuses an image whose data does not match its size, saying both', () => {
    expect(() => normalizeLine({ width: 10, height: 10, data: new Uint8Array(5) })).toThrow(
      /expected a 10x10 image to hold 100 pixels, got 5/,
    );
  });
});
