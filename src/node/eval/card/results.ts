// The model card's figures from evaluation.json: the metrics on every test set, per class
// (marking low recall and its look-alike partner), and the most confused pairs with the note on
// inherently ambiguous ones.

import { confusionKind, type ClassMetrics, type EvaluationResult } from '../../../core/metrics.js';
import { pct, thousands } from '../../../core/format.js';
import { evaluationResults, type EvaluationReport } from '../../model/evaluation.js';
import { EVALUATION_FILE } from '../../model/files.js';
import { cell, table } from './markdown.js';

/** The result the per-class and confusion sections describe: all sets together, or the only one. */
export function mainResult(evaluation: EvaluationReport): EvaluationResult {
  return evaluation.combined ?? evaluation.results[0]!;
}

/** "## Metrics on every test set": one row per result, per-kind subsets and all sets together. */
export function metricsSection(evaluation: EvaluationReport): string {
  const all = evaluationResults(evaluation);
  const k = all.find((r) => r.topK !== undefined)?.topK;
  const withCase = all.some((r) => r.accuracyCaseMerged !== undefined);
  const header = ['Test set', 'Images', 'Accuracy', 'Look-alikes merged'];
  if (withCase) header.push('Case merged', 'Case and look-alikes merged');
  header.push('Macro-F1');
  if (k !== undefined) header.push(`Top-${k}`);
  const pairs = mainResult(evaluation).mergedPairs;
  const rows = all.map((r) => {
    const name = r === evaluation.combined ? `**all test sets** (\`${r.name}\`)` : `\`${r.name}\``;
    const row = [name, thousands(r.count), pct(r.accuracy), pct(r.accuracyMerged)];
    if (withCase) {
      for (const value of [r.accuracyCaseMerged, r.accuracyCaseLookalikeMerged]) {
        row.push(value === undefined ? '—' : pct(value));
      }
    }
    row.push(pct(r.macro.f1));
    if (k !== undefined) {
      row.push(r.topK === k && r.topKAccuracy !== undefined ? pct(r.topKAccuracy) : '—');
    }
    return row;
  });
  return [
    '## Metrics on every test set',
    '',
    `From ${EVALUATION_FILE} (evaluated ${evaluation.createdAt}). A name like \`emnist-test/digits\` ` +
      'is one kind of character (digits, capitals, lowercase) within that test set. ' +
      (pairs.length > 0
        ? `*Look-alikes merged* counts a prediction of ${pairs.map(([a, b]) => `${a} for ${b}`).join(', ')} (and the reverse) as correct.`
        : '*Look-alikes merged* equals accuracy here: no look-alike pair is in this label set.') +
      (withCase
        ? ' *Case merged* counts the other case of c, k, m, o, p, s, u, v, w, x, y and z as ' +
          'correct (the same shape once cut out of the line); *case and look-alikes merged* also ' +
          'joins the look-alikes (o/O/0, l/I/1, s/S/5, z/Z/2).'
        : '') +
      (k !== undefined ? ` *Top-${k}*: the true class is among the ${k} most probable.` : ''),
    '',
    table(header, rows, `l${'r'.repeat(header.length - 1)}`),
  ].join('\n');
}

/** Recall of class `i` counting a prediction of its look-alike partner(s) as correct. */
function mergedRecall(result: EvaluationResult, k: ClassMetrics): number {
  const i = result.classes.indexOf(k.class);
  const row = result.confusion[i];
  if (!row || k.support === 0) return 0;
  let hits = row[i] ?? 0;
  for (const [a, b] of result.mergedPairs) {
    const partner = a === k.class ? b : b === k.class ? a : null;
    if (partner !== null) hits += row[result.classes.indexOf(partner)] ?? 0;
  }
  return hits / k.support;
}

/** How the per-class and confusion sections name the result they describe, with its size. */
export function mainTitle(evaluation: EvaluationReport): string {
  const result = mainResult(evaluation);
  const images = `${thousands(result.count)} images`;
  return evaluation.combined
    ? `all test sets together (\`${result.name}\`, ${images})`
    : `\`${result.name}\` (${images})`;
}

/** The class `k` is most often mistaken for, with the count, e.g. "most often read as 6 (23)". */
function mostOftenReadAs(result: EvaluationResult, k: ClassMetrics): string {
  const i = result.classes.indexOf(k.class);
  const row = result.confusion[i] ?? [];
  let best = -1;
  row.forEach((n, j) => {
    if (j !== i && n > 0 && (best < 0 || n > row[best]!)) best = j;
  });
  return best < 0 ? '' : `most often read as ${result.classes[best]} (${thousands(row[best]!)})`;
}

function partnersOf(result: EvaluationResult, name: string): string[] {
  return result.mergedPairs.flatMap(([a, b]) => (a === name ? [b] : b === name ? [a] : []));
}

/** "## Per class": precision, recall and F1 of every class of the main result. */
export function perClassSection(evaluation: EvaluationReport, threshold: number): string {
  const result = mainResult(evaluation);
  const limit = pct(threshold).replace(/\.00%$/, '%');
  const low = result.perClass.filter((k) => k.support > 0 && k.recall < threshold);
  const withCase = result.perClass.some((k) => k.recallCaseMerged !== undefined);
  const rows = result.perClass.map((k) => {
    const partners = partnersOf(result, k.class);
    const notes: string[] = [];
    if (k.support > 0 && k.recall < threshold) {
      notes.push(
        `**recall under ${limit}**`,
        partners.length > 0
          ? `look-alike of ${partners.join(', ')}: ${pct(mergedRecall(result, k))} with the pair merged`
          : 'not in a look-alike pair',
      );
      const readAs = mostOftenReadAs(result, k);
      if (readAs) notes.push(readAs);
    }
    return [
      `\`${cell(k.class)}\``,
      k.predicted > 0 ? pct(k.precision) : '—',
      k.support > 0 ? pct(k.recall) : '—',
      ...(withCase ? [k.support > 0 ? pct(k.recallCaseMerged ?? k.recall) : '—'] : []),
      k.support > 0 ? pct(k.f1) : '—',
      thousands(k.support),
      notes.join(', '),
    ];
  });
  const inPairs = low.filter((k) => partnersOf(result, k.class).length > 0);
  const outside = low.filter((k) => partnersOf(result, k.class).length === 0);
  const list = (ks: ClassMetrics[]) => ks.map((k) => `${k.class} (${pct(k.recall)})`).join(', ');
  const summary =
    low.length === 0
      ? `Every class has a recall of at least ${limit}.`
      : [
          `${low.length} of ${result.perClass.length} classes have a recall under ${limit}.`,
          inPairs.length > 0 ? `In a look-alike pair: ${list(inPairs)}.` : '',
          outside.length > 0
            ? `Not in a look-alike pair: ${list(outside)}.`
            : 'None outside the look-alike pairs.',
        ]
          .filter(Boolean)
          .join(' ');
  return [
    '## Per class',
    '',
    `On ${mainTitle(evaluation)}. Precision: of the images predicted as ` +
      'the class, the share that are; recall: of the images of the class, the share found; ' +
      (withCase
        ? "case-merged recall: the same with the letter's other case counted as found (c/C, k/K, m/M, o/O, p/P, s/S, u/U, v/V, w/W, x/X, y/Y, z/Z); "
        : '') +
      '— where nothing was predicted or there is no test image.',
    '',
    summary,
    '',
    withCase
      ? table(
          ['Class', 'Precision', 'Recall', 'Case-merged recall', 'F1', 'Support', 'Note'],
          rows,
          'lrrrrrl',
        )
      : table(['Class', 'Precision', 'Recall', 'F1', 'Support', 'Note'], rows, 'lrrrrl'),
  ].join('\n');
}

/** "## Most confused pairs": the `count` most frequent mistakes of the main result. */
export function confusedSection(evaluation: EvaluationReport, count: number): string {
  const result = mainResult(evaluation);
  const pairs = result.mostConfused.slice(0, Math.max(0, count));
  const kinds = { lookalike: 'look-alike', confusable: 'similar shape', case: 'case' } as const;
  const correct = result.perClass.reduce((sum, k) => sum + k.correct, 0);
  const errors = result.count - correct;
  let withinPairs = 0;
  for (const [a, b] of result.mergedPairs) {
    const i = result.classes.indexOf(a);
    const j = result.classes.indexOf(b);
    withinPairs += (result.confusion[i]?.[j] ?? 0) + (result.confusion[j]?.[i] ?? 0);
  }
  const lines = ['## Most confused pairs', ''];
  if (pairs.length === 0) {
    lines.push(`No image was misclassified on ${mainTitle(evaluation)}.`);
  } else {
    lines.push(
      `On ${mainTitle(evaluation)}: ${thousands(errors)} misclassified` +
        (result.mergedPairs.length > 0
          ? `, ${thousands(withinPairs)} of them (${pct(errors > 0 ? withinPairs / errors : 0)}) between look-alike pairs.`
          : '.'),
      '',
      table(
        ['True', 'Predicted', 'Images', 'Share of the true class', 'Kind'],
        pairs.map((p) => {
          const kind = confusionKind(p.true, p.predicted);
          return [
            `\`${cell(p.true)}\``,
            `\`${cell(p.predicted)}\``,
            thousands(p.count),
            pct(p.share),
            kind ? kinds[kind] : '',
          ];
        }),
        'llrrl',
      ),
    );
  }
  lines.push(
    '',
    '**Inherently ambiguous pairs.** O and 0, I and 1, S and 5, Z and 2 are written with the same ' +
      'strokes by many people: an isolated O and 0 are often exactly the same shape, and no model ' +
      'can tell them apart from that one image. That is why every figure is also given with the ' +
      'look-alike pairs merged. In use, context ' +
      'resolves them: `hcr read` reads a whole line and decides a look-alike from its neighbours ' +
      '(a 0 among digits, an O among letters), and a label set without one of the two (e.g. ' +
      '`alnum35`, which has no zero) removes the question.',
  );
  return lines.join('\n');
}
