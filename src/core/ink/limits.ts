// Work budgets of ink (docs/DESIGN.md §9): every stroke list and InkML file that arrives is counted
// against these before anything is rendered, so a million points or ten thousand strokes are
// refused with a clear error instead of being drawn.

import { HcrError } from '../errors.js';
import type { InkStroke } from './types.js';

/** Limits on the ink one reading takes. Every field is optional; defaults in {@link INK_LIMITS}. */
export interface InkLimitOptions {
  /** Most strokes. Default: 2000. */
  readonly maxStrokes?: number;
  /** Most points in all strokes together. Default: 200,000. */
  readonly maxPoints?: number;
  /** Largest absolute coordinate (x, y). Default: 1e7. */
  readonly maxCoordinate?: number;
  /** Longest ink document (InkML or JSON), in characters. Default: 16 MiB. */
  readonly maxInkmlChars?: number;
  /** Deepest nesting of InkML elements. Default: 64. */
  readonly maxInkmlDepth?: number;
}

/** The limits with every field set. */
export type InkLimits = Readonly<Required<InkLimitOptions>>;

/** Default ink budgets: a page of writing holds a few hundred strokes and some 20,000 points. */
export const INK_LIMITS: InkLimits = Object.freeze({
  maxStrokes: 2000,
  maxPoints: 200_000,
  maxCoordinate: 1e7,
  maxInkmlChars: 16 * 1024 * 1024,
  maxInkmlDepth: 64,
});

/**
 * `options` over {@link INK_LIMITS}; a limit that is not a positive number is a BAD_OPTION.
 *
 * @example
 * resolveInkLimits({ maxPoints: 5000 }).maxStrokes; // 2000
 */
export function resolveInkLimits(options: InkLimitOptions = {}): InkLimits {
  const limits = { ...INK_LIMITS };
  for (const key of Object.keys(INK_LIMITS) as (keyof InkLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new HcrError(
        'BAD_OPTION',
        `ink limit ${key}: expected a positive number, got ${value}`,
      );
    }
    limits[key] = value;
  }
  return Object.freeze(limits);
}

/** Running count of a stroke list against its budget, with the messages to throw. */
export class InkBudget {
  private strokes = 0;
  private points = 0;

  constructor(
    private readonly limits: InkLimits,
    private readonly where: string,
  ) {}

  /** Counts one more stroke; throws past `maxStrokes`. */
  addStroke(): void {
    if (++this.strokes > this.limits.maxStrokes) {
      throw new HcrError(
        'BAD_INK',
        `${this.where}: expected at most ${this.limits.maxStrokes} strokes, got more`,
      );
    }
  }

  /** Counts one more point at (x, y); throws past `maxPoints` or on a bad coordinate. */
  addPoint(x: number, y: number, at: string): void {
    if (++this.points > this.limits.maxPoints) {
      throw new HcrError(
        'BAD_INK',
        `${this.where}: expected at most ${this.limits.maxPoints} points, got more`,
      );
    }
    const max = this.limits.maxCoordinate;
    if (!(Math.abs(x) <= max && Math.abs(y) <= max)) {
      throw new HcrError(
        'BAD_INK',
        `${this.where}: ${at}: expected coordinates within ±${max}, got (${x}, ${y})`,
      );
    }
  }
}

/**
 * Checks strokes already in memory (from the page, or built by code) against `limits`: counts,
 * and every coordinate and time finite and in range.
 *
 * @param where - names the input in messages, e.g. a file name. Default: `'ink'`.
 * @throws HcrError BAD_INK naming the stroke and point at fault
 * @example
 * checkInk(strokes, INK_LIMITS, 'drawing');
 */
export function checkInk(
  strokes: readonly InkStroke[],
  limits: InkLimits = INK_LIMITS,
  where = 'ink',
): void {
  const budget = new InkBudget(limits, where);
  strokes.forEach((stroke, s) => {
    budget.addStroke();
    stroke.forEach((p, i) => {
      const at = `stroke ${s}, point ${i}`;
      for (const key of ['x', 'y'] as const) {
        if (typeof p[key] !== 'number' || !Number.isFinite(p[key])) {
          throw new HcrError(
            'BAD_INK',
            `${where}: ${at}: expected ${key} to be a finite number, got ${String(p[key])}`,
          );
        }
      }
      if (p.t !== undefined && (typeof p.t !== 'number' || !Number.isFinite(p.t))) {
        throw new HcrError(
          'BAD_INK',
          `${where}: ${at}: expected t to be a finite number or absent, got ${String(p.t)}`,
        );
      }
      budget.addPoint(p.x, p.y, at);
    });
  });
}
