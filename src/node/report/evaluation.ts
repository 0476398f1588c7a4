// The evaluation a report shows: the one saved next to the model (evaluation.json) when it was
// made with these very weights on these very test sets, else a fresh one (saved in turn).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EVALUATION_VERSION } from '../../core/metrics.js';
import type { Dataset } from '../../core/types.js';
import {
  EVALUATION_FILE,
  evaluateModel,
  evaluationSubject,
  saveEvaluation,
  type EvaluationReport,
  type EvaluationSubject,
} from '../eval/evaluate.js';
import type { LoadedModel } from '../model/artifact.js';

/** The evaluation.json of a model directory, or why there is none to read. */
export async function readSavedEvaluation(
  modelDir: string,
): Promise<{ report: EvaluationReport } | { reason: string }> {
  let text: string;
  try {
    text = await readFile(join(modelDir, EVALUATION_FILE), 'utf8');
  } catch {
    return { reason: `no ${EVALUATION_FILE} in ${modelDir}` };
  }
  try {
    return { report: JSON.parse(text) as EvaluationReport };
  } catch (error) {
    return { reason: `${EVALUATION_FILE} is not valid JSON (${(error as Error).message})` };
  }
}

/**
 * Why a saved evaluation does not apply to `subject` (the model's weights and the test sets
 * now planned), or null when it does and can be shown as is.
 *
 * @example
 * savedEvaluationMismatch(saved, evaluationSubject(loaded, plan.tests)); // null
 */
export function savedEvaluationMismatch(
  saved: EvaluationReport,
  subject: EvaluationSubject,
): string | null {
  if (saved.version !== EVALUATION_VERSION) {
    return `${EVALUATION_FILE} has version ${saved.version}, this hcr writes ${EVALUATION_VERSION}`;
  }
  if (!saved.subject || !saved.errors) {
    return `${EVALUATION_FILE} was written by an older hcr that did not record what it evaluated`;
  }
  if (saved.subject.weightsSha256 !== subject.weightsSha256 || subject.weightsSha256 === null) {
    return `${EVALUATION_FILE} was made with other weights than the model's weights.bin`;
  }
  if (saved.subject.labelSet !== subject.labelSet) {
    return `${EVALUATION_FILE} used label set ${saved.subject.labelSet}, the model has ${subject.labelSet}`;
  }
  const describe = (s: EvaluationSubject) =>
    s.tests.map((t) => `${t.name} (${t.count})`).join(', ') || 'none';
  const same =
    saved.subject.tests.length === subject.tests.length &&
    saved.subject.tests.every((t, i) => {
      const now = subject.tests[i]!;
      return t.name === now.name && t.count === now.count;
    });
  if (!same) {
    return `${EVALUATION_FILE} covers test sets ${describe(saved.subject)}, the data now gives ${describe(subject)}`;
  }
  const changed = saved.subject.tests.find(
    (t, i) => t.fingerprint !== subject.tests[i]!.fingerprint,
  );
  if (changed) return `the images of test set ${changed.name} changed since ${EVALUATION_FILE}`;
  return null;
}

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
