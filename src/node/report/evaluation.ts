// The evaluation a report shows: the one saved next to the model (evaluation.json) when it was
// made with these very weights on these very test sets, else a fresh one (saved in turn).

import type { Dataset } from '../../core/types.js';
import { evaluateModel, evaluationSubject } from '../eval/evaluate.js';
import type { LoadedModel } from '../model/artifact.js';
import {
  readSavedEvaluation,
  saveEvaluation,
  savedEvaluationMismatch,
  type EvaluationReport,
} from '../model/evaluation.js';

/** An evaluation for the report, and where it came from. */
export interface ReportEvaluation {
  readonly report: EvaluationReport;
  /** True when evaluation.json was reused as is. */
  readonly reused: boolean;
  /** Why the model was evaluated again, when it was. */
  readonly reason: string | null;
}

/**
 * The saved evaluation when it applies (see {@link savedEvaluationMismatch}), else a new one
 * from {@link evaluateModel}, saved with `saveEvaluation` unless `save` is false.
 *
 * @example
 * const { report, reused } = await obtainEvaluation(loaded, plan.tests, { save: true });
 */
export async function obtainEvaluation(
  loaded: LoadedModel,
  tests: readonly Dataset[],
  options: {
    /** Write the new evaluation to evaluation.json (and hcr.json's metrics). Default: true. */
    save?: boolean;
    batchSize?: number;
    onProgress?: (done: number, total: number, name: string) => void;
  } = {},
): Promise<ReportEvaluation> {
  const subject = evaluationSubject(loaded, tests);
  const saved = await readSavedEvaluation(loaded.dir);
  const reason = 'report' in saved ? savedEvaluationMismatch(saved.report, subject) : saved.reason;
  if ('report' in saved && reason === null) {
    return { report: saved.report, reused: true, reason: null };
  }
  const report = await evaluateModel(loaded, tests, {
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (options.save ?? true) await saveEvaluation(loaded.dir, report);
  return { report, reused: false, reason };
}
