// The evaluation a report shows: the one saved next to the model (evaluation.json) when it was
// made with these very weights on these very test sets, else a fresh one, which the report
// shows and the model directory records only where it adds to what it records (saveEvaluation:
// test sets not recorded yet are added, recorded ones replaced only when asked).

import type { Dataset } from '../../core/types.js';
import { evaluateModel, evaluationSubject } from '../eval/evaluate.js';
import type { LoadedModel } from '../model/artifact.js';
import {
  readSavedEvaluation,
  saveEvaluation,
  savedEvaluationMismatch,
  type EvaluationRecordChange,
  type EvaluationReport,
} from '../model/evaluation.js';

/** An evaluation for the report, and where it came from. */
export interface ReportEvaluation {
  readonly report: EvaluationReport;
  /** True when evaluation.json was reused as is. */
  readonly reused: boolean;
  /** Why the model was evaluated again, when it was. */
  readonly reason: string | null;
  /** What the new evaluation changed in the model directory, when it was saved. */
  readonly recorded?: EvaluationRecordChange;
}

/**
 * The saved evaluation when it applies (see {@link savedEvaluationMismatch}), else a new one
 * from {@link evaluateModel}, recorded with `saveEvaluation` unless `save` is false: added to the
 * model's recorded results, replacing them only with `replace`.
 *
 * @example
 * const { report, reused } = await obtainEvaluation(loaded, plan.tests, { save: true });
 */
export async function obtainEvaluation(
  loaded: LoadedModel,
  tests: readonly Dataset[],
  options: {
    /**
     * Record the new evaluation in evaluation.json (and hcr.json's metrics), beside what they
     * record. Default: true.
     */
    save?: boolean;
    /** Replace what the model records with the new evaluation. Default: false. */
    replace?: boolean;
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
  if (!(options.save ?? true)) return { report, reused: false, reason };
  const recorded = await saveEvaluation(loaded.dir, report, { replace: options.replace ?? false });
  return { report, reused: false, reason, recorded };
}
