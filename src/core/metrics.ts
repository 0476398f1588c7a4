// Evaluation metrics computed from true labels and predicted classes: accuracy (plain and with
// look-alike pairs such as O/0 merged), per-class and averaged precision/recall/F1, the
// confusion matrix and its largest off-diagonal cells. Results are plain JSON so that the CLI,
// the model metadata (hcr.json) and the HTML report can store and read them unchanged.

import { HcrError } from './errors.js';
import type { LabelSet } from './label-sets.js';

/** Version of the {@link EvaluationResult} shape; bump it when a field changes meaning. */
export const EVALUATION_VERSION = 1;

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

/** Shapes that join the case and look-alike groups in `accuracyCaseLookalikeMerged`: l with I and 1. */
const LOWERCASE_LOOKALIKE_PAIRS: readonly ClassPair[] = pairs([
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

/** Precision, recall and F1, each in [0, 1]. */
export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** The figures of one class; see {@link evaluatePredictions} for the zero-division convention. */
export interface ClassMetrics extends PrecisionRecallF1 {
  /** The class name, e.g. `'A'`. */
  class: string;
  /** Images whose true class this is (the row sum of the confusion matrix). */
  support: number;
  /** Images predicted as this class (the column sum). */
  predicted: number;
  /** Images of this class predicted as this class (the diagonal cell). */
  correct: number;
  /**
   * Recall with the other case of the letter (in {@link CASE_PAIRS}) counted as found; only for
   * label sets with both cases (absent otherwise).
   */
  recallCaseMerged?: number;
}

/** One off-diagonal cell of the confusion matrix. */
export interface ConfusedPair {
  true: string;
  predicted: string;
  count: number;
  /** `count` as a share of the true class's support, in [0, 1]. */
  share: number;
}

/**
 * Everything measured on one test set. Plain JSON (numbers, strings, arrays): it can be
 * written to hcr.json and read back by the report as is.
 */
export interface EvaluationResult {
  /** {@link EVALUATION_VERSION} at the time of writing. */
  version: number;
  /** Name of the test set, e.g. `'emnist-byclass-test'`. */
  name: string;
  /** Name of the label set, e.g. `'alnum36'`. */
  labelSet: string;
  /** The label set's classes; index i is row/column i of `confusion`. */
  classes: string[];
  /** Number of images evaluated. */
  count: number;
  /** Share of images whose predicted class is the true class. */
  accuracy: number;
  /** Like `accuracy`, but a prediction of a look-alike partner (`mergedPairs`) also counts. */
  accuracyMerged: number;
  /** The look-alike pairs of {@link LOOKALIKE_PAIRS} that apply to this label set. */
  mergedPairs: [string, string][];
  /**
   * Like `accuracy`, but the other case of a letter in {@link CASE_PAIRS} also counts; only for
   * label sets with both cases (absent otherwise).
   */
  accuracyCaseMerged?: number;
  /**
   * Case pairs and look-alike pairs merged together (o/O/0, s/S/5, z/Z/2, l/I/1 ...): what a
   * single glyph cannot tell; only for label sets with both cases.
   */
  accuracyCaseLookalikeMerged?: number;
  /** Unweighted mean over the classes that have support. */
  macro: PrecisionRecallF1;
  /** Mean over the classes weighted by their support. */
  weighted: PrecisionRecallF1;
  /** One entry per class, in label-set order. */
  perClass: ClassMetrics[];
  /** `confusion[true][predicted]` counts. */
  confusion: number[][];
  /** Up to 20 largest off-diagonal cells, largest first (ties: true, then predicted order). */
  mostConfused: ConfusedPair[];
  /** The k of `topKAccuracy`, when top-k hits were given. */
  topK?: number;
  /** Share of images whose true class is among the k most probable, when given. */
  topKAccuracy?: number;
}

/** Input of {@link evaluatePredictions}. */
export interface EvaluationInput {
  /** The label set both `labels` and `predicted` index into. */
  labelSet: LabelSet;
  /** True class index per image. */
  labels: ArrayLike<number>;
  /** Predicted class index per image (the argmax of the model's output). */
  predicted: ArrayLike<number>;
  /** Name of the test set, used in the result and in error messages. */
  name: string;
  /** Optional: whether the true class was among the k most probable, per image. */
  topK?: { k: number; hits: ArrayLike<boolean | number> };
}

/** How many off-diagonal cells {@link EvaluationResult.mostConfused} keeps. */
export const MOST_CONFUSED_LIMIT = 20;

/**
 * Counts `confusion[true][predicted]` over all images. Indices must be integers in
 * `[0, classCount)`; anything else throws a `BAD_DATA` error naming the index.
 *
 * @example
 * confusionMatrix([0, 1, 1], [0, 1, 0], 2); // [[1, 0], [1, 1]]
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classCount: number,
  name = 'predictions',
): number[][] {
  if (labels.length !== predicted.length) {
    throw new HcrError(
      'BAD_DATA',
      `${name}: expected ${labels.length} predictions (one per label), got ${predicted.length}`,
    );
  }
  const confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  const check = (value: number, what: string, i: number): number => {
    if (!Number.isInteger(value) || value < 0 || value >= classCount) {
      throw new HcrError(
        'BAD_DATA',
        `${name}: ${what} at index ${i} is ${value}, expected a class index in 0..${classCount - 1}`,
      );
    }
    return value;
  };
  for (let i = 0; i < labels.length; i++) {
    const t = check(labels[i]!, 'label', i);
    const p = check(predicted[i]!, 'prediction', i);
    confusion[t]![p]!++;
  }
  return confusion;
}

const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);

/**
 * Computes every figure of an {@link EvaluationResult} from a confusion matrix (rows: true
 * class, columns: predicted class). {@link evaluatePredictions} and {@link mergeEvaluations}
 * both end here, so a merged result is exactly what evaluating the concatenated test sets gives.
 *
 * @example
 * evaluateConfusion('tiny', LABEL_SETS.digits, confusion).accuracy;
 */
export function evaluateConfusion(
  name: string,
  labelSet: Pick<LabelSet, 'name' | 'classes'>,
  confusion: readonly (readonly number[])[],
  topK?: { k: number; accuracy: number },
): EvaluationResult {
  const classes = [...labelSet.classes];
  const n = classes.length;
  if (confusion.length !== n || confusion.some((row) => row.length !== n)) {
    throw new HcrError(
      'BAD_DATA',
      `${name}: expected a ${n}x${n} confusion matrix for label set ${labelSet.name}, ` +
        `got ${confusion.length} rows of ${confusion.map((row) => row.length).join('/')}`,
    );
  }
  const cell = (t: number, p: number): number => confusion[t]![p]!;
  const matrix = confusion.map((row) => [...row]);
  const support = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const columnSums = classes.map((_, p) => matrix.reduce((sum, row) => sum + row[p]!, 0));
  const count = support.reduce((a, b) => a + b, 0);

  let correct = 0;
  for (let i = 0; i < n; i++) correct += cell(i, i);

  const index = new Map(classes.map((c, i) => [c, i] as const));
  const mergedPairs: [string, string][] = [];
  let mergedCorrect = correct;
  for (const [a, b] of LOOKALIKE_PAIRS) {
    const ia = index.get(a);
    const ib = index.get(b);
    if (ia === undefined || ib === undefined) continue;
    mergedPairs.push([a, b]);
    mergedCorrect += cell(ia, ib) + cell(ib, ia);
  }

  // Case merging applies only where both cases of some letter are classes.
  const casePairs = CASE_PAIRS.filter(([a, b]) => index.has(a) && index.has(b));
  const caseMerged = casePairs.length > 0 ? groupedCorrect(cell, index, n, casePairs) : undefined;
  const caseLookalikeMerged =
    casePairs.length > 0
      ? groupedCorrect(cell, index, n, [
          ...casePairs,
          ...LOOKALIKE_PAIRS,
          ...LOWERCASE_LOOKALIKE_PAIRS,
        ])
      : undefined;

  const perClass: ClassMetrics[] = classes.map((name, i) => {
    const tp = cell(i, i);
    const precision = ratio(tp, columnSums[i]!);
    const recall = ratio(tp, support[i]!);
    const f1 = ratio(2 * precision * recall, precision + recall);
    const partner = index.get(casePartner(name) ?? '');
    return {
      class: name,
      precision,
      recall,
      f1,
      support: support[i]!,
      predicted: columnSums[i]!,
      correct: tp,
      ...(casePairs.length > 0
        ? {
            recallCaseMerged: ratio(
              tp + (partner === undefined ? 0 : cell(i, partner)),
              support[i]!,
            ),
          }
        : {}),
    };
  });

  const present = perClass.filter((c) => c.support > 0);
  const average = (weight: (c: ClassMetrics) => number): PrecisionRecallF1 => {
    const total = present.reduce((sum, c) => sum + weight(c), 0);
    const mean = (key: keyof PrecisionRecallF1): number =>
      ratio(
        present.reduce((sum, c) => sum + weight(c) * c[key], 0),
        total,
      );
    return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
  };

  const offDiagonal: ConfusedPair[] = [];
  for (let t = 0; t < n; t++) {
    for (let p = 0; p < n; p++) {
      const c = cell(t, p);
      if (t === p || c === 0) continue;
      offDiagonal.push({
        true: classes[t]!,
        predicted: classes[p]!,
        count: c,
        share: c / support[t]!,
      });
    }
  }
  // A stable sort keeps row-major order among equal counts, so ties are deterministic.
  offDiagonal.sort((a, b) => b.count - a.count);

  const result: EvaluationResult = {
    version: EVALUATION_VERSION,
    name,
    labelSet: labelSet.name,
    classes,
    count,
    accuracy: ratio(correct, count),
    accuracyMerged: ratio(mergedCorrect, count),
    mergedPairs,
    ...(caseMerged === undefined
      ? {}
      : {
          accuracyCaseMerged: ratio(caseMerged, count),
          accuracyCaseLookalikeMerged: ratio(caseLookalikeMerged!, count),
        }),
    macro: average(() => 1),
    weighted: average((c) => c.support),
    perClass,
    confusion: matrix,
    mostConfused: offDiagonal.slice(0, MOST_CONFUSED_LIMIT),
  };
  if (topK) {
    result.topK = topK.k;
    result.topKAccuracy = topK.accuracy;
  }
  return result;
}

/**
 * Evaluates predictions against true labels.
 *
 * Conventions where a ratio has a zero denominator (scikit-learn's `zero_division=0`):
 * a class never predicted has precision 0; a class without support (no test images) has
 * recall 0 and F1 0, and is left out of the macro averages (it has weight 0 in the weighted
 * ones), so a test set that lacks some classes is not penalised for them. Its wrong
 * predictions still lower the recall of the true classes. An empty input gives 0 everywhere.
 *
 * @example
 * const result = evaluatePredictions({
 *   name: 'emnist-test', labelSet: LABEL_SETS.alnum36, labels: ds.labels, predicted,
 * });
 * result.accuracy; // 0.912
 */
export function evaluatePredictions(input: EvaluationInput): EvaluationResult {
  const { labelSet, labels, predicted, name, topK } = input;
  const confusion = confusionMatrix(labels, predicted, labelSet.classes.length, name);
  let topKFigures: { k: number; accuracy: number } | undefined;
  if (topK) {
    if (!Number.isInteger(topK.k) || topK.k < 1) {
      throw new HcrError(
        'BAD_DATA',
        `${name}: expected top-k with k a positive integer, got ${topK.k}`,
      );
    }
    if (topK.hits.length !== labels.length) {
      throw new HcrError(
        'BAD_DATA',
        `${name}: expected ${labels.length} top-${topK.k} hits (one per label), got ${topK.hits.length}`,
      );
    }
    let hits = 0;
    for (let i = 0; i < topK.hits.length; i++) if (topK.hits[i]) hits++;
    topKFigures = { k: topK.k, accuracy: ratio(hits, labels.length) };
  }
  return evaluateConfusion(name, labelSet, confusion, topKFigures);
}

/**
 * Combines the results of several test sets into one, as if they were one test set: the
 * confusion matrices are summed and every figure is recomputed from the sum. All results must
 * use the same label set. Top-k accuracy is kept (weighted by count) only when every result has
 * it with the same k.
 *
 * @example
 * const all = mergeEvaluations('all', [mnistResult, emnistResult]);
 * all.count === mnistResult.count + emnistResult.count; // true
 */
export function mergeEvaluations(
  name: string,
  results: readonly EvaluationResult[],
): EvaluationResult {
  const first = results[0];
  if (!first) {
    throw new HcrError('BAD_DATA', `${name}: expected at least one evaluation to merge, got none`);
  }
  const n = first.classes.length;
  const sum = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  results.forEach((r, i) => {
    const same =
      r.labelSet === first.labelSet &&
      r.classes.length === n &&
      r.classes.every((c, j) => c === first.classes[j]);
    if (!same) {
      throw new HcrError(
        'BAD_DATA',
        `${name}: expected every evaluation to use label set ${first.labelSet} ` +
          `(${first.classes.join('')}) like '${first.name}', but '${r.name}' (#${i}) ` +
          `uses ${r.labelSet} (${r.classes.join('')})`,
      );
    }
    for (let t = 0; t < n; t++) {
      for (let p = 0; p < n; p++) sum[t]![p]! += r.confusion[t]?.[p] ?? 0;
    }
  });
  const k = first.topK;
  const allTopK =
    k !== undefined && results.every((r) => r.topK === k && r.topKAccuracy !== undefined);
  let topK: { k: number; accuracy: number } | undefined;
  if (allTopK) {
    const total = results.reduce((s, r) => s + r.count, 0);
    const hits = results.reduce((s, r) => s + (r.topKAccuracy ?? 0) * r.count, 0);
    topK = { k, accuracy: ratio(hits, total) };
  }
  return evaluateConfusion(name, { name: first.labelSet, classes: first.classes }, sum, topK);
}

/**
 * Indices of the first `limit` misclassified images, in input order; with `pair`, only those
 * of true class `pair.true` predicted as `pair.predicted`. Default limit: 100.
 *
 * @example
 * misclassified([0, 1, 1, 2], [0, 2, 1, 1], 10); // [1, 3]
 * misclassified(labels, predicted, 16, { true: oIndex, predicted: zeroIndex });
 */
export function misclassified(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  limit = 100,
  pair?: { true: number; predicted: number },
): number[] {
  if (labels.length !== predicted.length) {
    throw new HcrError(
      'BAD_DATA',
      `misclassified: expected ${labels.length} predictions (one per label), got ${predicted.length}`,
    );
  }
  const found: number[] = [];
  for (let i = 0; i < labels.length && found.length < limit; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (t === p) continue;
    if (pair && (t !== pair.true || p !== pair.predicted)) continue;
    found.push(i);
  }
  return found;
}

/**
 * Misclassified images grouped by (true, predicted) class pair: up to `perPair` indices per
 * pair (default 10), pairs ordered by how many images they hold, largest first.
 *
 * @example
 * misclassifiedByPair([0, 0, 1], [1, 1, 0], 1);
 * // [{ true: 0, predicted: 1, count: 2, indices: [0] }, { true: 1, predicted: 0, count: 1, indices: [2] }]
 */
export function misclassifiedByPair(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  perPair = 10,
): { true: number; predicted: number; count: number; indices: number[] }[] {
  if (labels.length !== predicted.length) {
    throw new HcrError(
      'BAD_DATA',
      `misclassifiedByPair: expected ${labels.length} predictions (one per label), got ${predicted.length}`,
    );
  }
  const groups = new Map<
    string,
    { true: number; predicted: number; count: number; indices: number[] }
  >();
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (t === p) continue;
    const key = `${t},${p}`;
    let group = groups.get(key);
    if (!group) {
      group = { true: t, predicted: p, count: 0, indices: [] };
      groups.set(key, group);
    }
    group.count++;
    if (group.indices.length < perPair) group.indices.push(i);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/**
 * Images counted correct when every class is merged with the classes `pairs` join it to
 * (transitively: o/O and O/0 make one group o, O, 0). Pairs with a class outside the label set
 * are ignored.
 */
function groupedCorrect(
  cell: (t: number, p: number) => number,
  index: ReadonlyMap<string, number>,
  n: number,
  pairs: readonly (readonly [string, string])[],
): number {
  const parent = Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (const [a, b] of pairs) {
    const ia = index.get(a);
    const ib = index.get(b);
    if (ia !== undefined && ib !== undefined) parent[root(ia)] = root(ib);
  }
  let correct = 0;
  for (let t = 0; t < n; t++) {
    for (let p = 0; p < n; p++) if (root(t) === root(p)) correct += cell(t, p);
  }
  return correct;
}
