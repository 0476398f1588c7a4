// Evaluation metrics: a hand-computed 3-class example checked number by number, the look-alike
// merge on alnum36, the zero-division conventions, merging test sets and the error messages.

import { describe, expect, it } from 'vitest';
import { LABEL_SETS, sourceLabelSet } from '../../src/core/label-sets.js';
import {
  CASE_PAIRS,
  casePartner,
  CONFUSABLE_PAIRS,
  EVALUATION_VERSION,
  LOOKALIKE_PAIRS,
  MOST_CONFUSED_LIMIT,
  confusionKind,
  confusionMatrix,
  evaluatePredictions,
  mergeEvaluations,
  misclassified,
  misclassifiedByPair,
} from '../../src/core/metrics.js';

const abc = sourceLabelSet('abc', ['a', 'b', 'c']);
const alnum36 = LABEL_SETS.alnum36;
const ix = (c: string): number => alnum36.classes.indexOf(c);

// Confusion [true][pred]:  a: 3 1 0 | b: 1 2 0 | c: 0 1 2
const handLabels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const handPredicted = [0, 0, 0, 1, 1, 1, 0, 2, 2, 1];

describe('evaluatePredictions on a hand-computed 3-class example', () => {
  const r = evaluatePredictions({
    name: 'hand',
    labelSet: abc,
    labels: handLabels,
    predicted: handPredicted,
  });

  it('counts the confusion matrix and the accuracy', () => {
    expect(r.version).toBe(EVALUATION_VERSION);
    expect(r.name).toBe('hand');
    expect(r.labelSet).toBe('abc');
    expect(r.classes).toEqual(['a', 'b', 'c']);
    expect(r.count).toBe(10);
    expect(r.confusion).toEqual([
      [3, 1, 0],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(r.accuracy).toBeCloseTo(0.7, 12);
    // No look-alike pair exists in a/b/c, so merging changes nothing.
    expect(r.mergedPairs).toEqual([]);
    expect(r.accuracyMerged).toBeCloseTo(0.7, 12);
    expect(r.topK).toBeUndefined();
    expect(r.topKAccuracy).toBeUndefined();
  });

  it('computes per-class precision, recall, F1, support and predicted counts', () => {
    const expected = [
      {
        class: 'a',
        precision: 3 / 4,
        recall: 3 / 4,
        f1: 3 / 4,
        support: 4,
        predicted: 4,
        correct: 3,
      },
      {
        class: 'b',
        precision: 2 / 4,
        recall: 2 / 3,
        f1: 4 / 7,
        support: 3,
        predicted: 4,
        correct: 2,
      },
      {
        class: 'c',
        precision: 2 / 2,
        recall: 2 / 3,
        f1: 4 / 5,
        support: 3,
        predicted: 2,
        correct: 2,
      },
    ];
    expect(r.perClass).toHaveLength(3);
    r.perClass.forEach((got, i) => {
      const want = expected[i]!;
      expect(got.class).toBe(want.class);
      expect(got.support).toBe(want.support);
      expect(got.predicted).toBe(want.predicted);
      expect(got.correct).toBe(want.correct);
      expect(got.precision).toBeCloseTo(want.precision, 12);
      expect(got.recall).toBeCloseTo(want.recall, 12);
      expect(got.f1).toBeCloseTo(want.f1, 12);
    });
  });

  it('averages macro (unweighted) and weighted by support', () => {
    expect(r.macro.precision).toBeCloseTo(0.75, 12);
    expect(r.macro.recall).toBeCloseTo(25 / 36, 12);
    expect(r.macro.f1).toBeCloseTo(99 / 140, 12);
    expect(r.weighted.precision).toBeCloseTo(0.75, 12);
    // Weighted recall is the accuracy.
    expect(r.weighted.recall).toBeCloseTo(0.7, 12);
    expect(r.weighted.f1).toBeCloseTo(249 / 350, 12);
  });

  it('lists the off-diagonal cells, largest first, ties in row-major order', () => {
    expect(r.mostConfused).toEqual([
      { true: 'a', predicted: 'b', count: 1, share: 1 / 4 },
      { true: 'b', predicted: 'a', count: 1, share: 1 / 3 },
      { true: 'c', predicted: 'b', count: 1, share: 1 / 3 },
    ]);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('reports top-k accuracy from the hits it is given', () => {
    const withTopK = evaluatePredictions({
      name: 'hand',
      labelSet: abc,
      labels: handLabels,
      predicted: handPredicted,
      topK: { k: 2, hits: [true, true, true, true, true, true, false, 1, 1, 0] },
    });
    expect(withTopK.topK).toBe(2);
    expect(withTopK.topKAccuracy).toBeCloseTo(0.8, 12);
  });
});

describe('look-alike pairs', () => {
  const labels = ['O', 'O', 'O', '0', 'A', 'I', 'B'].map(ix);
  const predicted = ['0', 'O', '0', 'O', 'A', '1', '8'].map(ix);

  it('counts O predicted as 0 in accuracyMerged, not in accuracy', () => {
    const r = evaluatePredictions({ name: 'mix', labelSet: alnum36, labels, predicted });
    expect(r.accuracy).toBeCloseTo(2 / 7, 12);
    // B -> 8 is a confusable pair, not a look-alike one: still wrong when merged.
    expect(r.accuracyMerged).toBeCloseTo(6 / 7, 12);
    expect(r.mergedPairs).toEqual([
      ['O', '0'],
      ['I', '1'],
      ['S', '5'],
      ['Z', '2'],
    ]);
    expect(r.mostConfused[0]).toEqual({ true: 'O', predicted: '0', count: 2, share: 2 / 3 });
  });

  it('applies only the pairs whose two classes exist in the label set', () => {
    const alnum35 = LABEL_SETS.alnum35;
    const i35 = (c: string): number => alnum35.classes.indexOf(c);
    const r = evaluatePredictions({
      name: 'no-zero',
      labelSet: alnum35,
      labels: ['I', 'O'].map(i35),
      predicted: ['1', 'D'].map(i35),
    });
    expect(r.mergedPairs).toEqual([
      ['I', '1'],
      ['S', '5'],
      ['Z', '2'],
    ]);
    expect(r.accuracy).toBe(0);
    expect(r.accuracyMerged).toBeCloseTo(0.5, 12);
    const digits = evaluatePredictions({
      name: 'digits',
      labelSet: LABEL_SETS.digits,
      labels: [0, 1],
      predicted: [0, 7],
    });
    expect(digits.mergedPairs).toEqual([]);
    expect(digits.accuracyMerged).toBe(digits.accuracy);
  });

  it('are frozen and included in the confusable list', () => {
    expect(Object.isFrozen(LOOKALIKE_PAIRS)).toBe(true);
    expect(Object.isFrozen(LOOKALIKE_PAIRS[0])).toBe(true);
    expect(LOOKALIKE_PAIRS).toHaveLength(4);
    expect(CONFUSABLE_PAIRS.length).toBeGreaterThan(LOOKALIKE_PAIRS.length);
    for (const [a, b] of LOOKALIKE_PAIRS) expect(confusionKind(b, a)).toBe('lookalike');
    expect(confusionKind('B', '8')).toBe('confusable');
    expect(confusionKind('6', 'G')).toBe('confusable');
    expect(confusionKind('c', 'C')).toBe('case');
    expect(confusionKind('A', 'H')).toBeUndefined();
    expect(confusionKind('A', 'A')).toBeUndefined();
  });
});

describe('case pairs (62 classes)', () => {
  const byclass = LABEL_SETS.byclass62;
  const i62 = (c: string): number => byclass.classes.indexOf(c);
  // true -> predicted: c->C (case), o->0 (case + look-alike through O), l->1 (look-alike of l),
  // O->0 (look-alike), k->k (right), a->d (wrong in every sense), e->E (not a case pair: shapes differ)
  const labels = ['c', 'o', 'l', 'O', 'k', 'a', 'e'].map(i62);
  const predicted = ['C', '0', '1', '0', 'k', 'd', 'E'].map(i62);

  it('counts the other case of c k m o p s u v w x y z, and then look-alikes, in two figures', () => {
    const r = evaluatePredictions({ name: 'mixed', labelSet: byclass, labels, predicted });
    expect(r.accuracy).toBeCloseTo(1 / 7, 12);
    expect(r.accuracyMerged).toBeCloseTo(2 / 7, 12); // O->0
    expect(r.accuracyCaseMerged).toBeCloseTo(2 / 7, 12); // c->C
    expect(r.accuracyCaseLookalikeMerged).toBeCloseTo(5 / 7, 12); // + o->0, l->1, O->0
    expect(CASE_PAIRS.map(([a]) => a).join('')).toBe('ckmopsuvwxyz');
    expect([casePartner('c'), casePartner('C'), casePartner('a')]).toEqual(['C', 'c', undefined]);
    const of = (c: string) => r.perClass[i62(c)]!;
    expect([of('c').recall, of('c').recallCaseMerged]).toEqual([0, 1]); // c->C
    expect([of('e').recall, of('e').recallCaseMerged]).toEqual([0, 0]); // e/E is not a pair
    expect(of('o').recallCaseMerged).toBe(0); // o->0 is a look-alike, not a case, error
    expect(of('k').recallCaseMerged).toBe(1);
  });

  it('survive merging test sets and are absent without lowercase', () => {
    const a = evaluatePredictions({ name: 'a', labelSet: byclass, labels, predicted });
    const merged = mergeEvaluations('all', [a, a]);
    expect(merged.accuracyCaseLookalikeMerged).toBeCloseTo(5 / 7, 12);
    expect(merged.perClass[i62('c')]!.recallCaseMerged).toBe(1);
    const capitals = evaluatePredictions({
      name: 'caps',
      labelSet: alnum36,
      labels: [ix('O')],
      predicted: [ix('0')],
    });
    expect(capitals.accuracyCaseMerged).toBeUndefined();
    expect(capitals.accuracyCaseLookalikeMerged).toBeUndefined();
    expect(capitals.perClass[0]!.recallCaseMerged).toBeUndefined();
  });
});

describe('zero-division conventions', () => {
  it('gives a class without support 0 everywhere and leaves it out of the macro averages', () => {
    // c is never a true class but is predicted once; a is missed once.
    const r = evaluatePredictions({
      name: 'gap',
      labelSet: abc,
      labels: [0, 0, 1, 1],
      predicted: [0, 2, 1, 1],
    });
    const c = r.perClass[2]!;
    expect(c).toEqual({
      class: 'c',
      precision: 0,
      recall: 0,
      f1: 0,
      support: 0,
      predicted: 1,
      correct: 0,
    });
    expect(r.perClass[0]!.recall).toBeCloseTo(0.5, 12);
    expect(r.perClass[0]!.f1).toBeCloseTo(2 / 3, 12);
    expect(r.macro.precision).toBeCloseTo(1, 12);
    expect(r.macro.recall).toBeCloseTo(0.75, 12);
    expect(r.macro.f1).toBeCloseTo(5 / 6, 12);
    expect(r.weighted.recall).toBeCloseTo(0.75, 12);
  });

  it('gives a class that is never predicted precision 0 and keeps it in the averages', () => {
    const r = evaluatePredictions({
      name: 'never',
      labelSet: abc,
      labels: [0, 1, 2],
      predicted: [0, 1, 1],
    });
    expect(r.perClass[2]).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
      support: 1,
      predicted: 0,
    });
    expect(r.macro.recall).toBeCloseTo(2 / 3, 12);
  });

  it('returns zeros, not NaN, for an empty test set', () => {
    const r = evaluatePredictions({ name: 'empty', labelSet: abc, labels: [], predicted: [] });
    expect(r.count).toBe(0);
    expect(r.accuracy).toBe(0);
    expect(r.accuracyMerged).toBe(0);
    expect(r.macro).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(r.weighted).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(r.mostConfused).toEqual([]);
    expect(JSON.stringify(r)).not.toMatch(/null|NaN/);
  });
});

describe('mostConfused', () => {
  it(`keeps the ${MOST_CONFUSED_LIMIT} largest cells`, () => {
    const labels: number[] = [];
    const predicted: number[] = [];
    // Class t is mistaken for class t+1 exactly t+1 times, for t = 0..29.
    for (let t = 0; t < 30; t++) {
      for (let j = 0; j <= t; j++) {
        labels.push(t);
        predicted.push(t + 1);
      }
    }
    const r = evaluatePredictions({ name: 'many', labelSet: alnum36, labels, predicted });
    expect(r.mostConfused).toHaveLength(MOST_CONFUSED_LIMIT);
    expect(r.mostConfused[0]).toMatchObject({ true: alnum36.classes[29], count: 30, share: 1 });
    expect(r.mostConfused.at(-1)).toMatchObject({ count: 11 });
  });
});

describe('mergeEvaluations', () => {
  const part1 = { labels: [0, 0, 1, 2], predicted: [0, 1, 1, 2], hits: [1, 1, 1, 1] };
  const part2 = { labels: [1, 2, 2, 0, 0], predicted: [0, 2, 1, 0, 2], hits: [1, 1, 0, 1, 0] };
  const evaluate = (name: string, p: typeof part1, k = 2) =>
    evaluatePredictions({
      name,
      labelSet: abc,
      labels: p.labels,
      predicted: p.predicted,
      topK: { k, hits: p.hits },
    });

  it('sums the confusions and recomputes every figure as for the concatenated sets', () => {
    const merged = mergeEvaluations('both', [evaluate('one', part1), evaluate('two', part2)]);
    const concatenated = evaluate('both', {
      labels: [...part1.labels, ...part2.labels],
      predicted: [...part1.predicted, ...part2.predicted],
      hits: [...part1.hits, ...part2.hits],
    });
    expect(merged.count).toBe(9);
    expect(merged.confusion).toEqual([
      [2, 1, 1],
      [1, 1, 0],
      [0, 1, 2],
    ]);
    expect(merged.accuracy).toBeCloseTo(5 / 9, 12);
    expect(merged.topK).toBe(2);
    expect(merged.topKAccuracy).toBeCloseTo(7 / 9, 12);
    expect({ ...merged, topKAccuracy: 0 }).toEqual({ ...concatenated, topKAccuracy: 0 });
  });

  it('drops top-k accuracy unless every result has it with the same k', () => {
    const merged = mergeEvaluations('both', [evaluate('one', part1, 2), evaluate('two', part2, 3)]);
    expect(merged.topK).toBeUndefined();
    expect(merged.topKAccuracy).toBeUndefined();
    expect(merged.count).toBe(9);
  });

  it('refuses results of different label sets, and an empty list', () => {
    const digits = evaluatePredictions({
      name: 'mnist-test',
      labelSet: LABEL_SETS.digits,
      labels: [0],
      predicted: [0],
    });
    expect(() => mergeEvaluations('all', [evaluate('one', part1), digits])).toThrow(
      /all: expected every evaluation to use label set abc \(abc\) like 'one', but 'mnist-test' \(#1\) uses digits/,
    );
    expect(() => mergeEvaluations('all', [])).toThrow(/all: expected at least one evaluation/);
  });
});

describe('input checks', () => {
  it('names the test set, the index and the bad value', () => {
    expect(() =>
      evaluatePredictions({ name: 'emnist-test', labelSet: abc, labels: [0, 1], predicted: [0] }),
    ).toThrow(/emnist-test: expected 2 predictions \(one per label\), got 1/);
    expect(() =>
      evaluatePredictions({
        name: 'emnist-test',
        labelSet: abc,
        labels: [0, 3],
        predicted: [0, 0],
      }),
    ).toThrow(/emnist-test: label at index 1 is 3, expected a class index in 0\.\.2/);
    expect(() =>
      evaluatePredictions({ name: 't', labelSet: abc, labels: [0], predicted: [-1] }),
    ).toThrow(/t: prediction at index 0 is -1/);
    expect(() =>
      evaluatePredictions({
        name: 't',
        labelSet: abc,
        labels: [0],
        predicted: [0],
        topK: { k: 0, hits: [1] },
      }),
    ).toThrow(/t: expected top-k with k a positive integer, got 0/);
    expect(() =>
      evaluatePredictions({
        name: 't',
        labelSet: abc,
        labels: [0],
        predicted: [0],
        topK: { k: 3, hits: [] },
      }),
    ).toThrow(/t: expected 1 top-3 hits \(one per label\), got 0/);
  });

  it('accepts typed arrays', () => {
    const m = confusionMatrix(new Uint8Array([0, 1, 1]), new Int32Array([0, 1, 0]), 2);
    expect(m).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });
});

describe('misclassified', () => {
  const labels = [0, 1, 1, 2, 1, 1, 0];
  const predicted = [0, 2, 1, 1, 2, 0, 0];

  it('returns the first wrong indices up to the limit', () => {
    expect(misclassified(labels, predicted)).toEqual([1, 3, 4, 5]);
    expect(misclassified(labels, predicted, 2)).toEqual([1, 3]);
    expect(misclassified(labels, predicted, 0)).toEqual([]);
  });

  it('filters by a (true, predicted) pair', () => {
    expect(misclassified(labels, predicted, 10, { true: 1, predicted: 2 })).toEqual([1, 4]);
    expect(misclassified(labels, predicted, 1, { true: 1, predicted: 2 })).toEqual([1]);
  });

  it('groups by pair, largest group first', () => {
    expect(misclassifiedByPair(labels, predicted, 1)).toEqual([
      { true: 1, predicted: 2, count: 2, indices: [1] },
      { true: 2, predicted: 1, count: 1, indices: [3] },
      { true: 1, predicted: 0, count: 1, indices: [5] },
    ]);
    expect(() => misclassified([0], [])).toThrow(/expected 1 predictions \(one per label\), got 0/);
  });
});
