// Case is a property of the line, not of the glyph: once normalized to 28x28, a `c` and a `C`,
// an `o`, an `O` and a `0`, `s`/`S`/`5`, `x`/`X`, `z`/`Z`/`2` can be the same image. What tells
// them apart is where the character stands on its line. This module measures the line (its
// baseline, x-height and cap height, from the characters the classifier is sure of), scores each
// class of each candidate by how well the candidate's height and descent fit it, and holds the
// case model of a word (lowercase after an uppercase letter is how words begin, an uppercase
// letter after lowercase ones is rare). Used by read.ts and decode.ts only when the classifier
// has both cases of some letter (a 36-class model's reading is unchanged).

import { CASE_PAIRS, casePartner } from '../metrics.js';
import type { PixelBox } from '../normalize.js';

/** How a character stands on the line: its top at the x-height or the cap height, its foot on the baseline or below. */
export interface LetterShape {
  /** `short`: top at the x-height; `tall`: at the cap height (capitals, digits, ascenders); `any`: either (i, j, t, f). */
  readonly top: 'short' | 'tall' | 'any';
  /** `descends`: below the baseline (g, j, p, q, y); `sits`: on it; `any`: either (f). */
  readonly foot: 'sits' | 'descends' | 'any';
}

const SHORT = 'acemnorsuvwxz';
const DESCENDERS = 'gpqy';
const ASCENDERS = 'bdhkl';

/**
 * Where a class stands on its line.
 *
 * @example
 * letterShape('p'); // { top: 'short', foot: 'descends' }
 * letterShape('P'); // { top: 'tall', foot: 'sits' }
 */
export function letterShape(label: string): LetterShape {
  if (SHORT.includes(label)) return { top: 'short', foot: 'sits' };
  if (DESCENDERS.includes(label)) return { top: 'short', foot: 'descends' };
  if (ASCENDERS.includes(label)) return { top: 'tall', foot: 'sits' };
  if (label === 'j') return { top: 'any', foot: 'descends' };
  if (label === 'f') return { top: 'tall', foot: 'any' };
  if (label === 'i' || label === 't') return { top: 'any', foot: 'sits' };
  return { top: 'tall', foot: 'sits' };
}

/**
 * Whether the classes hold both cases of some letter: only then does the line decide case.
 *
 * @example
 * hasBothCases(LABEL_SETS.byclass62.classes); // true
 * hasBothCases(LABEL_SETS.alnum36.classes); // false
 */
export function hasBothCases(classes: readonly string[]): boolean {
  const set = new Set(classes);
  return classes.some((c) => c !== c.toUpperCase() && set.has(c.toUpperCase()));
}

/** The measured guides of a line, in image pixels. */
export interface LineGuides {
  /** The baseline's y at image column x: `baseline.at + baseline.slope * x`. */
  readonly baseline: { readonly at: number; readonly slope: number };
  /** Height of a lowercase `x` above the baseline. */
  readonly xHeight: number;
  /** Height of a capital above the baseline. */
  readonly capHeight: number;
}

/** A character of the line as the guides are measured from: its box and its class probabilities. */
export interface GuideCharacter {
  readonly box: PixelBox;
  /** Probability of each class (same order as the classes). */
  readonly probabilities: ArrayLike<number>;
}

/** x-height over cap height assumed when only one of the two can be measured (typical of handwriting). */
export const X_HEIGHT_RATIO = 0.6;
/** A character counts towards a guide when the classifier gives its kind at least this probability. */
const SURE = 0.75;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/**
 * Measures a line's baseline, x-height and cap height. The baseline is fitted (Theil-Sen, robust
 * to the few characters that descend) through the feet of the characters the classifier is sure
 * sit on it; the x-height and cap height are the median heights of the characters it is sure are
 * short or tall. Returns `undefined` when the line cannot tell (no sure character, or only
 * case-ambiguous ones such as `o` and `O` with nothing to compare them to): the classifier and
 * the language model decide alone.
 *
 * @example
 * const guides = measureLine(characters, classes);
 * guides?.xHeight; // 21
 */
export function measureLine(
  characters: readonly GuideCharacter[],
  classes: readonly string[],
): LineGuides | undefined {
  const shapes = classes.map(letterShape);
  // A class that normalizes to the same image as its other case (c/C, p/P) says nothing
  // about a guide where the two cases differ.
  const tells = (k: number, part: 'top' | 'foot'): boolean => {
    const other = casePartner(classes[k]!);
    return (
      other === undefined ||
      !classes.includes(other) ||
      letterShape(other)[part] === shapes[k]![part]
    );
  };
  const kinds = characters.map((ch) => {
    let tall = 0;
    let short = 0;
    let sits = 0;
    for (let k = 0; k < classes.length; k++) {
      const p = ch.probabilities[k]!;
      if (tells(k, 'top')) {
        if (shapes[k]!.top === 'tall') tall += p;
        if (shapes[k]!.top === 'short') short += p;
      }
      if (tells(k, 'foot') && shapes[k]!.foot === 'sits') sits += p;
    }
    return { tall, short, sits };
  });
  const footed = characters.filter((_, i) => kinds[i]!.sits >= SURE);
  if (footed.length === 0) return undefined;
  const foot = (b: PixelBox) => ({ x: b.x + b.width / 2, y: b.y + b.height - 1 });
  const feet = footed.map((c) => foot(c.box));
  const slopes: number[] = [];
  for (let i = 0; i < feet.length; i++) {
    for (let j = i + 1; j < feet.length; j++) {
      const dx = feet[j]!.x - feet[i]!.x;
      if (Math.abs(dx) > 0) slopes.push((feet[j]!.y - feet[i]!.y) / dx);
    }
  }
  // A line of handwriting does not slope by more than about 10 degrees after deslanting.
  const slope = slopes.length > 0 ? Math.max(-0.18, Math.min(0.18, median(slopes))) : 0;
  const at = median(feet.map((f) => f.y - slope * f.x));
  const heightOf = (b: PixelBox) => at + slope * (b.x + b.width / 2) - b.y + 1;
  const talls = characters.filter((_, i) => kinds[i]!.tall >= SURE).map((c) => heightOf(c.box));
  const shorts = characters.filter((_, i) => kinds[i]!.short >= SURE).map((c) => heightOf(c.box));
  if (talls.length === 0 && shorts.length === 0) return undefined;
  const capHeight = talls.length > 0 ? median(talls) : median(shorts) / X_HEIGHT_RATIO;
  const xHeight = shorts.length > 0 ? median(shorts) : median(talls) * X_HEIGHT_RATIO;
  // Measured guides that cross (a short letter as tall as the capitals) say the line cannot tell.
  if (!(capHeight > 0 && xHeight > 0) || xHeight >= 0.92 * capHeight) return undefined;
  return { baseline: { at, slope }, xHeight, capHeight };
}

/** Spread of a character's height around its guide, in log units (about 20%). */
const HEIGHT_SIGMA = 0.2;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * How well a box fits each class on the line: the probability that it is tall (rather than
 * short) from its height against the two guides, and that it descends from its foot against
 * the baseline; each class gets the probability of its own shape (a class that may be either
 * gets an even share).
 *
 * @returns one factor per class, in (0, 1]
 * @example
 * const fit = shapeFit(box, guides, classes); // fit[index of 'c'] near 1 for an x-high box
 */
export function shapeFit(
  box: PixelBox,
  guides: LineGuides,
  classes: readonly string[],
): Float64Array {
  const x = box.x + box.width / 2;
  const base = guides.baseline.at + guides.baseline.slope * x;
  const foot = box.y + box.height - 1;
  const descent = foot - base;
  // A descending letter's x-height part sits above the baseline; its height counts from there.
  const height = Math.max(1, Math.min(base, foot) - box.y + 1);
  const l = Math.log(height);
  const dTall = (l - Math.log(guides.capHeight)) / HEIGHT_SIGMA;
  const dShort = (l - Math.log(guides.xHeight)) / HEIGHT_SIGMA;
  const pTall = sigmoid((dShort * dShort - dTall * dTall) / 2);
  // A foot more than a fifth of the x-height below the baseline descends.
  const pDescends = sigmoid((descent / guides.xHeight - 0.2) / 0.06);
  return Float64Array.from(classes, (c) => {
    const shape = letterShape(c);
    const top = shape.top === 'tall' ? pTall : shape.top === 'short' ? 1 - pTall : 0.5;
    const foot =
      shape.foot === 'descends' ? pDescends : shape.foot === 'sits' ? 1 - pDescends : 0.5;
    return Math.max(1e-3, top) * Math.max(1e-3, foot);
  });
}

/**
 * Multiplies each row of class probabilities by its candidate's shape fit raised to `weight`,
 * keeping the row's total: the line's guides settle what the glyph alone cannot.
 *
 * @example
 * const adjusted = applyShapeFit(probs, classes, boxes, guides, 1);
 */
export function applyShapeFit(
  probs: Float32Array,
  classes: readonly string[],
  rows: readonly { readonly row: number; readonly box: PixelBox }[],
  guides: LineGuides,
  weight: number,
  into: Float32Array = Float32Array.from(probs),
): Float32Array {
  const n = classes.length;
  for (const { row, box } of rows) {
    const fit = shapeFit(box, guides, classes);
    let before = 0;
    let after = 0;
    for (let k = 0; k < n; k++) {
      const p = probs[row * n + k]!;
      const v = p * Math.pow(fit[k]!, weight);
      into[row * n + k] = v;
      before += p;
      after += v;
    }
    // The row keeps its total, so that the candidate weighs the same against other cuts.
    if (after > 0)
      for (let k = 0; k < n; k++) into[row * n + k] = (into[row * n + k]! * before) / after;
  }
  return into;
}

/** log-probability of an uppercase letter right after a lowercase one in a word (`heLlo`). */
export const UPPER_AFTER_LOWER = Math.log(0.03);
/** log-probability of a lowercase letter after two or more capitals in a word (`HELlo`). */
export const LOWER_AFTER_CAPITALS = Math.log(0.1);

/**
 * The case model of a word: what the case of `label` costs after the letters `word` (the word
 * so far). Words are lowercase, Capitalized or in CAPITALS; codes mix digits with either. Other
 * characters than letters cost nothing and do not count.
 *
 * @returns a log-probability, 0 when the case is as expected
 * @example
 * caseCost('he', 'L'); // UPPER_AFTER_LOWER
 * caseCost('H', 'e'); // 0: Capitalized
 */
export function caseCost(word: string, label: string): number {
  const upper = label !== label.toLowerCase();
  const lower = label !== label.toUpperCase();
  if (!upper && !lower) return 0;
  let capitals = 0;
  let last: 'upper' | 'lower' | undefined;
  for (const ch of word) {
    if (ch !== ch.toLowerCase()) {
      capitals++;
      last = 'upper';
    } else if (ch !== ch.toUpperCase()) last = 'lower';
  }
  if (upper && last === 'lower') return UPPER_AFTER_LOWER;
  if (lower && last === 'upper' && capitals >= 2) return LOWER_AFTER_CAPITALS;
  return 0;
}

/** An isolated character's reading with case merged: what a single glyph can know. */
export interface CaseMergedReading {
  /** The classes read as one, e.g. `['c', 'C']`, or one class when it has no case partner. */
  readonly classes: readonly string[];
  /** Their summed probability. */
  readonly probability: number;
}

/**
 * The case-merged reading of one character seen alone (no line to measure it against): the
 * classes grouped by {@link CASE_PAIRS} (c/C, o/O, s/S ...), the group with the highest summed
 * probability. Undefined when the classes do not hold both cases of any of those letters.
 *
 * @param probabilities - one per class, in the order of `classes`
 * @example
 * caseMergedReading(probs, LABEL_SETS.byclass62.classes); // { classes: ['o', 'O'], probability: 0.97 }
 */
export function caseMergedReading(
  probabilities: ArrayLike<number>,
  classes: readonly string[],
): CaseMergedReading | undefined {
  const index = new Map(classes.map((c, i) => [c, i]));
  const pairs = CASE_PAIRS.filter(([a, b]) => index.has(a) && index.has(b));
  if (pairs.length === 0) return undefined;
  const paired = new Set(pairs.flat());
  const groups: string[][] = [
    ...pairs.map(([a, b]) => [a, b]),
    ...classes.filter((c) => !paired.has(c)).map((c) => [c]),
  ];
  let best: CaseMergedReading | undefined;
  for (const group of groups) {
    const probability = group.reduce((sum, c) => sum + probabilities[index.get(c)!]!, 0);
    if (!best || probability > best.probability) best = { classes: group, probability };
  }
  return best;
}
