// Named label sets (docs/DESIGN.md §3) and the mapping of a source's own labels into one of them.
// A class is named by the characters it stands for: "A", or "Aa" where a source (EMNIST
// Letters) merges the two cases into one class.

import { HcrError, lookup } from './errors.js';

/** An ordered list of classes; a model's output unit i stands for `classes[i]`. */
export interface LabelSet {
  readonly name: string;
  readonly classes: readonly string[];
}

const DIGITS = '0123456789'.split('');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');

function labelSet(name: string, classes: string[]): LabelSet {
  return Object.freeze({ name, classes: Object.freeze(classes) });
}

/**
 * The label sets a model can be trained on:
 * - `alnum36` (default): 0-9 and A-Z;
 * - `alnum35`: 1-9 and A-Z (drops zero, which collides with O);
 * - `digits`: 0-9; `letters`: A-Z;
 * - `byclass62`: 0-9, A-Z and a-z, in EMNIST ByClass order.
 */
export const LABEL_SETS = Object.freeze({
  alnum36: labelSet('alnum36', [...DIGITS, ...UPPER]),
  alnum35: labelSet('alnum35', [...DIGITS.slice(1), ...UPPER]),
  digits: labelSet('digits', DIGITS),
  letters: labelSet('letters', UPPER),
  byclass62: labelSet('byclass62', [...DIGITS, ...UPPER, ...LOWER]),
});

export type LabelSetName = keyof typeof LABEL_SETS;

/** The label set used when none is named. */
export const DEFAULT_LABEL_SET: LabelSetName = 'alnum36';

/** Looks a label set up by name; an unknown name throws an error listing the valid ones. */
export function getLabelSet(name: string): LabelSet {
  return lookup(LABEL_SETS, name, 'label set');
}

/** Builds a source's own label set (not one a model is trained on) from its class names. */
export function sourceLabelSet(name: string, classes: readonly string[]): LabelSet {
  return labelSet(name, [...classes]);
}

/** Options of {@link mapLabelSet}. */
export interface MapLabelOptions {
  /**
   * Map lowercase letters onto uppercase classes when the target has no lowercase (so a
   * merged "Aa" class or a lowercase "a" becomes "A"). Default: false, so `alnum36` holds
   * capitals only.
   */
  readonly foldCase?: boolean;
}

/**
 * For each class of `from`, the index of the class of `to` it maps to, or -1 when `to` has
 * no such class (those images are dropped). A class maps when every character it stands for
 * names the same class of `to`.
 *
 * @example
 * mapLabelSet(LABEL_SETS.digits, LABEL_SETS.alnum35); // Int16Array [-1, 0, 1, ..., 8]
 */
export function mapLabelSet(
  from: LabelSet,
  to: LabelSet,
  options: MapLabelOptions = {},
): Int16Array {
  const index = new Map(to.classes.map((name, i) => [name, i] as const));
  const map = new Int16Array(from.classes.length);
  from.classes.forEach((name, i) => {
    const targets = new Set<number>();
    for (const ch of name) {
      const direct = index.get(ch);
      const folded = options.foldCase ? index.get(ch.toUpperCase()) : undefined;
      targets.add(direct ?? folded ?? -1);
    }
    map[i] = targets.size === 1 ? [...targets][0]! : -1;
  });
  return map;
}

/**
 * Checks that every class of `target` is covered by at least one source; a class missing from
 * every source is an error that names it.
 */
export function assertCovered(
  target: LabelSet,
  counts: ArrayLike<number>,
  sources: string[],
): void {
  const missing = target.classes.filter((_, i) => (counts[i] ?? 0) === 0);
  if (missing.length > 0) {
    throw new HcrError(
      'BAD_DATA',
      `label set ${target.name}: no images of class ${missing.join(', ')} in ${sources.join(', ')}`,
    );
  }
}
