// Per-class precision, recall and F1 as a bar chart sorted by F1 (worst first, where the reader
// should look), with each class's support (test images) in a panel beside it.

import type { TopLevelSpec } from 'vega-lite';
import type { EvaluationResult } from '../../core/metrics.js';
import { pct, thousands } from '../../core/format.js';
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
  const rows = sorted.flatMap((k) => {
    const description =
      `${k.class}: precision ${pct(k.precision, 1)}, recall ${pct(k.recall, 1)}, F1 ${pct(k.f1, 1)}; ` +
      `${thousands(k.support)} test images, ${thousands(k.correct)} correct, ` +
      `${thousands(k.predicted)} predicted as ${k.class}`;
    return [
      { class: k.class, measure: 'F1', value: k.f1, description },
      { class: k.class, measure: 'Precision', value: k.precision, description },
      { class: k.class, measure: 'Recall', value: k.recall, description },
    ];
  });
  const support = sorted.map((k) => ({
    class: k.class,
    support: k.support,
    label: thousands(k.support),
    description: `${k.class}: ${thousands(k.support)} test images`,
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
        `Sorted by F1, worst first. Macro F1 ${pct(result.macro.f1, 1)}; accuracy ${pct(result.accuracy, 1)} on ${thousands(result.count)} images.`,
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
              values: [{ macro: result.macro.f1, label: `macro F1 ${pct(result.macro.f1, 1)}` }],
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

/**
 * Two models' per-class F1 on the same test set: a dot for each model per class, joined by a
 * line, sorted by the change from the first model to the second (largest loss first), with
 * the change in percentage points beside it.
 *
 * @example
 * perClassComparisonSpec([resultA, resultB], ['default-lr2', 'cw05']);
 */
export function perClassComparisonSpec(
  results: readonly [EvaluationResult, EvaluationResult],
  models: readonly [string, string],
  options: { setTitle?: string } = {},
): TopLevelSpec {
  const [a, b] = results;
  const classes = a.classes.filter((c) => {
    const ka = a.perClass.find((k) => k.class === c);
    const kb = b.perClass.find((k) => k.class === c);
    return ka !== undefined && kb !== undefined && (ka.support > 0 || kb.support > 0);
  });
  const f1 = (r: EvaluationResult, c: string) => r.perClass.find((k) => k.class === c)!.f1;
  const deltas = classes
    .map((c) => ({ class: c, a: f1(a, c), b: f1(b, c), delta: f1(b, c) - f1(a, c) }))
    .sort((x, y) => x.delta - y.delta || a.classes.indexOf(x.class) - a.classes.indexOf(y.class));
  const order = deltas.map((d) => d.class);
  const points1 = (d: number) => {
    const text = Math.abs(d * 100).toFixed(1);
    return text === '0.0' ? text : `${d >= 0 ? '+' : '−'}${text}`;
  };
  const points = deltas.flatMap((d) => [
    {
      class: d.class,
      model: models[0],
      f1: d.a,
      description: `${d.class}: F1 ${pct(d.a, 1)} with ${models[0]}`,
    },
    {
      class: d.class,
      model: models[1],
      f1: d.b,
      description: `${d.class}: F1 ${pct(d.b, 1)} with ${models[1]}`,
    },
  ]);
  const change = deltas.map((d) => ({
    class: d.class,
    delta: d.delta * 100,
    low: Math.min(d.a, d.b),
    high: Math.max(d.a, d.b),
    direction: d.delta >= 0 ? 'better' : 'worse',
    label: points1(d.delta),
    description: `${d.class}: F1 ${pct(d.a, 1)} → ${pct(d.b, 1)} (${points1(d.delta)} points)`,
  }));
  const lowest = Math.min(...deltas.flatMap((d) => [d.a, d.b]), 1);
  const domainStart = Math.max(0, Math.floor(lowest * 10) / 10);
  const y = {
    field: 'class',
    type: 'ordinal',
    sort: order,
    scale: { domain: order },
    title: 'Class (largest loss first)',
    axis: { labelFontWeight: 'bold', labelFontSize: 12, labelOverlap: false },
  };
  const height = Math.max(1, order.length) * ROW;
  const maxChange = Math.max(1, ...change.map((c) => Math.abs(c.delta)));
  return {
    config: PLOT_CONFIG,
    title: {
      text: `F1 per class, ${models[0]} vs ${models[1]}: ${options.setTitle ?? a.name}`,
      subtitle: [
        `Left: each class's F1 with both models (macro F1 ${pct(a.macro.f1, 1)} vs ${pct(b.macro.f1, 1)}).`,
        `Right: the change from ${models[0]} to ${models[1]} in percentage points; sorted by it, largest loss first.`,
      ],
    },
    hconcat: [
      {
        width: 420,
        height,
        layer: [
          {
            data: { values: change },
            mark: { type: 'rule', color: '#999', strokeWidth: 2, aria: false },
            encoding: {
              y,
              x: { field: 'low', type: 'quantitative', scale: { domain: [domainStart, 1] } },
              x2: { field: 'high' },
            },
          },
          {
            data: { values: points },
            mark: { type: 'point', filled: true, size: 70, opacity: 1 },
            encoding: {
              y,
              x: {
                field: 'f1',
                type: 'quantitative',
                title: 'F1',
                scale: { domain: [domainStart, 1] },
                axis: { format: '.0%', orient: 'top', grid: true },
              },
              color: {
                field: 'model',
                type: 'nominal',
                title: 'Model',
                scale: { domain: [...models], range: ['#1f77b4', '#ff7f0e'] },
                legend: { orient: 'top', direction: 'horizontal' },
              },
              description: { field: 'description' },
            },
          },
        ],
      },
      {
        width: 200,
        height,
        data: { values: change },
        layer: [
          {
            mark: { type: 'bar', height: ROW - 5 },
            encoding: {
              y: { ...y, axis: null, title: null },
              x: {
                field: 'delta',
                type: 'quantitative',
                title: 'Change in F1 (points)',
                scale: { domain: [-maxChange * 1.3, maxChange * 1.3] },
                axis: { orient: 'top', tickCount: 5 },
              },
              color: {
                field: 'direction',
                type: 'nominal',
                scale: { domain: ['better', 'worse'], range: ['#2ca02c', '#d62728'] },
                legend: null,
              },
              description: { field: 'description' },
            },
          },
          // The change written at the end of its bar, outside it.
          ...(['better', 'worse'] as const).map((direction) => ({
            transform: [{ filter: `datum.direction === '${direction}'` }],
            mark: {
              type: 'text',
              fontSize: 10,
              align: direction === 'better' ? 'left' : 'right',
              dx: direction === 'better' ? 3 : -3,
              aria: false,
            },
            encoding: {
              y: { ...y, axis: null, title: null },
              x: { field: 'delta', type: 'quantitative' },
              text: { field: 'label' },
            },
          })),
        ],
      },
    ],
    spacing: 8,
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}
