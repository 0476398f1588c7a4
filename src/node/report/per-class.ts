// Per-class precision, recall and F1 as a bar chart sorted by F1 (worst first, where the reader
// should look), with each class's support (test images) in a panel beside it.

import type { TopLevelSpec } from 'vega-lite';
import type { EvaluationResult } from '../../core/metrics.js';
import { PLOT_CONFIG } from './render.js';

/** Height of one class's row in pixels. */
const ROW = 17;

/**
 * The per-class figures of one evaluation, for the classes the test set holds. Bars: F1;
 * ticks: precision and recall; right panel: support.
 *
 * @example
 * perClassSpec(report.results[0]);
 */
export function perClassSpec(result: EvaluationResult): TopLevelSpec {
  const present = result.perClass.filter((k) => k.support > 0);
  const sorted = [...present].sort(
    (a, b) => a.f1 - b.f1 || result.classes.indexOf(a.class) - result.classes.indexOf(b.class),
  );
  const order = sorted.map((k) => k.class);
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const rows = sorted.flatMap((k) => {
    const description =
      `${k.class}: precision ${pct(k.precision)}, recall ${pct(k.recall)}, F1 ${pct(k.f1)}; ` +
      `${k.support.toLocaleString('en-US')} test images, ${k.correct.toLocaleString('en-US')} correct, ` +
      `${k.predicted.toLocaleString('en-US')} predicted as ${k.class}`;
    return [
      { class: k.class, measure: 'F1', value: k.f1, description },
      { class: k.class, measure: 'Precision', value: k.precision, description },
      { class: k.class, measure: 'Recall', value: k.recall, description },
    ];
  });
  const support = sorted.map((k) => ({
    class: k.class,
    support: k.support,
    label: k.support.toLocaleString('en-US'),
    description: `${k.class}: ${k.support.toLocaleString('en-US')} test images`,
  }));
  const y = {
    field: 'class',
    type: 'ordinal',
    sort: order,
    scale: { domain: order },
    title: 'Class (worst F1 first)',
    axis: { labelFontWeight: 'bold', labelFontSize: 12, labelOverlap: false },
  };
  const colour = {
    field: 'measure',
    type: 'nominal',
    title: 'Measure',
    scale: { domain: ['F1', 'Precision', 'Recall'], range: ['#6baed6', '#d62728', '#2ca02c'] },
    legend: { orient: 'top', direction: 'horizontal', symbolType: 'square' },
  };
  const x = {
    field: 'value',
    type: 'quantitative',
    title: 'Score',
    scale: { domain: [0, 1] },
    axis: { format: '.0%', orient: 'top', grid: true },
  };
  const height = Math.max(1, order.length) * ROW;
  return {
    config: PLOT_CONFIG,
    title: {
      text: `Precision, recall and F1 per class: ${result.name}`,
      subtitle: [
        `Sorted by F1, worst first. Macro F1 ${pct(result.macro.f1)}; accuracy ${pct(result.accuracy)} on ${result.count.toLocaleString('en-US')} images.`,
        'Bars: F1. Ticks: precision (share of images predicted as the class that are it) and recall (share of its',
        'images found). Dashed line: macro F1. Right: test images per class.',
      ],
    },
    hconcat: [
      {
        width: 460,
        height,
        layer: [
          {
            data: { values: rows },
            transform: [{ filter: "datum.measure === 'F1'" }],
            mark: { type: 'bar', height: ROW - 5 },
            encoding: { y, x, color: colour, description: { field: 'description' } },
          },
          {
            data: { values: rows },
            transform: [{ filter: "datum.measure !== 'F1'" }],
            mark: { type: 'tick', thickness: 3, size: ROW - 3, aria: false },
            encoding: { y, x, color: colour },
          },
          {
            data: {
              values: [{ macro: result.macro.f1, label: `macro F1 ${pct(result.macro.f1)}` }],
            },
            mark: { type: 'rule', strokeDash: [4, 3], color: '#555', aria: false },
            encoding: { x: { field: 'macro', type: 'quantitative' } },
          },
        ],
      },
      {
        width: 160,
        height,
        data: { values: support },
        layer: [
          {
            mark: { type: 'bar', color: '#bbb', height: ROW - 5 },
            encoding: {
              y: { ...y, axis: null, title: null },
              x: {
                field: 'support',
                type: 'quantitative',
                title: 'Test images (support)',
                // Room after the longest bar for its number.
                scale: { domain: [0, Math.max(1, ...sorted.map((k) => k.support)) * 1.45] },
                axis: {
                  orient: 'top',
                  tickCount: 3,
                  labelExpr:
                    "datum.value >= 1000 ? format(datum.value / 1000, '~g') + 'k' : datum.label",
                },
              },
              description: { field: 'description' },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 3, fontSize: 11, aria: false },
            encoding: {
              y: { ...y, axis: null, title: null },
              x: { field: 'support', type: 'quantitative' },
              text: { field: 'label' },
            },
          },
        ],
      },
    ],
    spacing: 8,
  } as unknown as TopLevelSpec;
}
