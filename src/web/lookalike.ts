// The note the page shows when the model's two best guesses are characters that handwriting
// cannot tell apart without context (O/0, I/1, S/5, Z/2, B/8, G/6, o/0, l/1 ...), or, for a model
// with both cases, a letter and its other case (o/O). Pure functions: no DOM, so
// they are tested in Node.

import { casePartner, type ClassPair } from '../core/metrics.js';
import { READ_LOOKALIKES } from '../core/read/options.js';

/**
 * The pairs the page warns about: the reader's look-alike pairs (core's READ_LOOKALIKES: O/0,
 * I/1, S/5, Z/2, B/8, G/6, and for a model with lowercase o/0, l/1, s/5, z/2, b/6, g/9, q/9,
 * l/I), so that a character alone gets the note for what a line would settle.
 *
 * @example
 * PAGE_LOOKALIKE_PAIRS.length; // 14
 */
export const PAGE_LOOKALIKE_PAIRS: readonly ClassPair[] = READ_LOOKALIKES;

/** Whether a class is a digit, a capital or a small letter, for labels like "0 (digit)". */
export function classKind(label: string): 'digit' | 'capital' | 'small letter' | undefined {
  if (/^[0-9]$/.test(label)) return 'digit';
  if (/^[A-Z]$/.test(label)) return 'capital';
  if (/^[a-z]$/.test(label)) return 'small letter';
  return undefined;
}

/**
 * The note for the two best classes, or undefined when they are not a look-alike pair.
 *
 * @param first - the most probable class
 * @param second - the second most probable class
 * @example
 * lookalikeNote('O', '0'); // 'O (capital) and 0 (digit) look alike in handwriting: ...'
 * lookalikeNote('A', '4'); // undefined
 */
export function lookalikeNote(first: string, second: string | undefined): string | undefined {
  if (second === undefined) return undefined;
  const pair = PAGE_LOOKALIKE_PAIRS.find(
    ([a, b]) => (a === first && b === second) || (a === second && b === first),
  );
  if (!pair) return undefined;
  const name = (label: string) => `${label} (${classKind(label) ?? 'class'})`;
  return `${name(first)} and ${name(second)} look alike in handwriting: without context (a word, a number) even a person often cannot tell them apart.`;
}

/**
 * For a model with both cases: the note when the best class's other case (c/C, o/O, s/S ...,
 * core's CASE_PAIRS) is among the ranked classes. A character drawn alone has no line to tell
 * its size, so the page gives the case-merged reading beside the raw one.
 *
 * @example
 * caseNote([{ label: 'o', probability: 0.52 }, { label: 'O', probability: 0.45 }]);
 * // 'o or O: 97.0% together. Drawn alone, a small letter and its capital ...'
 */
export function caseNote(
  predictions: readonly { readonly label: string; readonly probability: number }[],
): string | undefined {
  const [best] = predictions;
  if (!best) return undefined;
  const other = casePartner(best.label);
  const partner = predictions.find((p) => p.label === other);
  if (!partner) return undefined;
  const together = ((best.probability + partner.probability) * 100).toFixed(1);
  return `${best.label} or ${partner.label}: ${together}% together. Drawn alone, a small letter and its capital can be the same shape; in a line, its height settles which.`;
}
