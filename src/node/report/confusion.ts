// The confusion matrix as a heat map: true class down, predicted class across, the image count
// in every non-empty cell, coloured by its share of the true class. Correct predictions (the
// diagonal) and errors have separate colour scales, the errors' logarithmic, so that a 0.3%
// confusion stands out next to a 99% diagonal. Cell size and fonts scale with the number of
// classes so that 62 classes stay legible; hovering a cell shows the raw counts.

import type { TopLevelSpec } from 'vega-lite';
import type { EvaluationResult } from '../../core/metrics.js';
import { thousands } from '../../core/format.js';
import { PLOT_CONFIG } from './render.js';
import { textWidth } from './text-width.js';

/** Cell size in pixels and font sizes for a matrix of `classes` classes. */
export function confusionLayout(classes: number): {
  cell: number;
  countFont: number;
  labelFont: number;
} {
  const cell = classes <= 20 ? 36 : Math.max(20, Math.floor(1000 / classes));
  return {
    cell,
    countFont: Math.min(12, Math.round(cell * 0.4 * 10) / 10),
    labelFont: Math.min(13, Math.max(10, Math.round(cell * 0.6))),
  };
}

/**
 * A count in at most 4 characters: 987, 1.2k, 12k, 123k.
 *
 * @example
 * compactCount(1234); // '1.2k'
 */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 9950) return `${(n / 1000).toFixed(1)}k`;
  if (n < 999500) return `${Math.round(n / 1000)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

/**
 * The confusion matrix of one evaluation. Rows are the classes present in the test set,
 * columns those present or predicted, both in label-set order.
 *
 * @example
 * confusionMatrixSpec(report.combined ?? report.results[0]);
 */
export function confusionMatrixSpec(
  result: EvaluationResult,
  options: { title?: string } = {},
): TopLevelSpec {
  const n = result.classes.length;
  const rows = result.classes.filter((_, t) => result.perClass[t]!.support > 0);
  const columns = result.classes.filter(
    (_, p) => result.perClass[p]!.support > 0 || result.perClass[p]!.predicted > 0,
  );
  const { cell, countFont, labelFont } = confusionLayout(Math.max(rows.length, columns.length));
  const cells: {
    true: string;
    predicted: string;
    count: number;
    share: number;
    label: string;
    description: string;
  }[] = [];
  for (let t = 0; t < n; t++) {
    const support = result.perClass[t]!.support;
    for (let p = 0; p < n; p++) {
      const count = result.confusion[t]![p]!;
      if (count === 0) continue;
      const share = count / support;
      const trueLabel = result.classes[t]!;
      const predicted = result.classes[p]!;
      const what = t === p ? 'correct' : 'error';
      cells.push({
        true: trueLabel,
        predicted,
        count,
        share,
        // The exact count when it fits the cell, else a compact one (1.2k); hover shows it all.
        label:
          textWidth(String(count), countFont) <= cell * 0.9 - 2
            ? String(count)
            : compactCount(count),
        description:
          `true ${trueLabel}, predicted ${predicted} (${what}): ${thousands(count)} of ` +
          `${thousands(support)} images of ${trueLabel} (${(share * 100).toFixed(2)}%)`,
      });
    }
  }
  const x = {
    field: 'predicted',
    type: 'ordinal',
    title: 'Predicted class',
    sort: columns,
    scale: { domain: columns, paddingInner: 0.06, paddingOuter: 0.03 },
    axis: {
      orient: 'top',
      labelAngle: 0,
      labelFontSize: labelFont,
      labelOverlap: false,
      labelFontWeight: 'bold',
      domain: false,
      ticks: false,
    },
  };
  const y = {
    field: 'true',
    type: 'ordinal',
    title: 'True class',
    sort: rows,
    scale: { domain: rows, paddingInner: 0.06, paddingOuter: 0.03 },
    axis: {
      labelFontSize: labelFont,
      labelOverlap: false,
      labelFontWeight: 'bold',
      domain: false,
      ticks: false,
    },
  };
  const isCorrect = 'datum.true === datum.predicted';
  const legendLength = Math.min(260, Math.max(120, rows.length * cell * 0.45));
  return {
    config: PLOT_CONFIG,
    title: {
      text: options.title ?? `Confusion matrix: ${result.name}`,
      subtitle: [
        `${thousands(result.count)} test images; rows: true class, columns: predicted class; numbers: images.`,
        'Colour: share of the true class’s images. Blue: correct (the diagonal); red: errors, on a log scale so small ones show.',
      ],
    },
    width: { step: cell },
    height: { step: cell },
    layer: [
      {
        data: { values: cells },
        transform: [{ filter: isCorrect }],
        mark: { type: 'rect', cornerRadius: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'share',
            type: 'quantitative',
            title: ['Correct', '(share of class)'],
            scale: { scheme: 'blues', domain: [0, 1] },
            legend: { format: '.0%', gradientLength: legendLength, orient: 'right' },
          },
          description: { field: 'description', type: 'nominal' },
        },
      },
      {
        data: { values: cells },
        transform: [{ filter: `!(${isCorrect})` }],
        mark: { type: 'rect', cornerRadius: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'share',
            type: 'quantitative',
            title: ['Errors', '(share of class)'],
            scale: {
              type: 'log',
              scheme: { name: 'orangered', extent: [0.2, 1] },
              domain: [0.001, 0.3],
              clamp: true,
            },
            legend: {
              format: '.1~%',
              values: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3],
              gradientLength: legendLength,
              orient: 'right',
            },
          },
          description: { field: 'description', type: 'nominal' },
        },
      },
      {
        data: { values: cells },
        mark: { type: 'text', fontSize: countFont, aria: false },
        encoding: {
          x,
          y,
          text: { field: 'label', type: 'nominal' },
          color: {
            condition: {
              test: `(${isCorrect} && datum.share > 0.45) || (!(${isCorrect}) && datum.share > 0.06)`,
              value: 'white',
            },
            value: '#111',
          },
        },
      },
    ],
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}
