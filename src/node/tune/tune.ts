// `hcr tune`: adapts a model to one writer from a few samples per class (docs/DESIGN.md §8). The
// run starts from the model's weights, trains on the samples (each seen many times, under the
// usual augmentation) mixed with a replay sample of the original training data so the model
// does not forget the other writers, at a small learning rate, and writes a normal model
// directory. Before and after figures on the samples' own held-out part and on the dataset
// test sets say what it gained and what it cost.

import { rm } from 'node:fs/promises';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import { TUNE_DEFAULTS, tuningSets } from '../../core/tune.js';
import type { Dataset } from '../../core/types.js';
import { evaluateModel, type EvaluationReport } from '../eval/evaluate.js';
import { loadModel, type SourceRecord } from '../model/artifact.js';
import { resolveTrainConfig } from '../train/config.js';
import { checkpointDirFor, trainModel, type TrainEvent } from '../train/trainer.js';

/** Options of {@link tuneModel}; `modelDir`, `samples` and `outDir` are required. */
export interface TuneOptions {
  /** The model to adapt (its architecture and label set are kept). */
  readonly modelDir: string;
  /** The writer's samples, labelled in the model's label set. */
  readonly samples: Dataset;
  /** Where the adapted model goes (must not hold a model yet). */
  readonly outDir: string;
  /** Images of the original training data replayed beside the samples. Default: none. */
  readonly replay?: Dataset;
  /** Dataset test sets to measure before and after (what the adaptation may cost). Default: none. */
  readonly tests?: readonly Dataset[];
  /** Share of each class's samples held out to measure the gain (see {@link holdOutPerClass}). Default: 0.2. */
  readonly heldOut?: number;
  /** Passes over the tuning set. Default: 4. */
  readonly epochs?: number;
  /** Peak learning rate (Adam, cosine). Default: 0.0003. */
  readonly learningRate?: number;
  /** Times each sample appears per epoch (with a new augmentation each time). Default: 10. */
  readonly repeats?: number;
  /** Seed of the hold-out, the shuffles and the augmentation. Default: 7. */
  readonly seed?: number;
  /** Provenance of the samples and the replay, recorded in the adapted model's hcr.json. */
  readonly provenance?: readonly SourceRecord[];
  /** Worker threads for training and evaluation. Default: the trainer's. */
  readonly workers?: number;
  readonly onProgress?: (event: TrainEvent) => void;
}

/** The defaults of {@link TuneOptions}: the recipe's, shared with the page (core/tune.ts). */
export { TUNE_DEFAULTS, holdOutPerClass, replaySample } from '../../core/tune.js';

/** What {@link tuneModel} measured. */
export interface TuneResult {
  readonly outDir: string;
  /** Samples trained on and held out. */
  readonly counts: { readonly train: number; readonly heldOut: number; readonly replay: number };
  /** The base model and the adapted one on the held-out samples (`samples-held-out`) and the tests. */
  readonly before: EvaluationReport;
  readonly after: EvaluationReport;
}

function sameClasses(a: LabelSet, b: LabelSet): boolean {
  return a.classes.join('\u0000') === b.classes.join('\u0000');
}

/**
 * Adapts the model in `modelDir` to the writer of `samples` and saves it to `outDir`.
 *
 * @throws HcrError BAD_DATA when the samples or replay are in another label set than the
 *   model, or there are no samples
 * @example
 * const result = await tuneModel({ modelDir: 'models/alnum36', samples, outDir: 'runs/mine' });
 */
export async function tuneModel(options: TuneOptions): Promise<TuneResult> {
  const heldOutShare = options.heldOut ?? TUNE_DEFAULTS.heldOut;
  const seed = options.seed ?? TUNE_DEFAULTS.seed;
  const repeats = Math.max(1, Math.round(options.repeats ?? TUNE_DEFAULTS.repeats));
  const base = await loadModel(options.modelDir);
  const labelSet = base.labelSet;
  const architecture = base.metadata.architecture.name;
  for (const [what, ds] of [
    ['samples', options.samples],
    ['replay', options.replay],
  ] as const) {
    if (ds && !sameClasses(ds.labelSet, labelSet)) {
      base.dispose();
      throw new HcrError(
        'BAD_DATA',
        `${what}: expected the model's label set ${labelSet.name} (${labelSet.classes.join('')}), got ${ds.labelSet.name} (${ds.labelSet.classes.join('')})`,
      );
    }
  }
  if (options.samples.labels.length === 0) {
    base.dispose();
    throw new HcrError('BAD_DATA', 'samples: expected at least one image, got none');
  }
  const { trainSamples, heldOut, train, validation } = tuningSets(options.samples, options.replay, {
    heldOut: heldOutShare,
    repeats,
    seed,
  });
  const measured = [...(heldOut.labels.length > 0 ? [heldOut] : []), ...(options.tests ?? [])];
  let before: EvaluationReport;
  try {
    before = await evaluateModel(base, measured, workersOf(options));
  } finally {
    base.dispose();
  }

  const config = resolveTrainConfig({
    architecture,
    epochs: options.epochs ?? TUNE_DEFAULTS.epochs,
    learningRate: options.learningRate ?? TUNE_DEFAULTS.learningRate,
    batchSize: TUNE_DEFAULTS.batchSize,
    patience: 0,
    seed,
  });
  await trainModel({
    train,
    validation,
    labelSet,
    config,
    outDir: options.outDir,
    init: options.modelDir,
    provenance: options.provenance ?? [],
    dataOptions: {
      init: options.modelDir,
      initWeightsSha256: base.metadata.files['weights.bin']?.sha256 ?? null,
      sources: (options.provenance ?? []).map((p) => p.source),
    },
    ...workersOf(options),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // The adapted model is a normal model directory; the run's checkpoint is of no further use.
  await rm(checkpointDirFor(options.outDir), { recursive: true, force: true });
  const tuned = await loadModel(options.outDir);
  let after: EvaluationReport;
  try {
    after = await evaluateModel(tuned, measured, workersOf(options));
  } finally {
    tuned.dispose();
  }
  return {
    outDir: options.outDir,
    counts: {
      train: trainSamples.labels.length,
      heldOut: heldOut.labels.length,
      replay: options.replay?.labels.length ?? 0,
    },
    before,
    after,
  };
}

function workersOf(options: TuneOptions): { workers?: number } {
  return options.workers === undefined ? {} : { workers: options.workers };
}
