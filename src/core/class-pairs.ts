// Class pairs a glyph alone cannot tell apart: look-alikes (O/0, I/1 ...), letters whose two
// cases have one shape (c/C), and a longer list of often-confused shapes. The evaluation's
// merged accuracies (src/core/metrics.ts), the report's notes and the reader's case and
// look-alike decisions all read them from here.

/** A pair of class names, e.g. `['O', '0']`. */
export type ClassPair = readonly [string, string];

function pairs(list: [string, string][]): readonly ClassPair[] {
  return Object.freeze(list.map((pair) => Object.freeze(pair) as ClassPair));
}

/**
 * Pairs that handwriting cannot tell apart without context; the "merged" accuracy counts a
 * prediction of one for the other as correct. Only pairs whose two classes both exist in the
 * label set apply (so none apply to `digits`, and O/0 does not apply to `alnum35`).
 *
 * @example
 * LOOKALIKE_PAIRS[0]; // ['O', '0']
 */
export const LOOKALIKE_PAIRS: readonly ClassPair[] = pairs([
  ['O', '0'],
  ['I', '1'],
  ['S', '5'],
  ['Z', '2'],
]);

/**
 * Letters whose capital and lowercase are the same shape once a glyph is cut out and scaled to
 * 28x28 (only its size and place on the line tell them apart); `accuracyCaseMerged` counts a
 * prediction of the other case as correct. They apply to label sets with both cases.
 *
 * @example
 * CASE_PAIRS[0]; // ['c', 'C']
 */
export const CASE_PAIRS: readonly ClassPair[] = pairs(
  'ckmopsuvwxyz'.split('').map((c) => [c, c.toUpperCase()] as [string, string]),
);

const CASE_PARTNERS: ReadonlyMap<string, string> = new Map(
  CASE_PAIRS.flatMap(([a, b]) => [[a, b] as const, [b, a] as const]),
);

/**
 * The other case of a letter in {@link CASE_PAIRS}, or undefined.
 *
 * @example
 * casePartner('c'); // 'C'
 * casePartner('a'); // undefined: a and A differ in shape
 */
export function casePartner(label: string): string | undefined {
  return CASE_PARTNERS.get(label);
}

/**
 * Shapes that join the case and look-alike groups in `accuracyCaseLookalikeMerged`: l with I
 * and 1.
 *
 * @example
 * LOWERCASE_LOOKALIKE_PAIRS[0]; // ['l', 'I']
 */
export const LOWERCASE_LOOKALIKE_PAIRS: readonly ClassPair[] = pairs([
  ['l', 'I'],
  ['l', '1'],
]);

/**
 * A longer list of pairs that are often confused (the look-alike pairs first, then shapes that
 * are close but usually distinguishable). Used only to annotate confusions in reports; it
 * never changes a figure.
 *
 * @example
 * CONFUSABLE_PAIRS.some(([a, b]) => a === 'B' && b === '8'); // true
 */
export const CONFUSABLE_PAIRS: readonly ClassPair[] = pairs([
  ['O', '0'],
  ['I', '1'],
  ['S', '5'],
  ['Z', '2'],
  ['B', '8'],
  ['G', '6'],
  ['D', '0'],
  ['Q', '0'],
  ['D', 'O'],
  ['Q', 'O'],
  ['U', 'V'],
  ['T', '7'],
  ['A', '4'],
  ['L', '1'],
  ['J', '1'],
  ['I', 'T'],
  ['Y', '4'],
  ['Z', '7'],
  ['B', '3'],
  ['E', '3'],
  ['g', '9'],
  ['q', '9'],
  ['b', '6'],
  ['l', '1'],
  ['l', 'I'],
  ['o', '0'],
  ['s', '5'],
  ['z', '2'],
]);

/**
 * How a confused pair of classes is known to be related, for report notes:
 * `'lookalike'` (in {@link LOOKALIKE_PAIRS}, merged in `accuracyMerged`), `'confusable'` (in
 * {@link CONFUSABLE_PAIRS}), `'case'` (the same letter in two cases, e.g. `c`/`C`), or
 * `undefined`. The order of the two classes does not matter.
 *
 * @example
 * confusionKind('0', 'O'); // 'lookalike'
 * confusionKind('c', 'C'); // 'case'
 */
export function confusionKind(
  a: string,
  b: string,
): 'lookalike' | 'confusable' | 'case' | undefined {
  const has = (list: readonly ClassPair[]): boolean =>
    list.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  if (has(LOOKALIKE_PAIRS)) return 'lookalike';
  if (has(CONFUSABLE_PAIRS)) return 'confusable';
  if (a !== b && a.toLowerCase() === b.toLowerCase()) return 'case';
  return undefined;
}
