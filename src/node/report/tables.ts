// The report's tables: what each model is (architecture, data, split, hyperparameters, time,
// weights) and each test set's figures side by side, with the note on where the figures come
// from. Pure: models in, HtmlTable out.

import { duration, pct, thousands } from '../../core/format.js';
import type { EvaluationResult } from '../../core/metrics.js';
import { MODEL_FILES } from '../model/files.js';
import type { HtmlTable } from './html.js';
import type { ReportModelInput } from './input.js';

/** How the compared models are called in table heads. */
export const LETTERS = ['A', 'B'];

/** The table of what each model is: directory, architecture, data, split, hyperparameters, time. */
export function modelTable(
  models: readonly ReportModelInput[],
  labels: readonly string[],
): HtmlTable {
  const rows: [string, (m: ReportModelInput) => string][] = [
    ['Directory', (m) => m.dir],
    [
      'Architecture',
      (m) => {
        const options = Object.entries(m.metadata.architecture.options);
        return options.length
          ? `${m.metadata.architecture.name} (${options.map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')})`
          : m.metadata.architecture.name;
      },
    ],
    ['Parameters', (m) => (m.parameters === null ? 'unknown' : thousands(m.parameters))],
    [
      'Label set',
      (m) =>
        `${m.metadata.labelSet.name}: ${m.metadata.labelSet.classes.length} classes (${m.metadata.labelSet.classes.join(' ')})`,
    ],
    ['Normalization', (m) => `version ${m.metadata.normalization.version}`],
    [
      'Training data',
      (m) => {
        const t = m.metadata.training;
        if (!t || t.data.length === 0) return 'not recorded';
        return t.data
          .map(
            (d) =>
              `${d.source}: ${thousands(d.counts.train)} train, ${thousands(d.counts.validation)} validation, ` +
              `${thousands(d.counts.test)} test` +
              (d.splitSeed === null ? '' : ` (split once, seed ${d.splitSeed})`),
          )
          .join('\n');
      },
    ],
    [
      'Split',
      (m) => {
        const t = m.metadata.training;
        if (!t) return 'not recorded';
        const share = t.hyperparameters.validationFraction;
        return `validation held out with seed ${t.splitSeed}${share === undefined ? '' : `, ${pct(share, 0)} of each training part`}; official test sets kept`;
      },
    ],
    [
      'Hyperparameters',
      (m) => {
        const h = m.metadata.training?.hyperparameters;
        if (!h) return 'not recorded';
        const skip = new Set(['sources', 'architecture', 'validationFraction']);
        return Object.entries(h)
          .filter(([k]) => !skip.has(k))
          .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
          .join(', ');
      },
    ],
    [
      'Epochs',
      (m) => {
        const t = m.metadata.training;
        return t ? `${t.epochs} trained, best (saved) epoch ${t.bestEpoch}` : 'not recorded';
      },
    ],
    [
      'Time taken',
      (m) => (m.metadata.training ? duration(m.metadata.training.durationSeconds) : 'not recorded'),
    ],
    [
      'Backend',
      (m) => `${m.metadata.training?.backend ?? 'not recorded'} (tfjs ${m.metadata.tfjsVersion})`,
    ],
    ['Created', (m) => m.metadata.createdAt],
    ['Weights SHA-256', (m) => m.metadata.files[MODEL_FILES.weights]?.sha256 ?? 'not recorded'],
  ];
  return {
    head: ['', ...labels.map((l, i) => (models.length > 1 ? `${LETTERS[i]}: ${l}` : l))],
    rows: rows.map(([name, value]) => [name, ...models.map(value)]),
    highlight:
      models.length > 1
        ? rows.flatMap(([name, value], r) =>
            name !== 'Directory' && name !== 'Created' && new Set(models.map(value)).size > 1
              ? [r]
              : [],
          )
        : [],
  };
}

/** The table of every test set's figures, one column per model (and their difference). */
export function metricsTable(models: readonly ReportModelInput[]): HtmlTable {
  const all = (m: ReportModelInput) => {
    const report = m.evaluation.report;
    return report.combined ? [...report.results, report.combined] : report.results;
  };
  const names: string[] = [];
  for (const m of models) for (const r of all(m)) if (!names.includes(r.name)) names.push(r.name);
  const display = (name: string) => (name === 'all' ? 'all test sets' : name);
  const topK = (r: EvaluationResult | undefined) =>
    r?.topKAccuracy === undefined ? '–' : pct(r.topKAccuracy);
  const fig = (r: EvaluationResult | undefined, f: (r: EvaluationResult) => number) =>
    r ? pct(f(r)) : '–';
  const delta = (
    a: EvaluationResult | undefined,
    b: EvaluationResult | undefined,
    f: (r: EvaluationResult) => number,
  ) => {
    if (!a || !b) return '–';
    const d = (f(b) - f(a)) * 100;
    return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}`;
  };
  const k = models[0]!.evaluation.report.results[0]?.topK ?? 3;
  if (models.length === 1) {
    const m = models[0]!;
    return {
      head: [
        'Test set',
        'Images',
        'Accuracy',
        'Look-alikes merged',
        'Macro precision',
        'Macro recall',
        'Macro F1',
        `Top-${k}`,
      ],
      numeric: [false, true, true, true, true, true, true, true],
      rows: names.map((name) => {
        const r = all(m).find((x) => x.name === name)!;
        return [
          display(name),
          thousands(r.count),
          pct(r.accuracy),
          pct(r.accuracyMerged),
          pct(r.macro.precision),
          pct(r.macro.recall),
          pct(r.macro.f1),
          topK(r),
        ];
      }),
      strong: names.flatMap((n, i) => (n === 'all' ? [i] : [])),
    };
  }
  const [a, b] = [models[0]!, models[1]!];
  const [la, lb] = [LETTERS[0]!, LETTERS[1]!];
  return {
    head: [
      'Test set',
      'Images',
      `Accuracy ${la}`,
      `Accuracy ${lb}`,
      `Δ ${lb}−${la}`,
      `Merged ${la}`,
      `Merged ${lb}`,
      `Macro F1 ${la}`,
      `Macro F1 ${lb}`,
      `Δ ${lb}−${la}`,
      `Top-${k} ${la}`,
      `Top-${k} ${lb}`,
    ],
    numeric: [false, ...new Array<boolean>(11).fill(true)],
    rows: names.map((name) => {
      const ra = all(a).find((x) => x.name === name);
      const rb = all(b).find((x) => x.name === name);
      const count =
        ra && rb && ra.count !== rb.count
          ? `${thousands(ra.count)} / ${thousands(rb.count)}`
          : thousands((ra ?? rb)!.count);
      return [
        display(name),
        count,
        fig(ra, (r) => r.accuracy),
        fig(rb, (r) => r.accuracy),
        delta(ra, rb, (r) => r.accuracy),
        fig(ra, (r) => r.accuracyMerged),
        fig(rb, (r) => r.accuracyMerged),
        fig(ra, (r) => r.macro.f1),
        fig(rb, (r) => r.macro.f1),
        delta(ra, rb, (r) => r.macro.f1),
        topK(ra),
        topK(rb),
      ];
    }),
    strong: names.flatMap((n, i) => (n === 'all' ? [i] : [])),
  };
}

/** Where each model's figures come from (reused evaluation.json or evaluated now). */
export function metricsNote(
  models: readonly ReportModelInput[],
  labels: readonly string[],
): string {
  const first = models[0]!.evaluation.report.results[0];
  const merged = first?.mergedPairs.map(([x, y]) => `${x}/${y}`).join(', ');
  return (
    (merged
      ? `"Look-alikes merged" also counts ${merged} predicted for each other as correct (handwriting cannot tell them apart without context). `
      : '') +
    'Macro figures are unweighted means over the classes present in the set. ' +
    `Top-${first?.topK ?? 3}: the true class is among the ${first?.topK ?? 3} most probable. ` +
    'Rows with a slash hold one kind of character of a mixed set.' +
    (models.length > 1
      ? ` A = ${labels[0]}, B = ${labels[1]}; Δ B−A: B minus A in percentage points.`
      : '')
  );
}
