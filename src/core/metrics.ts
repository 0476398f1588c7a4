// Evaluation metrics computed from true labels and predicted classes: accuracy (plain and with
// look-alike pairs such as O/0 merged), per-class and averaged precision/recall/F1, the
// confusion matrix and its largest off-diagonal cells. Results are plain JSON so that the CLI,
// the model metadata (hcr.json) and the HTML report can store and read them unchanged.
// The class pairs they merge are in class-pairs.ts and the lists of misclassified images in
// mistakes.ts; this module re-exports both, so importers keep one entry for evaluation.

import {
  CASE_PAIRS,
  LOOKALIKE_PAIRS,
  LOWERCASE_LOOKALIKE_PAIRS,
  casePartner,
} from './class-pairs.js';
import { HcrError } from './errors.js';
import type { LabelSet } from './label-sets.js';

export {
  CASE_PAIRS,
  CONFUSABLE_PAIRS,
  LOOKALIKE_PAIRS,
  casePartner,
  confusionKind,
  type ClassPair,
} from './class-pairs.js';
export { misclassified, misclassifiedByPair } from './mistakes.js';

/** Version of the {@link EvaluationResult} shape; bump it when a field changes meaning. */
export const EVALUATION_VERSION = 1;

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
