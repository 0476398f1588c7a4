// evaluation.json of a model directory: what `hcr evaluate` measured, with what it ran on, so
// that the report and the card can tell whether it still applies to the weights and the test
// images. Its types, its reader (parsed and checked here, once), and its writer, which also
// records the headline figures in hcr.json, adding to what the directory records and replacing
// it only when asked.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HcrError } from '../../core/errors.js';
import { EVALUATION_VERSION, mergeEvaluations, type EvaluationResult } from '../../core/metrics.js';
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

/** How {@link saveEvaluation} changed what a model directory records. */
export interface EvaluationRecordChange {
  /**
   * `new`: there was no record; `added`: test sets added beside the recorded ones; `replaced`:
   * the record replaced (asked for, or it was made with other weights); `unchanged`: nothing
   * written.
   */
  readonly action: 'new' | 'added' | 'replaced' | 'unchanged';
  /** Test sets recorded for the first time. */
  readonly added: readonly string[];
  /** Recorded test sets whose results were replaced or dropped. */
  readonly replaced: readonly string[];
  /**
   * Test sets of this evaluation not recorded: the record has them on other images (or cannot
   * be merged with), and only `replace` replaces it.
   */
  readonly notRecorded: readonly string[];
  /** What happened, for a person. */
  readonly message: string;
}

/** The results, mistakes and subject entries of `report` that belong to test set `name`. */
function partOf(report: EvaluationReport, name: string) {
  return {
    results: report.results.filter((r) => r.name === name || r.name.startsWith(`${name}/`)),
    misclassified: report.misclassified[name],
    errors: report.errors?.[name],
    test: report.subject?.tests.find((t) => t.name === name),
  };
}

/** `saved` with the test sets `names` of `report` added after its own. */
function mergeReports(
  saved: EvaluationReport,
  report: EvaluationReport,
  names: readonly string[],
): EvaluationReport {
  const savedNames = saved.subject!.tests.map((t) => t.name);
  const parts = [
    ...savedNames.map((name) => partOf(saved, name)),
    ...names.map((name) => partOf(report, name)),
  ];
  const perSet = parts.flatMap((p) => p.results.filter((r) => !r.name.includes('/')));
  const misclassified: Record<string, number[]> = {};
  const errors: Record<string, TestSetErrors> = {};
  for (const p of parts) {
    if (!p.test) continue;
    if (p.misclassified) misclassified[p.test.name] = p.misclassified;
    if (p.errors) errors[p.test.name] = p.errors;
  }
  return {
    ...report,
    results: parts.flatMap((p) => p.results),
    combined: perSet.length > 1 ? mergeEvaluations('all', perSet) : null,
    misclassified,
    errors,
    subject: { ...report.subject!, tests: parts.flatMap((p) => (p.test ? [p.test] : [])) },
  };
}

/** Why `saved` cannot take `report`'s test sets beside its own, or null when it can. */
function unmergeable(saved: EvaluationReport, report: EvaluationReport): string | null {
  if (saved.version !== EVALUATION_VERSION) return `it has version ${saved.version}`;
  if (!saved.subject || !saved.errors || !report.subject) {
    return 'it was written by an older hcr that did not record what it evaluated';
  }
  if (saved.subject.labelSet !== report.subject.labelSet) {
    return `it is for label set ${saved.subject.labelSet}`;
  }
  if (saved.subject.weightsSha256 !== report.subject.weightsSha256) return 'other weights';
  return null;
}

/**
 * Records an evaluation in the model directory: evaluation.json, and the headline figures in
 * hcr.json's `metrics` (both written atomically). A model directory is changed only when asked
 * (issue 22): test sets the directory does not record yet are added beside the recorded
 * ones, test sets recorded on the same images are left as they are, and recorded results are
 * never dropped or replaced unless `replace` is true. A record made with other weights no longer
 * describes this model and is replaced. The answer says what changed.
 *
 * @example
 * const change = await saveEvaluation('models/alnum36', report);
 * change.message; // 'evaluation.json: unchanged: ...'
 */
export async function saveEvaluation(
  modelDir: string,
  report: EvaluationReport,
  options: {
    /** Replace the recorded results with these (dropping test sets not run). Default: false. */
    replace?: boolean;
  } = {},
): Promise<EvaluationRecordChange> {
  const names = report.subject?.tests.map((t) => t.name) ?? [];
  const file = await readEvaluationFile(modelDir);
  let record = report;
  let change: EvaluationRecordChange;
  if ('missing' in file) {
    change = {
      action: 'new',
      added: names,
      replaced: [],
      notRecorded: [],
      message: `${EVALUATION_FILE}: recorded ${names.join(', ') || 'nothing'}`,
    };
  } else {
    const saved = 'report' in file ? file.report : undefined;
    const savedNames = saved?.subject?.tests.map((t) => t.name) ?? [];
    const why =
      'report' in file
        ? unmergeable(file.report, report)
        : `it is not valid JSON (${file.invalid})`;
    if (options.replace || why === 'other weights') {
      change = {
        action: 'replaced',
        added: names.filter((n) => !savedNames.includes(n)),
        replaced: savedNames,
        notRecorded: [],
        message:
          `${EVALUATION_FILE}: replaced the recorded results` +
          `${savedNames.length ? ` (${savedNames.join(', ')})` : ''}` +
          `${why === 'other weights' ? ', made with other weights,' : ''} with ${names.join(', ')}`,
      };
    } else if (why !== null || !saved) {
      change = {
        action: 'unchanged',
        added: [],
        replaced: [],
        notRecorded: names,
        message: `${EVALUATION_FILE}: unchanged, since ${why}; pass --replace to replace it`,
      };
    } else {
      const recorded = new Map(saved.subject!.tests.map((t) => [t.name, t]));
      const added: string[] = [];
      const notRecorded: string[] = [];
      for (const t of report.subject!.tests) {
        const old = recorded.get(t.name);
        if (!old) added.push(t.name);
        else if (old.fingerprint !== t.fingerprint || old.count !== t.count) {
          notRecorded.push(t.name);
        }
      }
      const differ = notRecorded.length
        ? `; not recorded: ${notRecorded.join(', ')} (the record has ${notRecorded.length > 1 ? 'them' : 'it'} on other images; pass --replace to replace the record)`
        : '';
      if (added.length > 0) record = mergeReports(saved, report, added);
      change = {
        action: added.length > 0 ? 'added' : 'unchanged',
        added,
        replaced: [],
        notRecorded,
        message:
          added.length > 0
            ? `${EVALUATION_FILE}: added ${added.join(', ')} beside ${savedNames.join(', ')}${differ}`
            : `${EVALUATION_FILE}: unchanged (it records ${savedNames.join(', ')})${differ}`,
      };
    }
  }
  if (change.action === 'unchanged') return change;
  await writeFileAtomic(join(modelDir, EVALUATION_FILE), `${JSON.stringify(record)}\n`);
  const metadataPath = join(modelDir, METADATA_FILE);
  const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as Record<string, unknown>;
  metadata.metrics = headlineMetrics(record);
  await writeFileAtomic(metadataPath, `${JSON.stringify(metadata, null, 2)}\n`);
  return change;
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
