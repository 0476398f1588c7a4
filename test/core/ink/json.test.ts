// Tests of strokes read from JSON and checked against the ink budgets: the three spellings, and
// hostile lists (a million points, ten thousand strokes, NaN, strings) refused with messages
// that say what was expected, what arrived and where.

import { describe, expect, it } from 'vitest';
import { HcrError } from '../../../src/core/errors.js';
import { inkFromJson } from '../../../src/core/ink/json.js';
import { INK_LIMITS, checkInk, resolveInkLimits } from '../../../src/core/ink/limits.js';

function inkError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HcrError);
    expect((error as HcrError).code).toBe('BAD_INK');
    return (error as HcrError).message;
  }
  throw new Error('expected a BAD_INK error');
}

describe('inkFromJson', () => {
  const stroke = [
    { x: 1, y: 2, t: 0 },
    { x: 3, y: 4, t: 16 },
  ];

  it('reads a list of strokes, {strokes}, and strokes as {points}', () => {
    expect(inkFromJson([stroke])).toEqual([stroke]);
    expect(inkFromJson({ strokes: [stroke] })).toEqual([stroke]);
    expect(inkFromJson({ strokes: [{ points: stroke }] })).toEqual([stroke]);
  });

  it('keeps t absent when it is absent or null, and drops other fields', () => {
    expect(
      inkFromJson([
        [
          { x: 1, y: 2 },
          { x: 3, y: 4, t: null, pressure: 0.5 },
        ],
      ]),
    ).toEqual([
      [
        { x: 1, y: 2 },
        { x: 3, y: 4 },
      ],
    ]);
  });

  it('says what it expected, what it got and where', () => {
    expect(inkError(() => inkFromJson('hello'))).toBe(
      'ink: expected a list of strokes or {"strokes": [...]}, got the string "hello"',
    );
    expect(inkError(() => inkFromJson({ lines: [] }, INK_LIMITS, 'a.json'))).toBe(
      'a.json: expected a list of strokes or {"strokes": [...]}, got an object',
    );
    expect(inkError(() => inkFromJson([stroke, 5]))).toBe(
      'ink: stroke 1: expected a list of points or {"points": [...]}, got number 5',
    );
    expect(inkError(() => inkFromJson([[{ x: 1, y: 2 }, [1, 2]]]))).toBe(
      'ink: stroke 0, point 1: expected {x, y, t}, got an array of 2',
    );
    expect(inkError(() => inkFromJson([[{ x: 1, y: '2' }]]))).toBe(
      'ink: stroke 0, point 0: expected y to be a finite number, got the string "2"',
    );
    expect(inkError(() => inkFromJson([[{ x: Number.NaN, y: 2 }]]))).toMatch(
      /expected x to be a finite number, got number NaN/,
    );
    expect(inkError(() => inkFromJson([[{ x: 1, y: 2, t: 'now' }]]))).toMatch(
      /expected t to be a finite number or absent/,
    );
    expect(inkError(() => inkFromJson([[{ x: 1e300, y: 2 }]]))).toMatch(
      /stroke 0, point 0: expected coordinates within ±10000000, got \(1e\+300, 2\)/,
    );
  });

  it('refuses ten thousand strokes and a million points by counting, before reading them', () => {
    const many = Array.from({ length: 10_000 }, () => [{ x: 0, y: 0 }]);
    expect(inkError(() => inkFromJson(many))).toBe('ink: expected at most 2000 strokes, got 10000');
    const point = { x: 0, y: 0 };
    const huge = [new Array(1_000_000).fill(point)];
    const start = Date.now();
    expect(inkError(() => inkFromJson(huge))).toBe(
      'ink: expected at most 200000 points, got 1000000',
    );
    expect(Date.now() - start).toBeLessThan(500);
  });
});

describe('ink limits', () => {
  it('has the documented defaults and takes overrides', () => {
    expect(INK_LIMITS).toEqual({
      maxStrokes: 2000,
      maxPoints: 200_000,
      maxCoordinate: 1e7,
      maxInkmlChars: 16 * 1024 * 1024,
      maxInkmlDepth: 64,
    });
    expect(Object.isFrozen(INK_LIMITS)).toBe(true);
    expect(resolveInkLimits({ maxPoints: 5 })).toEqual({ ...INK_LIMITS, maxPoints: 5 });
    expect(() => resolveInkLimits({ maxStrokes: 0 })).toThrow(
      /ink limit maxStrokes: expected a positive number, got 0/,
    );
  });

  it('checkInk checks strokes already in memory', () => {
    expect(() => checkInk([[{ x: 1, y: 2, t: 3 }]])).not.toThrow();
    expect(inkError(() => checkInk([[{ x: 1, y: 2 }], [{ x: Infinity, y: 2 }]]))).toBe(
      'ink: stroke 1, point 0: expected x to be a finite number, got Infinity',
    );
    expect(
      inkError(() => checkInk([[], [], []], resolveInkLimits({ maxStrokes: 2 }), 'drawing')),
    ).toBe('drawing: expected at most 2 strokes, got more');
  });
});
