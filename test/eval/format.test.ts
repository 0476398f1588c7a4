// Terminal rendering of evaluations: the figures and rows appear, table columns line up, 62
// classes fit on one screen, colour only when asked.

import { describe, expect, it } from 'vitest';
import { LABEL_SETS, sourceLabelSet } from '../../src/core/label-sets.js';
import { evaluatePredictions, mergeEvaluations } from '../../src/core/metrics.js';
import type { EvaluationResult } from '../../src/core/metrics.js';
import type { LabelSet } from '../../src/core/label-sets.js';
import {
  FORMAT_DEFAULTS,
  formatEvaluation,
  formatMostConfused,
  formatPerClassTable,
  formatSummaryTable,
  resolveFormatOptions,
} from '../../src/node/eval/format.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const strip = (text: string): string => text.replace(ANSI, '');

const abc = sourceLabelSet('abc', ['a', 'b', 'c']);
// Confusion a: 3 1 0 | b: 1 2 0 | c: 0 1 2 (the hand-computed example of metrics.test.ts).
const small = evaluatePredictions({
  name: 'hand',
  labelSet: abc,
  labels: [0, 0, 0, 0, 1, 1, 1, 2, 2, 2],
  predicted: [0, 0, 0, 1, 1, 1, 0, 2, 2, 1],
});

/** A result over a whole label set: every class is right 9 times in 10, wrong once. */
function synthetic(name: string, labelSet: LabelSet, perClass = 10): EvaluationResult {
  const { classes } = labelSet;
  const labels: number[] = [];
  const predicted: number[] = [];
  classes.forEach((_, t) => {
    for (let j = 0; j < perClass; j++) {
      labels.push(t);
      predicted.push(j === 0 ? (t + 1) % classes.length : t);
    }
  });
  return evaluatePredictions({ name, labelSet, labels, predicted });
}

describe('formatEvaluation', () => {
  const text = formatEvaluation(small);

  it('starts with the name, count, accuracy, merged accuracy and macro P/R/F1', () => {
    const first = text.split('\n')[0]!;
    expect(first).toMatch(
      /^hand {2}n=10 {2}accuracy 70\.00% {2}merged 70\.00% {2}macro P\/R\/F1 75\.0\/69\.4\/70\.7%$/,
    );
    expect(text).toMatch(/label set abc; merged = accuracy \(no look-alike pairs here\)/);
  });

  it('shows one per-class row per class with its figures', () => {
    expect(text).toMatch(/a 75\.0 75\.0 75\.0 4/);
    expect(text).toMatch(/b 50\.0 66\.7 57\.1 3/);
    expect(text).toMatch(/c {2}100 66\.7 80\.0 3/);
  });

  it('lists the most confused pairs with their share of the true class', () => {
    expect(text).toMatch(/Most confused/);
    expect(text).toMatch(/^ {2}a → b {2}1 {2}\(25\.0% of a\)$/m);
    expect(text).toMatch(/^ {2}b → a {2}1 {2}\(33\.3% of b\)$/m);
    expect(text).toMatch(/^ {2}c → b {2}1 {2}\(33\.3% of c\)$/m);
  });

  it('leaves out the per-class table when asked and contains no colour by default', () => {
    const short = formatEvaluation(small, { perClass: false });
    expect(short).not.toMatch(/Per class/);
    expect(short).toMatch(/Most confused/);
    expect(text).toMatch(/Per class/);
    expect(text).not.toMatch(ANSI);
  });

  it('adds top-k accuracy and look-alike notes', () => {
    const ix = (c: string): number => LABEL_SETS.alnum36.classes.indexOf(c);
    const labels = ['O', 'O', 'O', 'B', 'A', 'C'].map(ix);
    const predicted = ['0', '0', 'O', '8', 'A', 'C'].map(ix);
    const r = evaluatePredictions({
      name: 'alnum',
      labelSet: LABEL_SETS.alnum36,
      labels,
      predicted,
      topK: { k: 3, hits: [1, 1, 1, 0, 1, 1] },
    });
    const out = formatEvaluation(r, { width: 200 });
    expect(out.split('\n')[0]).toMatch(/accuracy 50\.00% {2}merged 83\.33% .* top-3 83\.33%$/);
    expect(out).toMatch(/merged counts O=0 I=1 S=5 Z=2 as correct/);
    expect(out).toMatch(/^ {2}O → 0 {2}2 {2}\(66\.7% of O\) +look-alike$/m);
    expect(out).toMatch(/^ {2}B → 8 {2}1 {2}\(100\.0% of B\) {2}confusable$/m);
  });

  it('wraps the header onto two lines when it does not fit the width', () => {
    const narrow = formatEvaluation(small, { width: 40 }).split('\n');
    expect(narrow[0]).toBe('hand');
    expect(narrow[1]).toMatch(/^ {2}n=10 {2}accuracy 70\.00%/);
  });

  it('colours only when asked, without changing the visible text', () => {
    const coloured = formatEvaluation(small, { color: true });
    expect(coloured).toMatch(ANSI);
    expect(strip(coloured)).toBe(text);
  });
});

describe('formatPerClassTable', () => {
  it('aligns columns: every line has the same length', () => {
    for (const set of [LABEL_SETS.digits, LABEL_SETS.alnum36, LABEL_SETS.byclass62]) {
      const lines = formatPerClassTable(synthetic(set.name, set, 1234)).split('\n');
      const lengths = new Set(lines.map((l) => l.length));
      expect(lengths.size, `${set.name}: ${[...lengths].join(', ')}`).toBe(1);
    }
    const coloured = formatPerClassTable(synthetic('x', LABEL_SETS.alnum36), {
      color: true,
    });
    expect(new Set(coloured.split('\n').map((l) => strip(l).length)).size).toBe(1);
  });

  it('fits 62 classes in at most 30 lines at the default width of 80', () => {
    const lines = formatPerClassTable(synthetic('byclass', LABEL_SETS.byclass62, 12000)).split(
      '\n',
    );
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(FORMAT_DEFAULTS.width);
    // Read down then across: the first row starts with 0, and all 62 classes appear.
    expect(lines[1]).toMatch(/^0 /);
    const shown = lines
      .slice(1)
      .flatMap((l) => [...l.matchAll(/(?:^| {4})(\S) /g)].map((m) => m[1]));
    expect(shown).toHaveLength(62);
    expect(new Set(shown).size).toBe(62);
  });

  it('uses one column when the width is narrow and shows "-" where a ratio is undefined', () => {
    const r = evaluatePredictions({
      name: 'gap',
      labelSet: abc,
      labels: [0, 1],
      predicted: [0, 0],
    });
    const lines = formatPerClassTable(r, { width: 20 }).split('\n');
    expect(lines).toHaveLength(4);
    // b is never predicted (precision "-"); c has no images (recall and F1 "-").
    expect(lines[2]).toMatch(/^b {4}- {2}0\.0 {2}0\.0 1$/);
    expect(lines[3]).toMatch(/^c {4}- {4}- {4}- 0$/);
  });
});

describe('formatMostConfused', () => {
  it('lists at most `confused` pairs and says when there are none', () => {
    expect(formatMostConfused(small, { confused: 2 }).split('\n')).toHaveLength(2);
    const perfect = evaluatePredictions({ name: 'p', labelSet: abc, labels: [0], predicted: [0] });
    expect(formatMostConfused(perfect)).toBe('no confusions');
  });
});

describe('formatSummaryTable', () => {
  it('shows one aligned row per test set', () => {
    const other = synthetic('other-set', abc);
    const all = mergeEvaluations('all', [small, other]);
    const lines = formatSummaryTable([small, other, all]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^test set +n +accuracy +merged +macro-F1$/);
    expect(lines[1]).toMatch(/^hand +10 +70\.00% +70\.00% +70\.71%$/);
    expect(lines[2]).toMatch(/^other-set +30 +90\.00% +90\.00% +90\.00%$/);
    expect(lines[3]).toMatch(/^all +40 +85\.00% /);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('adds a top-k column when every row has it with the same k', () => {
    const withK = (k: number): EvaluationResult =>
      evaluatePredictions({
        name: `k${k}`,
        labelSet: abc,
        labels: [0, 1],
        predicted: [0, 0],
        topK: { k, hits: [1, 1] },
      });
    expect(formatSummaryTable([withK(3), withK(3)]).split('\n')[0]).toMatch(/top-3$/);
    expect(formatSummaryTable([withK(3), withK(5)]).split('\n')[0]).toMatch(/macro-F1$/);
    expect(formatSummaryTable([withK(3), small]).split('\n')[0]).not.toMatch(/top-/);
  });

  it('adds the case-merged figures for a label set with both cases', () => {
    const byclass = LABEL_SETS.byclass62;
    const i = (c: string): number => byclass.classes.indexOf(c);
    const mixed = evaluatePredictions({
      name: 'mixed',
      labelSet: byclass,
      labels: ['c', 'o', 'a', 'b'].map(i),
      predicted: ['C', '0', 'a', 'd'].map(i),
    });
    const lines = formatSummaryTable([mixed]).split('\n');
    expect(lines[0]).toMatch(
      /^test set +n +accuracy +merged +case-merged +case\+look-alike +macro-F1$/,
    );
    expect(lines[1]).toMatch(/^mixed +4 +25\.00% +25\.00% +50\.00% +75\.00% /);
  });

  it('writes numbers with thousands separators', () => {
    const big = synthetic('big', LABEL_SETS.digits, 1000);
    expect(formatSummaryTable([big])).toMatch(/big +10,000 +99\.90%/);
  });
});

describe('resolveFormatOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveFormatOptions()).toEqual({
      perClass: true,
      color: false,
      width: 80,
      confused: 10,
    });
    expect(resolveFormatOptions({ width: 120, color: undefined })).toEqual({
      ...FORMAT_DEFAULTS,
      width: 120,
    });
  });
});
