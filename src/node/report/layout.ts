// What a report holds, as data: the plots to draw (a file name and a vega-lite spec each), the
// sections of the page with their rows of figures (a plot by file name, or why it is missing),
// the page's title, notes and tables, and metrics.json. Built from already evaluated models;
// drawing and writing the files is write.ts's.

import type { TopLevelSpec } from 'vega-lite';
import { pct, thousands } from '../../core/format.js';
import type { EvaluationResult } from '../../core/metrics.js';
import type { ModelMetadata } from '../model/artifact.js';
import type { EpochRecord } from '../model/history.js';
import { confusionMatrixSpec } from './confusion.js';
import { trainingCurvesSpec, type CurveSeries } from './curves.js';
import type { HtmlSection, ReportPage } from './html.js';
import { imageDataUrls, sampleGridSpec } from './image-grids.js';
import { modelLabels, reportSets, type ReportModelInput } from './input.js';
import { mistakePlots, type MistakeOptions } from './mistakes.js';
import { perClassComparisonSpec, perClassSpec } from './per-class.js';
import type { MissingSample, SourceSample } from './samples.js';
import { metricsNote, metricsTable, modelTable } from './tables.js';

/** Base name of the training-curves plot (`curves.svg`, `curves.png`). */
export const CURVES_PLOT = 'curves';

/** A plot of the report: its file name without extension, and what to draw. */
export interface ReportPlot {
  readonly file: string;
  readonly spec: TopLevelSpec;
}

/** A plot that could not be drawn, and why. */
export interface MissingPlot {
  readonly plot: string;
  readonly reason: string;
}

/** One cell of a figure row: a plot of {@link ReportLayout.plots} by file, or why it is missing. */
export type LayoutFigure = { readonly plot: string } | { readonly missing: string };

/** A section of the page, with plots named by file (drawn into {@link HtmlSection}s later). */
export interface LayoutSection extends Omit<HtmlSection, 'rows'> {
  readonly rows: readonly (readonly LayoutFigure[])[];
}

/** What metrics.json holds. */
export interface ReportMetrics {
  readonly format: 'hcr-report';
  readonly version: 1;
  readonly generatedAt: string;
  readonly models: readonly {
    readonly label: string;
    readonly dir: string;
    readonly labelSet: ModelMetadata['labelSet'];
    readonly architecture: ModelMetadata['architecture'];
    readonly parameters: number | null;
    readonly training: ModelMetadata['training'];
    readonly history: readonly EpochRecord[] | null;
    readonly evaluation: {
      readonly reused: boolean;
      readonly reason: string | null;
      readonly createdAt: string;
      readonly results: readonly EvaluationResult[];
      readonly combined: EvaluationResult | null;
    };
  }[];
  /** The file names of every plot, in the order they are drawn. */
  readonly plots: readonly string[];
  readonly missing: readonly MissingPlot[];
}

/** Everything a report holds, before anything is drawn or written. */
export interface ReportLayout {
  /** Every plot to draw, in order. */
  readonly plots: readonly ReportPlot[];
  /** The page without its sections. */
  readonly page: Omit<ReportPage, 'sections'>;
  readonly sections: readonly LayoutSection[];
  readonly metrics: ReportMetrics;
  /** The plots that could not be drawn, and why (also on the page and in metrics.json). */
  readonly missing: readonly MissingPlot[];
}

/**
 * The epoch whose weights were saved: from hcr.json, else the lowest validation loss.
 *
 * @example
 * bestEpochOf(null, history); // the epoch of the lowest valLoss
 */
export function bestEpochOf(
  metadata: ModelMetadata | null,
  history: readonly EpochRecord[],
): number {
  const recorded = metadata?.training?.bestEpoch;
  if (recorded !== undefined && history.some((r) => r.epoch === recorded)) return recorded;
  return history.reduce((best, r) => (r.valLoss < best.valLoss ? r : best), history[0]!).epoch;
}

/** File-name friendly form of a name: `emnist-test`, `unipen-test-digits`. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  );
}

function withModelInTitle(spec: TopLevelSpec, label: string | null): TopLevelSpec {
  if (label === null) return spec;
  const title = spec.title as { text: string; subtitle?: string[] };
  return { ...spec, title: { ...title, text: `${title.text} (${label})` } } as TopLevelSpec;
}

/** The training curves: one plot, every model with a history on it. */
function curvesSection(
  models: readonly ReportModelInput[],
  labels: readonly string[],
  plots: ReportPlot[],
  missing: MissingPlot[],
): LayoutSection {
  const series: CurveSeries[] = [];
  models.forEach((m, i) => {
    if (m.history) {
      series.push({
        model: labels[i]!,
        history: m.history,
        bestEpoch: bestEpochOf(m.metadata, m.history),
      });
    } else {
      missing.push({
        plot: models.length > 1 ? `Training curves of ${labels[i]}` : 'Training curves',
        reason: m.historyNote ?? 'no training history',
      });
    }
  });
  if (series.length > 0) plots.push({ file: CURVES_PLOT, spec: trainingCurvesSpec(series) });
  return {
    id: 'curves',
    heading: 'Training curves',
    intro: 'How accuracy and loss developed while the model trained.',
    rows: [
      [
        series.length > 0
          ? { plot: CURVES_PLOT }
          : { missing: `training curves: ${models.map((m) => m.historyNote).join('; ')}` },
      ],
    ],
  };
}

/** The sample grids, one per source. */
async function samplesSection(
  samples: readonly SourceSample[],
  missingSamples: readonly MissingSample[],
  plots: ReportPlot[],
  missing: MissingPlot[],
): Promise<LayoutSection> {
  for (const s of samples) {
    const urls = await Promise.all(s.classes.map((c) => imageDataUrls(s.dataset, c.indices)));
    plots.push({
      file: `samples-${slug(s.source)}`,
      spec: sampleGridSpec({
        source: s.source,
        part: s.part,
        total: s.dataset.labels.length,
        classes: s.classes.map((c, k) => ({ label: c.label, count: c.count, urls: urls[k]! })),
      }),
    });
  }
  for (const m of missingSamples) {
    missing.push({ plot: `Sample images of ${m.source}`, reason: m.reason });
  }
  return {
    id: 'samples',
    heading: 'What the model sees',
    intro:
      'Random images from each data source, after the normalization every input goes through ' +
      '(grayscale, ink bright on dark, cropped, scaled into 20×20, centred by mass in 28×28).',
    rows:
      samples.length > 0
        ? samples.map((s) => [{ plot: `samples-${slug(s.source)}` }])
        : [[{ missing: 'no data source gave sample images' }]],
  };
}

/**
 * One test set ('all': every set pooled): per model, the confusion matrix, the per-class
 * figures, the most confident mistakes and the confused pairs, in rows side by side; with two
 * models, their per-class comparison above.
 */
async function testSetSection(
  key: string,
  title: string,
  models: readonly ReportModelInput[],
  labels: readonly string[],
  mistakes: MistakeOptions,
  plots: ReportPlot[],
  missing: MissingPlot[],
): Promise<LayoutSection> {
  const compare = models.length > 1;
  const rows: LayoutFigure[][] = [[], [], [], []];
  for (const [i, m] of models.entries()) {
    const label = compare ? labels[i]! : null;
    const prefix = compare ? `${slug(labels[i]!)}-` : '';
    const set = reportSets(m).find((s) => s.key === key);
    if (!set) {
      const reason = { missing: `${labels[i]} was not evaluated on ${title}` };
      for (const row of rows) row.push(reason);
      continue;
    }
    plots.push({
      file: `${prefix}confusion-${slug(key)}`,
      spec: withModelInTitle(
        confusionMatrixSpec(set.result, { title: `Confusion matrix: ${set.title}` }),
        label,
      ),
    });
    rows[0]!.push({ plot: `${prefix}confusion-${slug(key)}` });
    plots.push({
      file: `${prefix}per-class-${slug(key)}`,
      spec: withModelInTitle(perClassSpec({ ...set.result, name: set.title }), label),
    });
    rows[1]!.push({ plot: `${prefix}per-class-${slug(key)}` });

    const shown = await mistakePlots(m, set, mistakes);
    if ('missing' in shown) {
      const where = `${set.title}${label ? ` (${label})` : ''}`;
      missing.push({ plot: `Mistakes on ${where}`, reason: shown.missing });
      rows[2]!.push(shown);
      rows[3]!.push(shown);
      continue;
    }
    for (const [row, name, spec] of [
      [2, 'errors', shown.errors],
      [3, 'confused-pairs', shown.pairs],
    ] as const) {
      const file = `${prefix}${name}-${slug(key)}`;
      plots.push({ file, spec: withModelInTitle(spec, label) });
      rows[row]!.push({ plot: file });
    }
  }
  const pair = models.map((m) => reportSets(m).find((s) => s.key === key)?.result);
  if (compare && pair[0] && pair[1]) {
    const file = `compare-per-class-${slug(key)}`;
    plots.push({
      file,
      spec: perClassComparisonSpec([pair[0], pair[1]], [labels[0]!, labels[1]!], {
        setTitle: title,
      }),
    });
    rows.unshift([{ plot: file }]);
  }
  return {
    id: `set-${slug(key)}`,
    heading: key === 'all' ? 'All test sets together' : `Test set ${title}`,
    intro:
      key === 'all'
        ? 'Every test set pooled, as if one: the overall picture.'
        : `The images of ${title} only.`,
    ...(compare ? { columnHeads: labels } : {}),
    rows,
  };
}

/** The page's title, subtitle, notes and tables. */
function reportPage(
  models: readonly ReportModelInput[],
  labels: readonly string[],
  generatedAt: string,
  missing: readonly MissingPlot[],
): Omit<ReportPage, 'sections'> {
  const compare = models.length > 1;
  return {
    title: compare ? `hcr report: ${labels.join(' vs ')}` : `hcr report: ${labels[0]}`,
    subtitle: models
      .map((m, i) => {
        const all = m.evaluation.report.combined ?? m.evaluation.report.results[0]!;
        const arch = m.metadata.architecture.name;
        return (
          `${labels[i]}: ${arch} architecture, label set ${m.metadata.labelSet.name}` +
          `${m.parameters === null ? '' : `, ${thousands(m.parameters)} parameters`}; ` +
          `accuracy ${pct(all.accuracy)} on ${thousands(all.count)} test images`
        );
      })
      .join(' · '),
    generatedAt,
    notes: models.map((m, i) => {
      const e = m.evaluation;
      return e.reused
        ? `${labels[i]}: figures from ${m.dir}/evaluation.json (written ${e.report.createdAt}), which matches these weights and test images.`
        : `${labels[i]}: evaluated for this report (${e.reason ?? 'no saved evaluation'}).`;
    }),
    missing,
    modelTable: modelTable(models, labels),
    metricsTable: metricsTable(models),
    metricsNote: metricsNote(models, labels),
    wide: compare,
  };
}

/**
 * Lays out the report of already evaluated models (the first one's data gave `samples`): the
 * plots to draw, the page and metrics.json. Reads nothing from disk and writes nothing.
 *
 * @example
 * const layout = await layoutReport({ models: [input], samples, missingSamples: [],
 *   mistakes: { errorsShown: 40, pairsShown: 8, examplesPerPair: 8 }, generatedAt });
 * layout.plots[0].file; // 'curves'
 */
export async function layoutReport(params: {
  models: readonly ReportModelInput[];
  samples: readonly SourceSample[];
  missingSamples: readonly MissingSample[];
  mistakes: MistakeOptions;
  generatedAt: string;
}): Promise<ReportLayout> {
  const { models, generatedAt } = params;
  const labels = modelLabels(models);
  const plots: ReportPlot[] = [];
  const missing: MissingPlot[] = [];
  const sections: LayoutSection[] = [
    curvesSection(models, labels, plots, missing),
    await samplesSection(params.samples, params.missingSamples, plots, missing),
  ];
  // Every test set any model has figures for, in the order the models list them.
  const setTitles = new Map<string, string>();
  for (const m of models) for (const s of reportSets(m)) setTitles.set(s.key, s.title);
  for (const [key, title] of setTitles) {
    sections.push(
      await testSetSection(key, title, models, labels, params.mistakes, plots, missing),
    );
  }
  const metrics: ReportMetrics = {
    format: 'hcr-report',
    version: 1,
    generatedAt,
    models: models.map((m, i) => ({
      label: labels[i]!,
      dir: m.dir,
      labelSet: m.metadata.labelSet,
      architecture: m.metadata.architecture,
      parameters: m.parameters,
      training: m.metadata.training,
      history: m.history,
      evaluation: {
        reused: m.evaluation.reused,
        reason: m.evaluation.reason,
        createdAt: m.evaluation.report.createdAt,
        results: m.evaluation.report.results,
        combined: m.evaluation.report.combined,
      },
    })),
    plots: plots.map((p) => p.file),
    missing,
  };
  return {
    plots,
    page: reportPage(models, labels, generatedAt, missing),
    sections,
    metrics,
    missing,
  };
}
