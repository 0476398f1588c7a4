// `hcr report`: everything a reader needs to judge a model, as files. Loads the model (and a
// second one to compare), plans the same test sets `hcr evaluate` uses, reuses evaluation.json
// when it matches the weights and the test images (else evaluates), draws every plot as SVG
// and PNG, writes metrics.json and one self-contained report.html. The report directory is
// replaced atomically, so a reader never sees half a report.

import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { HcrError } from '../../core/errors.js';
import { confusionKind, type EvaluationResult } from '../../core/metrics.js';
import { pct, thousands } from '../../core/format.js';
import type { DataPlan, PlanProgress } from '../data/plan.js';
import { replaceDirectoryAtomic, writeFileAtomic } from '../fs-atomic.js';
import { loadModel, type ModelMetadata } from '../model/artifact.js';
import type { TestSetErrors } from '../model/evaluation.js';
import { readHistory, type EpochRecord } from '../model/history.js';
import { modelPlanOptions, planTestsFor } from '../model/plan.js';
import { confusionMatrixSpec } from './confusion.js';
import { trainingCurvesSpec, type CurveSeries } from './curves.js';
import { obtainEvaluation } from './evaluation.js';
import { renderReportHtml, type HtmlFigure, type HtmlSection } from './html.js';
import {
  confusedPairsSpec,
  imageDataUrls,
  sampleGridSpec,
  worstErrorsSpec,
  type ConfusedPairExamples,
  type ErrorExample,
} from './image-grids.js';
import { perClassComparisonSpec, perClassSpec } from './per-class.js';
import { renderSpec, renderSvg, svgToPng, type RenderedPlot } from './render.js';
import { pickSourceSamples, type MissingSample, type SourceSample } from './samples.js';
import { modelLabels, reportSets, type ReportModelInput } from './input.js';
import { metricsNote, metricsTable, modelTable } from './tables.js';

export type { ReportModelInput } from './input.js';

/** Name of the page in a report directory. */
export const REPORT_HTML = 'report.html';
/** Name of the metrics file in a report directory. */
export const REPORT_METRICS = 'metrics.json';
/** Base name of the training-curves plot (`curves.svg`, `curves.png`). */
export const CURVES_PLOT = 'curves';

/** Options of {@link writeReport}; `modelDir`, `dataDir` and `cacheDir` are required. */
export interface ReportOptions {
  /** The model directory to report on. */
  readonly modelDir: string;
  /** A second model directory to show side by side. Default: none. */
  readonly compareDir?: string;
  /** Where the report goes. Default: {@link reportDirFor}(modelDir), i.e. `MODEL_DIR.report`. */
  readonly outDir?: string;
  readonly dataDir: string;
  readonly cacheDir: string;
  /** Sources to test on and sample from. Default: every source present (as `hcr evaluate`). */
  readonly sources?: readonly string[];
  /** A data plan already built for `modelDir` (e.g. by `hcr train`). Default: planned here. */
  readonly plan?: DataPlan;
  /** Sample images per class in each source's grid. Default: 6. */
  readonly samplesPerClass?: number;
  /** Images in the most-confident-mistakes grid. Default: 40. */
  readonly errorsShown?: number;
  /** Confused pairs shown. Default: 8. */
  readonly pairsShown?: number;
  /** Examples per confused pair. Default: 8. */
  readonly examplesPerPair?: number;
  /** Seed of the sample picks. Default: 1. */
  readonly seed?: number;
  /** Save a new evaluation as evaluation.json next to the model. Default: true. */
  readonly save?: boolean;
  /** Images per forward pass while evaluating. Default: the inference default. */
  readonly batchSize?: number;
  readonly onProgress?: (event: ReportEvent) => void;
  /** The clock (injected in tests). Default: `() => new Date()`. */
  readonly now?: () => Date;
}

/** The defaults of {@link ReportOptions}. */
export const REPORT_DEFAULTS = Object.freeze({
  samplesPerClass: 6,
  errorsShown: 40,
  pairsShown: 8,
  examplesPerPair: 8,
  seed: 1,
  save: true,
});

/** Progress events of {@link writeReport}. */
export type ReportEvent =
  | { phase: 'load'; model: string }
  | { phase: 'data'; model: string; progress: PlanProgress }
  | { phase: 'evaluate'; model: string; done: number; total: number; testSet: string }
  | { phase: 'evaluation'; model: string; reused: boolean; reason: string | null }
  | { phase: 'plot'; file: string; done: number; total: number }
  | { phase: 'written'; dir: string };

/** A plot that could not be drawn, and why. */
export interface MissingPlot {
  readonly plot: string;
  readonly reason: string;
}

/** What {@link writeReport} wrote. */
export interface ReportResult {
  readonly outDir: string;
  /** Path of report.html. */
  readonly html: string;
  /** Every file written, relative to `outDir`. */
  readonly files: readonly string[];
  readonly missing: readonly MissingPlot[];
  /** Per model: whether evaluation.json was reused, or why it was evaluated again. */
  readonly evaluations: readonly { dir: string; reused: boolean; reason: string | null }[];
}

/**
 * The default report directory of a model directory: a sibling named `MODEL_DIR.report` (not
 * inside the model, which training replaces whole whenever it saves a better model).
 *
 * @example
 * reportDirFor('runs/default/'); // 'runs/default.report'
 */
export function reportDirFor(modelDir: string): string {
  return `${modelDir.replace(/[\\/]+$/, '')}.report`;
}

/** The epoch whose weights were saved: from hcr.json, else the lowest validation loss. */
function bestEpochOf(metadata: ModelMetadata | null, history: readonly EpochRecord[]): number {
  const recorded = metadata?.training?.bestEpoch;
  if (recorded !== undefined && history.some((r) => r.epoch === recorded)) return recorded;
  return history.reduce((best, r) => (r.valLoss < best.valLoss ? r : best), history[0]!).epoch;
}

/**
 * Writes the training curves (curves.svg and curves.png) into `outDir`, e.g. after every epoch
 * of a run being watched (`epochs`: its budget, where the epoch axis ends). Returns the two
 * file names.
 *
 * @example
 * await writeTrainingCurves('runs/x.report', [{ model: 'x', history, bestEpoch: 3 }]);
 */
export async function writeTrainingCurves(
  outDir: string,
  series: readonly CurveSeries[],
  options: { epochs?: number } = {},
): Promise<string[]> {
  const plot = await renderSpec(trainingCurvesSpec(series, options));
  await writeFileAtomic(join(outDir, `${CURVES_PLOT}.svg`), plot.svg);
  await writeFileAtomic(join(outDir, `${CURVES_PLOT}.png`), plot.png);
  return [`${CURVES_PLOT}.svg`, `${CURVES_PLOT}.png`];
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

/** A file a report directory may hold: anything else there means it is not ours to replace. */
const REPORT_ENTRY = /^(?:[a-z0-9.-]+\.(?:svg|png)|report\.html|metrics\.json|\.[^/]*\.tmp-.*)$/;

async function checkOutDir(outDir: string, modelDirs: readonly string[]): Promise<void> {
  for (const dir of modelDirs) {
    if (resolve(dir) === resolve(outDir)) {
      throw new HcrError(
        'BAD_OPTION',
        `report directory ${outDir} is the model directory itself; choose another --out`,
      );
    }
  }
  let entries: string[];
  try {
    if (!(await stat(outDir)).isDirectory()) {
      throw new HcrError('BAD_OPTION', `report directory ${outDir} exists and is not a directory`);
    }
    entries = await readdir(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const foreign = entries.filter((e) => !REPORT_ENTRY.test(e));
  if (foreign.length > 0) {
    throw new HcrError(
      'BAD_OPTION',
      `report directory ${outDir} holds files a report does not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); ` +
        'a report replaces its directory whole, so choose an empty or new --out',
    );
  }
}

function checkInputs(models: readonly ReportModelInput[]): void {
  for (const m of models) {
    if (m.tests.length === 0) {
      throw new HcrError('BAD_DATA', `${m.dir}: no test set to report on (the data gives none)`);
    }
    for (const t of m.tests) {
      if (t.labels.length === 0) {
        throw new HcrError('BAD_DATA', `${m.dir}: test set ${t.name} is empty (0 images)`);
      }
    }
    for (const [name, errors] of Object.entries(m.evaluation.report.errors ?? {})) {
      const test = m.tests.find((t) => t.name === name);
      const bad = errors.index.find((i) => !test || i >= test.labels.length);
      if (bad !== undefined) {
        throw new HcrError(
          'BAD_DATA',
          `${m.dir}: the evaluation lists image ${bad} of test set ${name}, which ` +
            (test ? `has ${test.labels.length} images` : 'is not among the test sets given'),
        );
      }
    }
  }
}

/** The most confident mistakes of a set ('all': of every set), most confident first. */
function mistakePool(
  model: ReportModelInput,
  key: string,
):
  | { testSet: string; index: number; true: number; predicted: number; probability: number }[]
  | null {
  const errors = model.evaluation.report.errors;
  if (!errors) return null;
  const entries: [string, TestSetErrors][] =
    key === 'all' ? Object.entries(errors) : errors[key] ? [[key, errors[key]]] : [];
  if (entries.length === 0) return null;
  return entries
    .flatMap(([testSet, e]) =>
      e.index.map((index, k) => ({
        testSet,
        index,
        true: e.true[k]!,
        predicted: e.predicted[k]!,
        probability: e.probability[k]!,
      })),
    )
    .sort((a, b) => b.probability - a.probability);
}

/** A note on a confused pair for readers, from {@link confusionKind}. */
function pairNote(trueLabel: string, predicted: string): string | undefined {
  const kind = confusionKind(trueLabel, predicted);
  if (kind === 'lookalike') return 'look-alike pair';
  if (kind === 'confusable') return 'often confused shapes';
  if (kind === 'case') return 'the same letter in the other case';
  return undefined;
}

/**
 * The most-confident-mistakes grid and the confused-pairs plot of one test set ('all': every
 * set pooled), or why they cannot be drawn.
 */
async function mistakePlots(
  model: ReportModelInput,
  set: { key: string; title: string; result: EvaluationResult },
  options: { errorsShown: number; pairsShown: number; examplesPerPair: number },
): Promise<{ errors: TopLevelSpec; pairs: TopLevelSpec } | { missing: string }> {
  const pool = mistakePool(model, set.key);
  if (pool === null) {
    return {
      missing: `the evaluation of ${model.dir} kept no misclassified images of ${set.title}`,
    };
  }
  const correct = set.result.perClass.reduce((sum, k) => sum + k.correct, 0);
  if (pool.length === 0) {
    return {
      missing: `no image of ${set.title} is misclassified (accuracy ${pct(set.result.accuracy)})`,
    };
  }
  const classes = set.result.classes;
  const testsByName = new Map(model.tests.map((t) => [t.name, t] as const));
  const toExamples = async (entries: typeof pool): Promise<ErrorExample[]> => {
    const urls = await Promise.all(
      entries.map(async (e) => (await imageDataUrls(testsByName.get(e.testSet)!, [e.index]))[0]!),
    );
    return entries.map((e, k) => ({
      url: urls[k]!,
      trueLabel: classes[e.true] ?? String(e.true),
      predictedLabel: classes[e.predicted] ?? String(e.predicted),
      probability: e.probability,
      testSet: e.testSet,
      index: e.index,
    }));
  };
  const errors = worstErrorsSpec({
    testSet: set.title,
    examples: await toExamples(pool.slice(0, options.errorsShown)),
    total: set.result.count - correct,
    count: set.result.count,
  });
  const pairs: ConfusedPairExamples[] = [];
  for (const pair of set.result.mostConfused.slice(0, options.pairsShown)) {
    const t = classes.indexOf(pair.true);
    const p = classes.indexOf(pair.predicted);
    pairs.push({
      trueLabel: pair.true,
      predictedLabel: pair.predicted,
      count: pair.count,
      share: pair.share,
      note: pairNote(pair.true, pair.predicted),
      examples: await toExamples(
        pool.filter((e) => e.true === t && e.predicted === p).slice(0, options.examplesPerPair),
      ),
    });
  }
  return { errors, pairs: confusedPairsSpec({ testSet: set.title, pairs }) };
}

interface PlotJob {
  readonly file: string;
  readonly spec: TopLevelSpec;
}

function withModelInTitle(spec: TopLevelSpec, label: string | null): TopLevelSpec {
  if (label === null) return spec;
  const title = spec.title as { text: string; subtitle?: string[] };
  return { ...spec, title: { ...title, text: `${title.text} (${label})` } } as TopLevelSpec;
}

/**
 * Draws every plot of the report for already evaluated models and writes the report
 * directory (replaced whole): PNG and SVG of each plot, metrics.json and report.html.
 *
 * @throws HcrError BAD_DATA for a model without test sets or with an empty one
 * @example
 * await buildReport({ models: [input], samples, missingSamples: [], outDir: 'runs/x.report' });
 */
export async function buildReport(params: {
  models: readonly ReportModelInput[];
  samples: readonly SourceSample[];
  missingSamples: readonly MissingSample[];
  outDir: string;
  errorsShown?: number;
  pairsShown?: number;
  examplesPerPair?: number;
  onProgress?: (event: ReportEvent) => void;
  now?: () => Date;
}): Promise<ReportResult> {
  const { models, outDir } = params;
  if (models.length === 0) throw new HcrError('BAD_OPTION', 'a report needs at least one model');
  checkInputs(models);
  await checkOutDir(
    outDir,
    models.map((m) => m.dir),
  );
  const errorsShown = params.errorsShown ?? REPORT_DEFAULTS.errorsShown;
  const pairsShown = params.pairsShown ?? REPORT_DEFAULTS.pairsShown;
  const examplesPerPair = params.examplesPerPair ?? REPORT_DEFAULTS.examplesPerPair;
  const generatedAt = (params.now ?? (() => new Date()))().toISOString();
  const labels = modelLabels(models);
  const compare = models.length > 1;
  const missing: MissingPlot[] = [];
  const jobs: PlotJob[] = [];
  const sections: HtmlSection[] = [];
  /** Figures by plot file, filled in once rendered. */
  const rendered = new Map<string, RenderedPlot>();
  const figureOf = (file: string | { missing: string }) => (): HtmlFigure => {
    if (typeof file !== 'string') return file;
    const plot = rendered.get(file);
    return plot
      ? { svg: plot.svg, files: [`${file}.svg`, `${file}.png`] }
      : { missing: 'not drawn' };
  };
  const layout: { section: Omit<HtmlSection, 'rows'>; rows: (() => HtmlFigure)[][] }[] = [];

  // Training curves: one plot, every model with a history on it.
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
        plot: compare ? `Training curves of ${labels[i]}` : 'Training curves',
        reason: m.historyNote ?? 'no training history',
      });
    }
  });
  if (series.length > 0) jobs.push({ file: CURVES_PLOT, spec: trainingCurvesSpec(series) });
  layout.push({
    section: {
      id: 'curves',
      heading: 'Training curves',
      intro: 'How accuracy and loss developed while the model trained.',
    },
    rows: [
      [
        figureOf(
          series.length > 0
            ? CURVES_PLOT
            : { missing: `training curves: ${models.map((m) => m.historyNote).join('; ')}` },
        ),
      ],
    ],
  });

  // Sample grids, one per source.
  for (const s of params.samples) {
    const file = `samples-${slug(s.source)}`;
    const urls = await Promise.all(s.classes.map((c) => imageDataUrls(s.dataset, c.indices)));
    jobs.push({
      file,
      spec: sampleGridSpec({
        source: s.source,
        part: s.part,
        total: s.dataset.labels.length,
        classes: s.classes.map((c, k) => ({ label: c.label, count: c.count, urls: urls[k]! })),
      }),
    });
  }
  for (const m of params.missingSamples) {
    missing.push({ plot: `Sample images of ${m.source}`, reason: m.reason });
  }
  layout.push({
    section: {
      id: 'samples',
      heading: 'What the model sees',
      intro:
        'Random images from each data source, after the normalization every input goes through ' +
        '(grayscale, ink bright on dark, cropped, scaled into 20×20, centred by mass in 28×28).',
    },
    rows:
      params.samples.length > 0
        ? params.samples.map((s) => [figureOf(`samples-${slug(s.source)}`)])
        : [[figureOf({ missing: 'no data source gave sample images' })]],
  });

  // Per test set: confusion matrix, per-class figures, mistakes, confused pairs.
  const setKeys: string[] = [];
  const setTitles = new Map<string, string>();
  for (const m of models) {
    for (const s of reportSets(m)) {
      if (!setKeys.includes(s.key)) setKeys.push(s.key);
      setTitles.set(s.key, s.title);
    }
  }
  for (const key of setKeys) {
    const rows: (() => HtmlFigure)[][] = [[], [], [], []];
    for (const [i, m] of models.entries()) {
      const label = compare ? labels[i]! : null;
      const prefix = compare ? `${slug(labels[i]!)}-` : '';
      const set = reportSets(m).find((s) => s.key === key);
      if (!set) {
        const reason = { missing: `${labels[i]} was not evaluated on ${setTitles.get(key)}` };
        for (const row of rows) row.push(figureOf(reason));
        continue;
      }
      jobs.push({
        file: `${prefix}confusion-${slug(key)}`,
        spec: withModelInTitle(
          confusionMatrixSpec(set.result, { title: `Confusion matrix: ${set.title}` }),
          label,
        ),
      });
      rows[0]!.push(figureOf(`${prefix}confusion-${slug(key)}`));
      jobs.push({
        file: `${prefix}per-class-${slug(key)}`,
        spec: withModelInTitle(perClassSpec({ ...set.result, name: set.title }), label),
      });
      rows[1]!.push(figureOf(`${prefix}per-class-${slug(key)}`));

      const mistakes = await mistakePlots(m, set, { errorsShown, pairsShown, examplesPerPair });
      if ('missing' in mistakes) {
        const where = `${set.title}${label ? ` (${label})` : ''}`;
        missing.push({ plot: `Mistakes on ${where}`, reason: mistakes.missing });
        rows[2]!.push(figureOf(mistakes));
        rows[3]!.push(figureOf(mistakes));
        continue;
      }
      for (const [row, name, spec] of [
        [2, 'errors', mistakes.errors],
        [3, 'confused-pairs', mistakes.pairs],
      ] as const) {
        const file = `${prefix}${name}-${slug(key)}`;
        jobs.push({ file, spec: withModelInTitle(spec, label) });
        rows[row]!.push(figureOf(file));
      }
    }
    const title = setTitles.get(key)!;
    const pair = models.map((m) => reportSets(m).find((s) => s.key === key)?.result);
    if (compare && pair[0] && pair[1]) {
      const file = `compare-per-class-${slug(key)}`;
      jobs.push({
        file,
        spec: perClassComparisonSpec([pair[0], pair[1]], [labels[0]!, labels[1]!], {
          setTitle: title,
        }),
      });
      rows.unshift([figureOf(file)]);
    }
    layout.push({
      section: {
        id: `set-${slug(key)}`,
        heading: key === 'all' ? 'All test sets together' : `Test set ${title}`,
        intro:
          key === 'all'
            ? 'Every test set pooled, as if one: the overall picture.'
            : `The images of ${title} only.`,
        ...(compare ? { columnHeads: labels } : {}),
      },
      rows,
    });
  }

  // Draw every plot.
  const files: string[] = [];
  const rasterized: Promise<void>[] = [];
  for (const [k, job] of jobs.entries()) {
    params.onProgress?.({ phase: 'plot', file: job.file, done: k, total: jobs.length });
    const svg = await renderSvg(job.spec);
    // PNGs are made on sharp's threads while vega draws the next plot on this one.
    rasterized.push(
      svgToPng(svg).then((png) => {
        rendered.set(job.file, { svg, ...png });
      }),
    );
  }
  await Promise.all(rasterized);
  for (const l of layout) {
    sections.push({ ...l.section, rows: l.rows.map((row) => row.map((cell) => cell())) });
  }

  const html = renderReportHtml({
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
    sections,
    wide: compare,
  });

  const metrics = {
    format: 'hcr-report',
    version: 1,
    generatedAt,
    models: models.map((m, i) => ({
      label: labels[i],
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
    plots: jobs.map((job) => job.file),
    missing,
  };

  await replaceDirectoryAtomic(outDir, async (tmp) => {
    for (const { file } of jobs) {
      const plot = rendered.get(file)!;
      await writeFileAtomic(join(tmp, `${file}.svg`), plot.svg);
      await writeFileAtomic(join(tmp, `${file}.png`), plot.png);
      files.push(`${file}.svg`, `${file}.png`);
    }
    await writeFileAtomic(join(tmp, REPORT_METRICS), `${JSON.stringify(metrics, null, 1)}\n`);
    await writeFileAtomic(join(tmp, REPORT_HTML), html);
    files.push(REPORT_METRICS, REPORT_HTML);
  });
  params.onProgress?.({ phase: 'written', dir: outDir });
  return {
    outDir,
    html: join(outDir, REPORT_HTML),
    files,
    missing,
    evaluations: models.map((m) => ({
      dir: m.dir,
      reused: m.evaluation.reused,
      reason: m.evaluation.reason,
    })),
  };
}

/**
 * Writes the full report of a model (and optionally a second one to compare): plans the test
 * sets as `hcr evaluate` does, reuses or redoes the evaluation, picks sample images and
 * writes the report directory via {@link buildReport}.
 *
 * @throws HcrError BAD_DATA when the data gives no test set for the model
 * @example
 * const result = await writeReport({ modelDir: 'runs/default', dataDir, cacheDir });
 * result.html; // 'runs/default.report/report.html'
 */
export async function writeReport(options: ReportOptions): Promise<ReportResult> {
  const outDir = options.outDir ?? reportDirFor(options.modelDir);
  const dirs = [options.modelDir, ...(options.compareDir ? [options.compareDir] : [])];
  await checkOutDir(outDir, dirs);
  const inputs: ReportModelInput[] = [];
  const plans = new Map<string, DataPlan>();
  let primaryPlan: DataPlan | undefined;
  for (const dir of dirs) {
    options.onProgress?.({ phase: 'load', model: dir });
    const loaded = await loadModel(dir);
    try {
      // Two models planned alike share one plan.
      const key = JSON.stringify(modelPlanOptions(loaded));
      let plan = dir === options.modelDir ? options.plan : undefined;
      plan ??= plans.get(key);
      plan ??= await planTestsFor(loaded, {
        dataDir: options.dataDir,
        cacheDir: options.cacheDir,
        ...(options.sources ? { sources: options.sources } : {}),
        onProgress: (progress) => options.onProgress?.({ phase: 'data', model: dir, progress }),
      });
      plans.set(key, plan);
      primaryPlan ??= plan;
      if (plan.tests.length === 0) {
        const sources = plan.provenance.map((p) => p.source).join(', ') || 'none';
        throw new HcrError(
          'BAD_DATA',
          `${dir}: no test set to report on: the sources found in ${options.dataDir} (${sources}) give no test image in label set ${loaded.labelSet.name}`,
        );
      }
      const empty = plan.tests.find((t) => t.labels.length === 0);
      if (empty)
        throw new HcrError('BAD_DATA', `${dir}: test set ${empty.name} is empty (0 images)`);
      const evaluation = await obtainEvaluation(loaded, plan.tests, {
        save: options.save ?? REPORT_DEFAULTS.save,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        onProgress: (done, total, testSet) =>
          options.onProgress?.({ phase: 'evaluate', model: dir, done, total, testSet }),
      });
      options.onProgress?.({
        phase: 'evaluation',
        model: dir,
        reused: evaluation.reused,
        reason: evaluation.reason,
      });
      const history = await readHistory(dir);
      inputs.push({
        dir,
        metadata: loaded.metadata,
        parameters: loaded.model.countParams(),
        history: 'history' in history ? history.history : null,
        historyNote: 'reason' in history ? history.reason : null,
        evaluation,
        tests: plan.tests,
      });
    } finally {
      loaded.dispose();
    }
  }
  const { samples, missing } = pickSourceSamples(
    primaryPlan!,
    options.samplesPerClass ?? REPORT_DEFAULTS.samplesPerClass,
    options.seed ?? REPORT_DEFAULTS.seed,
  );
  return buildReport({
    models: inputs,
    samples,
    missingSamples: missing,
    outDir,
    ...(options.errorsShown !== undefined ? { errorsShown: options.errorsShown } : {}),
    ...(options.pairsShown !== undefined ? { pairsShown: options.pairsShown } : {}),
    ...(options.examplesPerPair !== undefined ? { examplesPerPair: options.examplesPerPair } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
