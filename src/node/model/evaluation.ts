// evaluation.json of a model directory: what `hcr evaluate` measured, with what it ran on, so
// that the report and the card can tell whether it still applies to the weights and the test
// images. Its types, its reader (parsed and checked here, once), and its writer, which also
// records the headline figures in hcr.json.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HcrError } from '../../core/errors.js';
import { EVALUATION_VERSION, type EvaluationResult } from '../../core/metrics.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { MetricRecord, ModelMetadata } from './artifact.js';
import { EVALUATION_FILE, METADATA_FILE, MODEL_FILES } from './files.js';

/**
 * The most confident mistakes on one test set, most confident first, as parallel arrays
 * (compact in JSON): entry k is image `index[k]` of the test set, of true class `true[k]`,
 * predicted as `predicted[k]` (class indices into the label set) with probability
 * `probability[k]` (rounded to 4 decimals).
 */
export interface TestSetErrors {
  readonly index: number[];
  readonly true: number[];
  readonly predicted: number[];
  readonly probability: number[];
  /** All misclassified images of the set, including those past the evaluation's error limit. */
  readonly total: number;
}

/** What an evaluation ran on, so that a later reader can tell whether it still applies. */
export interface EvaluationSubject {
  /** SHA-256 of the model's weights.bin (from hcr.json), or null when not recorded. */
  readonly weightsSha256: string | null;
  readonly labelSet: string;
  /** Each test set's name, image count and fingerprint (eval's `datasetFingerprint`). */
  readonly tests: readonly { name: string; count: number; fingerprint: string }[];
}

/** Everything `hcr evaluate` measured, as saved in evaluation.json. */
export interface EvaluationReport {
  readonly version: number;
  readonly model: string;
  readonly createdAt: string;
  /** One result per test set, then per kind of character within a mixed set. */
  readonly results: EvaluationResult[];
  /** All test sets together (absent with a single set). */
  readonly combined: EvaluationResult | null;
  /** Up to 50 misclassified image indices per test set, for the report's image grid. */
  readonly misclassified: Record<string, number[]>;
  /** Per test set, the most confident mistakes (absent in files written before it existed). */
  readonly errors?: Record<string, TestSetErrors>;
  /** What was evaluated (absent in files written before it existed). */
  readonly subject?: EvaluationSubject;
}

/** Every result of a report: per set and per kind, then all sets together when there are several. */
export function evaluationResults(report: EvaluationReport): EvaluationResult[] {
  return report.combined ? [...report.results, report.combined] : report.results;
}

/** The headline figures of each result, as recorded in hcr.json's `metrics`. */
export function headlineMetrics(report: EvaluationReport): Record<string, MetricRecord> {
  return Object.fromEntries(
    evaluationResults(report).map((r) => [
      r.name,
      {
        count: r.count,
        accuracy: r.accuracy,
        accuracyMerged: r.accuracyMerged,
        ...(r.accuracyCaseMerged === undefined ? {} : { accuracyCaseMerged: r.accuracyCaseMerged }),
        macroF1: r.macro.f1,
      },
    ]),
  );
}

/**
 * Saves the report as evaluation.json in the model directory and records the headline
 * figures in its hcr.json (both written atomically).
 */
export async function saveEvaluation(modelDir: string, report: EvaluationReport): Promise<void> {
  await writeFileAtomic(join(modelDir, EVALUATION_FILE), `${JSON.stringify(report)}\n`);
  const metadataPath = join(modelDir, METADATA_FILE);
  const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as Record<string, unknown>;
  metadata.metrics = headlineMetrics(report);
  await writeFileAtomic(metadataPath, `${JSON.stringify(metadata, null, 2)}\n`);
}

/** evaluation.json as read: the report, or that there is none, or that it is not JSON. */
type EvaluationFile =
  { readonly report: EvaluationReport } | { readonly missing: true } | { readonly invalid: string };

async function readEvaluationFile(modelDir: string): Promise<EvaluationFile> {
  let text: string;
  try {
    text = await readFile(join(modelDir, EVALUATION_FILE), 'utf8');
  } catch {
    return { missing: true };
  }
  try {
    return { report: JSON.parse(text) as EvaluationReport };
  } catch (error) {
    return { invalid: (error as Error).message };
  }
}

/**
 * The evaluation.json of a model directory, or why there is none to read (the report then
 * evaluates again; see {@link savedEvaluationMismatch} for whether a read one applies).
 *
 * @example
 * const saved = await readSavedEvaluation('runs/default'); // { report } or { reason }
 */
export async function readSavedEvaluation(
  modelDir: string,
): Promise<{ report: EvaluationReport } | { reason: string }> {
  const file = await readEvaluationFile(modelDir);
  if ('missing' in file) return { reason: `no ${EVALUATION_FILE} in ${modelDir}` };
  if ('invalid' in file)
    return { reason: `${EVALUATION_FILE} is not valid JSON (${file.invalid})` };
  return file;
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
    return `${EVALUATION_FILE} was made with other weights than the model's ${MODEL_FILES.weights}`;
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

/**
 * The evaluation.json of a model directory, checked against its hcr.json (`metadata`): this
 * version of the file, at least one result, the model's label set, and (when recorded) the
 * model's weights. For readers that show it as it is, like the model card.
 *
 * @throws HcrError NOT_FOUND when there is none (run `hcr evaluate` first); BAD_MODEL when it is
 *   not JSON or does not belong to the model.
 * @example
 * const report = await readEvaluationFor('models/alnum36', await readMetadata('models/alnum36'));
 */
export async function readEvaluationFor(
  modelDir: string,
  metadata: ModelMetadata,
): Promise<EvaluationReport> {
  const path = join(modelDir, EVALUATION_FILE);
  const file = await readEvaluationFile(modelDir);
  if ('missing' in file) {
    throw new HcrError(
      'NOT_FOUND',
      `${modelDir}: no ${EVALUATION_FILE}; run \`hcr evaluate --model ${modelDir}\` first (the card's metrics come from it)`,
    );
  }
  if ('invalid' in file) {
    throw new HcrError('BAD_MODEL', `${path}: not valid JSON (${file.invalid})`);
  }
  const report = file.report;
  const again = `run \`hcr evaluate --model ${modelDir}\` again`;
  if (report.version !== EVALUATION_VERSION) {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: expected evaluation version ${EVALUATION_VERSION}, got ${JSON.stringify(report.version)}; ${again}`,
    );
  }
  if (!Array.isArray(report.results) || report.results.length === 0) {
    throw new HcrError('BAD_MODEL', `${path}: expected at least one result, got none; ${again}`);
  }
  const labelSet = metadata.labelSet.name;
  const other = evaluationResults(report).find((r) => r.labelSet !== labelSet);
  if (other) {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: result ${other.name} is for label set ${other.labelSet}, the model has ${labelSet}; ${again}`,
    );
  }
  const weights = metadata.files[MODEL_FILES.weights]?.sha256 ?? null;
  if (report.subject && report.subject.weightsSha256 !== weights) {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: made with weights ${report.subject.weightsSha256 ?? 'unknown'}, but ${MODEL_FILES.weights} is ${weights ?? 'unrecorded'}; ${again}`,
    );
  }
  return report;
}
