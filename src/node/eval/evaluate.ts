// `hcr evaluate`: runs a model over each test set, computes the metrics of src/core/metrics
// per set, per kind of character within a set (digits, capitals, lowercase) and over all sets
// combined, and saves them as evaluation.json next to the model for the report to read
// (with the most confident mistakes per set and what was evaluated, so it can be reused).

import * as tf from '@tensorflow/tfjs';
import type { LabelSet } from '../../core/label-sets.js';
import {
  evaluatePredictions,
  mergeEvaluations,
  EVALUATION_VERSION,
  type EvaluationResult,
} from '../../core/metrics.js';
import { charsetClasses } from '../../core/read/constraints.js';
import { subsetDataset } from '../../core/split.js';
import { IMAGE_PIXELS, type Dataset } from '../../core/types.js';
import type { BackendName } from '../engine/backend.js';
import { ReplicaPool, defaultWorkers } from '../engine/replicas.js';
import { HcrError } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import type { EvaluationReport, EvaluationSubject, TestSetErrors } from '../model/evaluation.js';
import { MODEL_FILES } from '../model/files.js';
import { argmaxRows } from '../model/inference.js';

// evaluation.json belongs to the model directory (model/evaluation.ts); these are its names.
export { EVALUATION_FILE } from '../model/files.js';
export {
  headlineMetrics,
  saveEvaluation,
  type EvaluationReport,
  type EvaluationSubject,
  type TestSetErrors,
} from '../model/evaluation.js';

/** The k of the top-k accuracy reported with every result. */
export const EVALUATION_TOP_K = 3;
/** How many misclassified images per test set {@link EvaluationReport.errors} keeps. */
export const EVALUATION_ERROR_LIMIT = 1000;

/**
 * A 32-bit FNV-1a hash of a dataset's labels and pixels, as 8 hex digits: equal datasets give
 * equal fingerprints, and a changed image or label almost surely changes it.
 *
 * @example
 * datasetFingerprint(plan.tests[0]); // '3f2a9c01'
 */
export function datasetFingerprint(ds: Dataset): string {
  let h = 2166136261;
  const count = ds.labels.length;
  for (let i = 0; i < count; i++) h = Math.imul(h ^ ds.labels[i]!, 16777619);
  const pixels = ds.images.subarray(0, count * IMAGE_PIXELS);
  for (let i = 0; i < pixels.length; i++) h = Math.imul(h ^ pixels[i]!, 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The {@link EvaluationSubject} of evaluating `loaded` on `tests`.
 *
 * @example
 * evaluationSubject(loaded, plan.tests).tests.map((t) => t.name); // ['mnist-test', ...]
 */
export function evaluationSubject(
  loaded: LoadedModel,
  tests: readonly Dataset[],
): EvaluationSubject {
  return {
    weightsSha256: loaded.metadata.files[MODEL_FILES.weights]?.sha256 ?? null,
    labelSet: loaded.labelSet.name,
    tests: tests.map((ds) => ({
      name: ds.name,
      count: ds.labels.length,
      fingerprint: datasetFingerprint(ds),
    })),
  };
}

const KINDS: readonly { suffix: string; test: (c: string) => boolean }[] = [
  { suffix: 'digits', test: (c) => c >= '0' && c <= '9' },
  { suffix: 'capitals', test: (c) => c >= 'A' && c <= 'Z' },
  { suffix: 'lowercase', test: (c) => c >= 'a' && c <= 'z' },
];

/** The image indices of each kind of character in `ds`, when it holds more than one kind. */
function kindIndices(ds: Dataset, labelSet: LabelSet): { suffix: string; indices: number[] }[] {
  const subsets = KINDS.map(({ suffix, test }) => {
    const indices: number[] = [];
    ds.labels.forEach((y, i) => {
      if (test(labelSet.classes[y] ?? '')) indices.push(i);
    });
    return { suffix, indices };
  }).filter((s) => s.indices.length > 0);
  return subsets.length < 2 ? [] : subsets;
}

/** The image indices of each named group of `ds` (e.g. each held-out font family), when it has them. */
function groupIndices(ds: Dataset): { suffix: string; indices: number[] }[] {
  const { groups, groupNames } = ds;
  if (!groups || !groupNames) return [];
  const byGroup = groupNames.map((name) => ({ suffix: name, indices: [] as number[] }));
  for (let i = 0; i < ds.labels.length; i++) byGroup[groups[i]!]?.indices.push(i);
  return byGroup.filter((g) => g.indices.length > 0);
}

/** The kinds of character (digits, capitals, lowercase) present in `ds`, each as a subset. */
export function splitByKind(ds: Dataset, labelSet: LabelSet): Dataset[] {
  return kindIndices(ds, labelSet).map((s) =>
    subsetDataset(ds, s.indices, `${ds.name}/${s.suffix}`),
  );
}

function evaluateOne(
  loaded: LoadedModel,
  ds: Dataset,
  probs: Float32Array,
): { result: EvaluationResult; wrong: number[]; errors: TestSetErrors } {
  const numClasses = loaded.labelSet.classes.length;
  const count = ds.labels.length;
  // A NaN compares false with everything: it would rank no class above the true one and
  // count as a top-k hit. Such a model is broken, not 100% accurate.
  const bad = probs.findIndex((p) => !Number.isFinite(p));
  if (bad >= 0) {
    const rows = new Set<number>();
    probs.forEach((p, j) => {
      if (!Number.isFinite(p)) rows.add(Math.floor(j / numClasses));
    });
    throw new HcrError(
      'BAD_MODEL',
      `${loaded.dir}: the model answered non-finite probabilities (${probs[bad]}) for ${rows.size} of ${count} images of ${ds.name} (first: image ${Math.floor(bad / numClasses)}); expected probabilities in [0, 1]`,
    );
  }
  const predicted = argmaxRows(probs, numClasses);
  const hits = new Uint8Array(count);
  const wrong: number[] = [];
  const mistakes: { index: number; probability: number }[] = [];
  for (let i = 0; i < count; i++) {
    const y = ds.labels[i]!;
    const p = probs[i * numClasses + y]!;
    let higher = 0;
    for (let c = 0; c < numClasses; c++) if (probs[i * numClasses + c]! > p) higher++;
    hits[i] = higher < EVALUATION_TOP_K ? 1 : 0;
    if (predicted[i] !== y) {
      if (wrong.length < 50) wrong.push(i);
      mistakes.push({ index: i, probability: probs[i * numClasses + predicted[i]!]! });
    }
  }
  mistakes.sort((a, b) => b.probability - a.probability || a.index - b.index);
  const kept = mistakes.slice(0, EVALUATION_ERROR_LIMIT);
  const errors: TestSetErrors = {
    index: kept.map((m) => m.index),
    true: kept.map((m) => ds.labels[m.index]!),
    predicted: kept.map((m) => predicted[m.index]!),
    probability: kept.map((m) => Math.round(m.probability * 1e4) / 1e4),
    total: mistakes.length,
  };
  const result = evaluatePredictions({
    name: ds.name,
    labelSet: loaded.labelSet,
    labels: ds.labels,
    predicted,
    topK: { k: EVALUATION_TOP_K, hits },
  });
  return { result, wrong, errors };
}

/**
 * The test sets as read within a charset: each keeps its images whose label the charset
 * allows (a set with none is dropped), named `<set>@<charset>`, with the allowed classes.
 *
 * @throws HcrError BAD_OPTION when the charset allows none of the model's classes, or none of
 * the test sets has an image of them
 */
function withinCharset(
  labelSet: LabelSet,
  tests: readonly Dataset[],
  charset: string,
): { tests: Dataset[]; allowed: Uint8Array } {
  const classes = charsetClasses(charset, labelSet.classes);
  const allowed = Uint8Array.from(labelSet.classes, (c) => (classes.has(c) ? 1 : 0));
  const kept = tests.flatMap((ds) => {
    const indices = [...ds.labels.keys()].filter((i) => allowed[ds.labels[i]!] === 1);
    return indices.length === 0 ? [] : [subsetDataset(ds, indices, `${ds.name}@${charset}`)];
  });
  if (kept.length === 0) {
    throw new HcrError(
      'BAD_OPTION',
      `charset: expected a charset some test image belongs to, got '${charset}' (classes ${[...classes].join('')}; test sets ${tests.map((d) => d.name).join(', ') || 'none'})`,
    );
  }
  return { tests: kept, allowed };
}

/** Zeroes each row's probabilities outside `allowed` and scales the rest to sum to 1. */
function keepClasses(probs: Float32Array, allowed: Uint8Array): void {
  const n = allowed.length;
  for (let row = 0; row < probs.length; row += n) {
    let sum = 0;
    for (let c = 0; c < n; c++) {
      if (allowed[c] === 1) sum += probs[row + c]!;
      else probs[row + c] = 0;
    }
    // All the mass outside the charset: every allowed class equally likely.
    for (let c = 0; c < n; c++) {
      if (allowed[c] === 1) probs[row + c] = sum > 0 ? probs[row + c]! / sum : 1 / n;
    }
  }
}

/** Below this many test images in all, evaluation runs on the main thread alone. */
const PARALLEL_EVALUATION_MIN_IMAGES = 4096;

/**
 * Evaluates a loaded model on test sets already mapped into its label set. Each set is
 * predicted once, split over worker replicas when there is enough to do; the per-kind results
 * (digits, capitals, lowercase) and, for a set with named groups, the per-group results (each
 * held-out font family of `styles-test`) reuse those predictions.
 *
 * @example
 * const report = await evaluateModel(loaded, plan.tests);
 */
export async function evaluateModel(
  loaded: LoadedModel,
  tests: readonly Dataset[],
  options: {
    batchSize?: number;
    /** Worker threads besides the main one. Default: one per extra core on WASM. */
    workers?: number;
    onProgress?: (done: number, total: number, name: string) => void;
    /**
     * What the reader knows of the field, as `hcr read --charset` takes it (`digits`,
     * `letters`, or the characters themselves): each set keeps its images of these classes,
     * is named `<set>@<charset>`, and the model chooses among these classes only.
     */
    charset?: string;
  } = {},
): Promise<EvaluationReport> {
  const within =
    options.charset === undefined
      ? undefined
      : withinCharset(loaded.labelSet, tests, options.charset);
  const sets = within?.tests ?? tests;
  const results: EvaluationResult[] = [];
  const perSet: EvaluationResult[] = [];
  const misclassified: Record<string, number[]> = {};
  const errors: Record<string, TestSetErrors> = {};
  const numClasses = loaded.labelSet.classes.length;
  const total = sets.reduce((sum, ds) => sum + ds.labels.length, 0);
  const backend = tf.getBackend() as BackendName;
  const pool = await ReplicaPool.start(loaded.model, {
    backend,
    workers:
      total >= PARALLEL_EVALUATION_MIN_IMAGES ? (options.workers ?? defaultWorkers(backend)) : 0,
  });
  try {
    for (const [i, ds] of sets.entries()) {
      options.onProgress?.(i, sets.length, ds.name);
      const probs = await pool.predict(
        ds.images,
        ds.labels.length,
        options.batchSize ? { batchSize: options.batchSize } : {},
      );
      if (within) keepClasses(probs, within.allowed);
      const one = evaluateOne(loaded, ds, probs);
      results.push(one.result);
      perSet.push(one.result);
      misclassified[ds.name] = one.wrong;
      errors[ds.name] = one.errors;
      const subsets = [...kindIndices(ds, loaded.labelSet), ...groupIndices(ds)];
      for (const { suffix, indices } of subsets) {
        const rows = new Float32Array(indices.length * numClasses);
        indices.forEach((row, k) =>
          rows.set(probs.subarray(row * numClasses, (row + 1) * numClasses), k * numClasses),
        );
        const subset = subsetDataset(ds, indices, `${ds.name}/${suffix}`);
        results.push(evaluateOne(loaded, subset, rows).result);
      }
    }
  } finally {
    await pool.close();
  }
  options.onProgress?.(sets.length, sets.length, '');
  return {
    version: EVALUATION_VERSION,
    model: loaded.dir,
    createdAt: new Date().toISOString(),
    results,
    combined: perSet.length > 1 ? mergeEvaluations('all', perSet) : null,
    misclassified,
    errors,
    subject: evaluationSubject(loaded, sets),
  };
}
