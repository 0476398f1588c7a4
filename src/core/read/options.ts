// Options of reading a line of handwriting (segmentation, choice of cuts, spaces, context),
// with their defaults in one frozen object and the one function that validates them.

import { HcrError } from '../errors.js';
import type { ClassPair } from '../metrics.js';
import { LOOKALIKE_PAIRS } from '../metrics.js';
import type { Polarity } from '../normalize.js';
import type { ContextScope } from './context.js';

/**
 * The look-alike pairs the line context decides between: {@link LOOKALIKE_PAIRS} (O/0, I/1, S/5,
 * Z/2) plus B/8 and G/6. Inside a run of letters the letter is preferred, inside a run of digits
 * the digit.
 *
 * @example
 * READ_LOOKALIKES.length; // 6
 */
export const READ_LOOKALIKES: readonly ClassPair[] = Object.freeze([
  ...LOOKALIKE_PAIRS,
  Object.freeze(['B', '8']) as ClassPair,
  Object.freeze(['G', '6']) as ClassPair,
]);

/** Options of reading an image of handwriting; every field is optional, see {@link READ_DEFAULTS}. */
export interface ReadOptions {
  /** Use the line as context for look-alikes (O/0, I/1, ...). Default: true. */
  readonly context?: boolean;
  /**
   * What the context may change: `'lookalikes'` only swaps a label for its look-alike partner
   * (O -> 0 in a number); `'all'` gives any character of the wrong kind its run's kind's most
   * probable class (T read as 7 in a word becomes a letter). Default: `'lookalikes'`.
   */
  readonly contextScope?: ContextScope;
  /** The pairs the context decides between. Default: {@link READ_LOOKALIKES}. */
  readonly lookalikes?: readonly ClassPair[];
  /** How many ranked classes to keep per character. Default: 3. */
  readonly top?: number;
  /**
   * A gap between two characters of at least this fraction of the line's character height is a
   * space. Default: 0.6.
   */
  readonly spaceGap?: number;
  /**
   * Ink below this fraction of the brightest ink does not belong to a character (after the
   * paper is removed), 0-1. Default: 0.25.
   */
  readonly inkThreshold?: number;
  /** A character-like component is at least this many pixels tall. Default: 8. */
  readonly minCharHeight?: number;
  /**
   * A component whose longer side is under this fraction of the line's character height is a
   * speck: it joins the character above or below it, or is dropped. Default: 0.3.
   */
  readonly speckSize?: number;
  /** Largest line slant searched for, in degrees either way. Default: 8. */
  readonly maxSlant?: number;
  /** Largest image accepted, in pixels (width x height). Default: 40,000,000. */
  readonly maxPixels?: number;
  /** Which way round ink and paper are (see `normalizeToMnist`). Default: `'auto'`. */
  readonly polarity?: Polarity;
}

/**
 * The defaults of {@link ReadOptions}, in one place for docs, `--help` and tests.
 *
 * @example
 * READ_DEFAULTS.spaceGap; // 0.6
 */
export const READ_DEFAULTS = Object.freeze({
  context: true,
  contextScope: 'lookalikes' as ContextScope,
  lookalikes: READ_LOOKALIKES,
  top: 3,
  spaceGap: 0.6,
  inkThreshold: 0.25,
  minCharHeight: 8,
  speckSize: 0.3,
  maxSlant: 8,
  maxPixels: 40_000_000,
  polarity: 'auto' as Polarity,
}) satisfies Readonly<Required<ReadOptions>>;

/** {@link ReadOptions} with every default filled in. */
export type ResolvedReadOptions = Readonly<Required<ReadOptions>>;

/**
 * Fills in the defaults of {@link ReadOptions} and checks every value once.
 *
 * @throws HcrError BAD_OPTION naming the option, what was expected and what arrived
 * @example
 * resolveReadOptions({ context: false }).top; // 3
 */
export function resolveReadOptions(options: ReadOptions = {}): ResolvedReadOptions {
  const o: Required<ReadOptions> = { ...READ_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (o as Record<string, unknown>)[key] = value;
  }
  const check = (ok: boolean, name: string, expected: string, value: unknown): void => {
    if (!ok) {
      throw new HcrError('BAD_OPTION', `read: expected ${name} ${expected}, got ${String(value)}`);
    }
  };
  check(typeof o.context === 'boolean', 'context', 'true or false', o.context);
  check(
    o.contextScope === 'lookalikes' || o.contextScope === 'all',
    'contextScope',
    "'lookalikes' or 'all'",
    o.contextScope,
  );
  check(Number.isInteger(o.top) && o.top >= 1, 'top', 'an integer >= 1', o.top);
  check(o.spaceGap > 0, 'spaceGap', '> 0', o.spaceGap);
  check(o.inkThreshold > 0 && o.inkThreshold < 1, 'inkThreshold', 'in (0, 1)', o.inkThreshold);
  check(
    Number.isInteger(o.minCharHeight) && o.minCharHeight >= 1,
    'minCharHeight',
    'an integer >= 1',
    o.minCharHeight,
  );
  check(o.speckSize >= 0 && o.speckSize < 1, 'speckSize', 'in [0, 1)', o.speckSize);
  check(o.maxSlant >= 0 && o.maxSlant <= 30, 'maxSlant', 'in 0-30 degrees', o.maxSlant);
  check(o.maxPixels > 0, 'maxPixels', '> 0', o.maxPixels);
  check(
    o.polarity === 'auto' || o.polarity === 'dark-on-light' || o.polarity === 'light-on-dark',
    'polarity',
    "'auto', 'dark-on-light' or 'light-on-dark'",
    o.polarity,
  );
  check(
    Array.isArray(o.lookalikes) &&
      o.lookalikes.every(
        (p) => Array.isArray(p) && p.length === 2 && p.every((c) => typeof c === 'string'),
      ),
    'lookalikes',
    'a list of [letter, digit] pairs',
    JSON.stringify(o.lookalikes),
  );
  return Object.freeze(o);
}
