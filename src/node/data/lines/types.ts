// What every source of training lines gives the line trainer: an image of one line of writing
// (any size, any polarity: normalizeLine brings it to the line convention) and its text.

import type { Random } from '../../../core/random.js';
import type { GrayImage } from '../../../core/types.js';

/** One line of writing and what it says. */
export interface LineSample {
  /** The line as drawn or photographed (normalizeLine decides polarity and crops). */
  readonly image: GrayImage;
  /** Its text, in LINE_CHARSET. */
  readonly text: string;
}

/**
 * A source of training or test lines. `sample(i, rand)` renders the i-th item (0 ≤ i < size)
 * one random way: the same `i` with a fresh `rand` gives the same text in another pen or paper.
 */
export interface LineSource {
  /** Short name used in reports and metadata, e.g. `unipen-words-train`. */
  readonly name: string;
  /** How many items the source holds. */
  readonly size: number;
  /** The text of item `i` (no rendering), e.g. to build a language model or filter by length. */
  text(i: number): string;
  /** Item `i` rendered with draws from `rand`. */
  sample(i: number, rand: Random): LineSample;
}
