// The options of the image convention (docs/DESIGN.md §2): what normalizeToMnist and extractInk
// accept, their defaults in one frozen object, and the one function that checks them.

import { optionChecker, quoteChoices } from './check-option.js';
import { IMAGE_SIZE } from './types.js';

/** Which way round ink and paper are. */
export type Polarity = 'auto' | 'dark-on-light' | 'light-on-dark';

/** The values of {@link Polarity}, in the order messages list them. */
export const POLARITIES: readonly Polarity[] = Object.freeze([
  'auto',
  'dark-on-light',
  'light-on-dark',
]);

/** Options of {@link normalizeToMnist}; every field is optional, defaults in {@link NORMALIZE_DEFAULTS}. */
export interface NormalizeOptions {
  /** Longer side of the scaled glyph in pixels, 1-28. Default: 20 (MNIST). */
  readonly boxSize?: number;
  /**
   * Pixels darker than this fraction of the brightest ink (after inversion and background
   * removal) do not count for the bounding box, 0-1. Default: 0.2.
   */
  readonly noiseThreshold?: number;
  /**
   * Least difference, in levels of 0-255, between the brightest ink and the background for an
   * image to hold anything; below it the image is empty. Default: 32.
   */
  readonly minContrast?: number;
  /**
   * A separate blob of ink with less than this fraction of the largest blob's ink counts for the
   * bounding box only when it is near the glyph (a speck far away is ignored), 0-1. Default: 0.25.
   */
  readonly minComponentMass?: number;
  /**
   * How near a light blob must be to count: its gap to the glyph's box at most this fraction of
   * the box's longer side. Default: 0.5.
   */
  readonly nearDistance?: number;
  /**
   * `'auto'` decides from the border pixels (a light border means dark ink on light paper, which
   * is inverted); the others force it. Default: `'auto'`.
   */
  readonly polarity?: Polarity;
  /**
   * Subtract a smooth estimate of the paper's brightness before anything else, for images whose
   * longer side is at least this many pixels (photos: shadows, uneven light); 0 turns it off.
   * Smaller images, such as 28x28 dataset images, are left as they are. Default: 56.
   */
  readonly flattenMinSide?: number;
}

/**
 * The defaults of {@link NormalizeOptions}, in one place for docs, `--help` and tests.
 *
 * @example
 * normalizeToMnist(image, { ...NORMALIZE_DEFAULTS, polarity: 'dark-on-light' });
 */
export const NORMALIZE_DEFAULTS: Readonly<Required<NormalizeOptions>> = Object.freeze({
  boxSize: 20,
  noiseThreshold: 0.2,
  minContrast: 32,
  minComponentMass: 0.25,
  nearDistance: 0.5,
  polarity: 'auto',
  flattenMinSide: 56,
});

/**
 * {@link NormalizeOptions} with the defaults filled in, every value checked.
 *
 * @throws HcrError BAD_OPTION naming the option, what was expected and what arrived
 * @example
 * resolveNormalizeOptions({ boxSize: 18 }).noiseThreshold; // 0.2
 */
export function resolveNormalizeOptions(
  options: NormalizeOptions | undefined,
): Required<NormalizeOptions> {
  const o = { ...NORMALIZE_DEFAULTS, ...options };
  const check = optionChecker('normalizeToMnist');
  check(
    Number.isInteger(o.boxSize) && o.boxSize >= 1 && o.boxSize <= IMAGE_SIZE,
    'boxSize',
    `an integer 1-${IMAGE_SIZE}`,
    o.boxSize,
  );
  check.range('noiseThreshold', o.noiseThreshold, 0, 1);
  check.range('minContrast', o.minContrast, 0, 255);
  check.range('minComponentMass', o.minComponentMass, 0, 1);
  check(o.nearDistance >= 0, 'nearDistance', '>= 0', o.nearDistance);
  check(
    Number.isInteger(o.flattenMinSide) && o.flattenMinSide >= 0,
    'flattenMinSide',
    'an integer >= 0 (0 = off)',
    o.flattenMinSide,
  );
  check(POLARITIES.includes(o.polarity), 'polarity', quoteChoices(POLARITIES), o.polarity);
  return o;
}
