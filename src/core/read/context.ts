// The line as context for look-alikes: handwriting cannot tell O from 0, I from 1, S from 5,
// Z from 2, B from 8 or G from 6, but the characters around one can. Each word is read as
// letters, digits, or a letter run and a digit run (a code), whichever the classifier's
// probabilities back; inside a run of letters the letter is preferred, inside a run of digits
// the digit. The classifier's own label is kept beside the decision so a caller can decide
// otherwise.

import type { ClassPair } from '../metrics.js';

/** Whether a class is a letter or a digit (anything else has no kind). */
export type CharacterKind = 'letter' | 'digit';

/** One character as the context sees it. */
export interface ContextInput {
  /** The classifier's best label. */
  readonly label: string;
  /** The classifier's probability of each class (missing classes count as 0). */
  readonly probabilities: Readonly<Record<string, number>>;
  /** True when a space precedes it (a new word starts: context does not cross spaces). */
  readonly spaceBefore: boolean;
}

/** The context's decision for one character. */
export interface ContextDecision {
  /** The label chosen: the classifier's, or one of the kind of its run. */
  readonly label: string;
  /** Set when the context replaced the label: the kind of the run it sits in. */
  readonly context?: CharacterKind;
  /** Look-alikes of the label chosen: its partners, or the classifier's label when replaced. */
  readonly alternatives: readonly string[];
}

/** Which labels the context may replace. */
export type ContextScope = 'lookalikes' | 'all';

/** Options of {@link applyLineContext}; defaults in {@link CONTEXT_DEFAULTS}. */
export interface ContextOptions {
  /**
   * `'lookalikes'`: a label becomes only its look-alike partner of the run's kind (O -> 0);
   * `'all'`: any label of the wrong kind becomes the run's kind's most probable class.
   * Default: `'lookalikes'`.
   */
  readonly scope?: ContextScope;
  /**
   * Least ratio of the replacement's probability to the label's: below it the classifier has
   * seen a shape only the label has (a 6 with no trace of G), and the label stays. Default: 0.004.
   */
  readonly minRatio?: number;
  /**
   * How much less likely (in nats of log-probability) a word that changes kind once (a code
   * such as AB12) is than a word of one kind. Default: 5.
   */
  readonly mixedCost?: number;
}

/**
 * The defaults of {@link ContextOptions}.
 *
 * @example
 * CONTEXT_DEFAULTS.scope; // 'lookalikes'
 */
export const CONTEXT_DEFAULTS = Object.freeze({
  scope: 'lookalikes' as ContextScope,
  minRatio: 0.004,
  mixedCost: 5,
}) satisfies Readonly<Required<ContextOptions>>;

/**
 * The kind of a class name: `'digit'` for 0-9, `'letter'` for A-Z and a-z, else undefined.
 *
 * @example
 * characterKind('7'); // 'digit'
 */
export function characterKind(label: string): CharacterKind | undefined {
  if (/^[0-9]$/.test(label)) return 'digit';
  if (/^[A-Za-z]$/.test(label)) return 'letter';
  return undefined;
}

/**
 * The partner of each label in `pairs`, both ways, keeping only pairs whose two classes are in
 * `classes` (so O/0 does nothing with a label set without 0).
 *
 * @example
 * lookalikePartners([['O', '0']], ['0', 'O']).get('0'); // ['O']
 */
export function lookalikePartners(
  pairs: readonly ClassPair[],
  classes: readonly string[],
): Map<string, string[]> {
  const known = new Set(classes);
  const partners = new Map<string, string[]>();
  const add = (a: string, b: string) => {
    const list = partners.get(a) ?? [];
    if (!list.includes(b)) list.push(b);
    partners.set(a, list);
  };
  for (const [a, b] of pairs) {
    if (!known.has(a) || !known.has(b)) continue;
    add(a, b);
    add(b, a);
  }
  return partners;
}

/**
 * Decides look-alikes from their neighbours. Context never crosses a space. Each word is read
 * as one kind (all letters, all digits) or as two runs (a letter run then a digit run, or the
 * reverse, less likely by `mixedCost`), whichever the classifier's probabilities of letters and
 * of digits support best. A character whose label is of the other kind than its run becomes
 * its look-alike partner of the run's kind (or, with scope `'all'`, the run's kind's most
 * probable class), unless the classifier gave that less than `minRatio` of its label's
 * probability.
 *
 * @param partners - from {@link lookalikePartners}
 * @param options - see {@link CONTEXT_DEFAULTS}
 * @example
 * const p = lookalikePartners(READ_LOOKALIKES, ['0', 'O', 'X']);
 * applyLineContext([
 *   { label: '0', probabilities: { 0: 0.6, O: 0.4 }, spaceBefore: false },
 *   { label: 'X', probabilities: { X: 1 }, spaceBefore: false },
 * ], p).map((d) => d.label); // ['O', 'X']
 */
export function applyLineContext(
  characters: readonly ContextInput[],
  partners: ReadonlyMap<string, readonly string[]>,
  options: ContextOptions = {},
): ContextDecision[] {
  const o = { ...CONTEXT_DEFAULTS, ...options };
  const decisions: ContextDecision[] = characters.map((c) => ({
    label: c.label,
    alternatives: [...(partners.get(c.label) ?? [])],
  }));
  let start = 0;
  for (let k = 1; k <= characters.length; k++) {
    if (k === characters.length || characters[k]!.spaceBefore) {
      const word = characters.slice(start, k);
      wordKinds(word, o.mixedCost).forEach((kind, i) => {
        const c = word[i]!;
        if (characterKind(c.label) === kind) return;
        const options =
          o.scope === 'all'
            ? Object.keys(c.probabilities).filter((label) => characterKind(label) === kind)
            : (partners.get(c.label) ?? []).filter((label) => characterKind(label) === kind);
        let best: string | undefined;
        for (const label of options) {
          if (best === undefined || (c.probabilities[label] ?? 0) > (c.probabilities[best] ?? 0)) {
            best = label;
          }
        }
        if (best === undefined) return;
        const p = c.probabilities[best] ?? 0;
        if (p <= 0 || p < o.minRatio * (c.probabilities[c.label] ?? 0)) return;
        decisions[start + i] = { label: best, context: kind, alternatives: [c.label] };
      });
      start = k;
    }
  }
  return decisions;
}

/** The kind of each character of a word under the best-supported reading of its kinds. */
function wordKinds(word: readonly ContextInput[], mixedCost: number): CharacterKind[] {
  const n = word.length;
  const letters = new Float64Array(n + 1);
  const digits = new Float64Array(n + 1);
  word.forEach((c, i) => {
    let l = 0;
    let d = 0;
    for (const [label, p] of Object.entries(c.probabilities)) {
      const kind = characterKind(label);
      if (kind === 'letter') l += p;
      else if (kind === 'digit') d += p;
    }
    letters[i + 1] = letters[i]! + Math.log(Math.max(l, 1e-9));
    digits[i + 1] = digits[i]! + Math.log(Math.max(d, 1e-9));
  });
  let best: CharacterKind[] = [];
  let bestScore = -Infinity;
  const consider = (score: number, kinds: () => CharacterKind[]) => {
    if (score > bestScore) {
      bestScore = score;
      best = kinds();
    }
  };
  consider(letters[n]!, () => new Array<CharacterKind>(n).fill('letter'));
  consider(digits[n]!, () => new Array<CharacterKind>(n).fill('digit'));
  for (let b = 1; b < n; b++) {
    const split = (first: CharacterKind, second: CharacterKind) => () =>
      Array.from({ length: n }, (_, i) => (i < b ? first : second));
    consider(letters[b]! + digits[n]! - digits[b]! - mixedCost, split('letter', 'digit'));
    consider(digits[b]! + letters[n]! - letters[b]! - mixedCost, split('digit', 'letter'));
  }
  return best;
}
