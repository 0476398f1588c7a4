// `hcr report`: everything a reader needs to judge a model, as files. Loads the model (and a
// second one to compare), plans the same test sets `hcr evaluate` uses, reuses evaluation.json
// when it matches the weights and the test images (else evaluates), then has layout.ts decide
// what the report holds (plots, sections, tables from tables.ts, metrics) and write.ts draw
// every plot as SVG and PNG and replace the report directory atomically with them,
// metrics.json and one self-contained report.html, so a reader never sees half a report.

import { join } from 'node:path';
import { HcrError } from '../../core/errors.js';
import type { DataPlan, PlanProgress } from '../data/plan.js';
import { loadModel } from '../model/artifact.js';
import { readHistory } from '../model/history.js';
import { modelPlanOptions, planTestsFor } from '../model/plan.js';
import { obtainEvaluation } from './evaluation.js';
import { checkReportInputs, type ReportModelInput } from './input.js';
import { layoutReport, type MissingPlot } from './layout.js';
import { pickSourceSamples, type MissingSample, type SourceSample } from './samples.js';
import { checkReportDir, reportDirFor, writeReportDirectory, REPORT_HTML } from './write.js';

export type { ReportModelInput } from './input.js';
export type { MissingPlot } from './layout.js';
export { reportDirFor, writeTrainingCurves } from './write.js';

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
  /**
   * Record a new evaluation in the model directory, beside the results it records (test sets
   * it does not record yet are added; none is dropped or replaced). Default: true.
   */
  readonly save?: boolean;
  /** Replace the model's recorded results with a new evaluation. Default: false. */
  readonly replace?: boolean;
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
  replace: false,
});

/** Progress events of {@link writeReport}. */
export type ReportEvent =
  | { phase: 'load'; model: string }
  | { phase: 'data'; model: string; progress: PlanProgress }
  | { phase: 'evaluate'; model: string; done: number; total: number; testSet: string }
  | {
      phase: 'evaluation';
      model: string;
      reused: boolean;
      reason: string | null;
      /** What a new evaluation changed in the model directory (saveEvaluation's message). */
      recorded: string | null;
    }
  | { phase: 'plot'; file: string; done: number; total: number }
  | { phase: 'written'; dir: string };

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
 * Draws every plot of the report for already evaluated models and writes the report
 * directory (replaced whole): PNG and SVG of each plot, metrics.json and report.html.
 *
 * @throws HcrError BAD_DATA for a model without test sets or with an empty one, BAD_OPTION
 * for a report directory it may not replace
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
  checkReportInputs(models);
  await checkReportDir(
    outDir,
    models.map((m) => m.dir),
  );
  const layout = await layoutReport({
    models,
    samples: params.samples,
    missingSamples: params.missingSamples,
    mistakes: {
      errorsShown: params.errorsShown ?? REPORT_DEFAULTS.errorsShown,
      pairsShown: params.pairsShown ?? REPORT_DEFAULTS.pairsShown,
      examplesPerPair: params.examplesPerPair ?? REPORT_DEFAULTS.examplesPerPair,
    },
    generatedAt: (params.now ?? (() => new Date()))().toISOString(),
  });
  const files = await writeReportDirectory(outDir, layout, {
    onPlot: (progress) => params.onProgress?.({ phase: 'plot', ...progress }),
  });
  params.onProgress?.({ phase: 'written', dir: outDir });
  return {
    outDir,
    html: join(outDir, REPORT_HTML),
    files,
    missing: layout.missing,
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
  await checkReportDir(outDir, dirs);
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
        replace: options.replace ?? REPORT_DEFAULTS.replace,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        onProgress: (done, total, testSet) =>
          options.onProgress?.({ phase: 'evaluate', model: dir, done, total, testSet }),
      });
      options.onProgress?.({
        phase: 'evaluation',
        model: dir,
        reused: evaluation.reused,
        reason: evaluation.reason,
        recorded: evaluation.recorded?.message ?? null,
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
