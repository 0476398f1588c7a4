// A model as the report shows it (its metadata, history, evaluation and test images), with the
// names the report gives the models, the test sets it has figures for, and the check that the
// evaluation and the test images go together.

import { basename, resolve } from 'node:path';
import { HcrError } from '../../core/errors.js';
import type { EvaluationResult } from '../../core/metrics.js';
import type { Dataset } from '../../core/types.js';
import type { ModelMetadata } from '../model/artifact.js';
import type { EpochRecord } from '../model/history.js';
import type { ReportEvaluation } from './evaluation.js';

/** A model as the report shows it. */
export interface ReportModelInput {
  readonly dir: string;
  readonly metadata: ModelMetadata;
  /** Trainable and other weights, or null when unknown. */
  readonly parameters: number | null;
  /** The history saved by the trainer, or null (then `historyNote` says why). */
  readonly history: readonly EpochRecord[] | null;
  readonly historyNote: string | null;
  readonly evaluation: ReportEvaluation;
  /** The test sets evaluated, by name, for the images of the mistake grids. */
  readonly tests: readonly Dataset[];
}

/** Short names for the models, unique, for legends, headings and file names. */
export function modelLabels(models: readonly ReportModelInput[]): string[] {
  const names = models.map((m) => basename(resolve(m.dir)));
  return names.map((name, i) =>
    names.indexOf(name) !== i || names.lastIndexOf(name) !== i ? `${name}-${i + 1}` : name,
  );
}

/** The test sets a model has figures for: all together first (when several), then each. */
export function reportSets(
  model: ReportModelInput,
): { key: string; title: string; result: EvaluationResult }[] {
  const sets = model.evaluation.report.results
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ key: r.name, title: r.name, result: r }));
  const combined = model.evaluation.report.combined;
  return combined ? [{ key: 'all', title: 'all test sets', result: combined }, ...sets] : sets;
}

/**
 * Refuses models the report cannot show: without test sets, with an empty one, or with an
 * evaluation that lists images the test sets do not have.
 *
 * @throws HcrError BAD_DATA naming the model directory and the test set
 * @example
 * checkReportInputs([input]);
 */
export function checkReportInputs(models: readonly ReportModelInput[]): void {
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
