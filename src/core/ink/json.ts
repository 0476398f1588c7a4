// Strokes as JSON, in the Handwriting Recognition API's point shape: what POST /api/ink and
// `hcr read --ink FILE.json` take. Three spellings are read, all of {x, y, t?} points:
//   [[{x, y, t}, ...], ...]                 a list of strokes
//   {"strokes": [[{x, y, t}, ...], ...]}    the same, named
//   {"strokes": [{"points": [...]}, ...]}   strokes as objects (HandwritingStroke.getPoints())

import { HcrError } from '../errors.js';
import { INK_LIMITS, InkBudget, type InkLimits } from './limits.js';
import type { InkPoint, InkStroke } from './types.js';

/** Describes a JSON value for a message: its type and, for a short one, the value itself. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 20))}`;
  return `${typeof value} ${String(value)}`;
}

function pointsOf(stroke: unknown, s: number, where: string): readonly unknown[] {
  if (Array.isArray(stroke)) return stroke;
  if (
    stroke &&
    typeof stroke === 'object' &&
    Array.isArray((stroke as { points?: unknown }).points)
  ) {
    return (stroke as { points: unknown[] }).points;
  }
  throw new HcrError(
    'BAD_INK',
    `${where}: stroke ${s}: expected a list of points or {"points": [...]}, got ${describe(stroke)}`,
  );
}

/**
 * Reads strokes from parsed JSON (one of the three spellings above), within `limits`.
 *
 * @param where - names the input in messages, e.g. a file name. Default: `'ink'`.
 * @throws HcrError BAD_INK that says what was expected, what arrived and where (stroke, point)
 * @example
 * inkFromJson(JSON.parse('[[{"x":1,"y":2,"t":0},{"x":3,"y":4,"t":16}]]')); // one stroke
 */
export function inkFromJson(
  value: unknown,
  limits: InkLimits = INK_LIMITS,
  where = 'ink',
): InkStroke[] {
  const list =
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as { strokes?: unknown }).strokes
      : value;
  if (!Array.isArray(list)) {
    throw new HcrError(
      'BAD_INK',
      `${where}: expected a list of strokes or {"strokes": [...]}, got ${describe(value)}`,
    );
  }
  if (list.length > limits.maxStrokes) {
    throw new HcrError(
      'BAD_INK',
      `${where}: expected at most ${limits.maxStrokes} strokes, got ${list.length}`,
    );
  }
  const pointLists = list.map((stroke, s) => pointsOf(stroke, s, where));
  const total = pointLists.reduce((n, points) => n + points.length, 0);
  if (total > limits.maxPoints) {
    throw new HcrError(
      'BAD_INK',
      `${where}: expected at most ${limits.maxPoints} points, got ${total}`,
    );
  }
  const budget = new InkBudget(limits, where);
  return pointLists.map((points, s) => {
    budget.addStroke();
    return points.map((raw, i): InkPoint => {
      const at = `stroke ${s}, point ${i}`;
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new HcrError('BAD_INK', `${where}: ${at}: expected {x, y, t}, got ${describe(raw)}`);
      }
      const { x, y, t } = raw as { x?: unknown; y?: unknown; t?: unknown };
      for (const [key, v] of [
        ['x', x],
        ['y', y],
      ] as const) {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new HcrError(
            'BAD_INK',
            `${where}: ${at}: expected ${key} to be a finite number, got ${describe(v)}`,
          );
        }
      }
      if (t !== undefined && t !== null && (typeof t !== 'number' || !Number.isFinite(t))) {
        throw new HcrError(
          'BAD_INK',
          `${where}: ${at}: expected t to be a finite number or absent, got ${describe(t)}`,
        );
      }
      budget.addPoint(x as number, y as number, at);
      return typeof t === 'number'
        ? { x: x as number, y: y as number, t }
        : { x: x as number, y: y as number };
    });
  });
}
