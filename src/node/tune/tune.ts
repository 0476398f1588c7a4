// `hcr tune`: adapts a model to one writer from a few samples per class (DESIGN.md §8). The
// run starts from the model's weights, trains on the samples (each seen many times, under the
// usual augmentation) mixed with a replay sample of the original training data so the model
// does not forget the other writers, at a small learning rate, and writes a normal model
// directory. Before and after figures on the samples' own held-out part and on the dataset
// test sets say what it gained and what it cost.

import { rm } from 'node:fs/promises';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import { createRandom, shuffleInPlace } from '../../core/random.js';
import { concatDatasets, subsetDataset } from '../../core/split.js';
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

/** The defaults of {@link TuneOptions}. */
export const TUNE_DEFAULTS = Object.freeze({
  heldOut: 0.2,
  epochs: 4,
  learningRate: 0.0003,
  repeats: 10,
  seed: 7,
  replayPerClass: 50,
});

/**
 * Up to `perClass` images of each class of `train`, drawn with `seed`: the replay sample that
 * keeps an adapted model reading the writers it was trained on.
 *
 * @example
 * const replay = replaySample(plan.train, 50, 7);
 */
export function replaySample(train: Dataset, perClass: number, seed: number): Dataset {
  const byClass = new Map<number, number[]>();
  train.labels.forEach((y, i) => {
    const list = byClass.get(y) ?? [];
    list.push(i);
    byClass.set(y, list);
  });
  const rand = createRandom(seed);
  const chosen: number[] = [];
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    chosen.push(...shuffleInPlace(byClass.get(y)!, rand).slice(0, perClass));
  }
  return subsetDataset(
    train,
    chosen.sort((a, b) => a - b),
    'replay',
  );
}

/** What {@link tuneModel} measured. */
export interface TuneResult {
  readonly outDir: string;
  /** Samples trained on and held out. */
  readonly counts: { readonly train: number; readonly heldOut: number; readonly replay: number };
  /** The base model and the adapted one on the held-out samples (`samples-held-out`) and the tests. */
  readonly before: EvaluationReport;
  readonly after: EvaluationReport;
}

/**
 * Splits each class's samples: `share` of them held out (rounded down but at least one from a
 * class of three or more; none from a class of one or two, which all train).
 */
export function holdOutPerClass(
  labels: Uint8Array,
  share: number,
  seed: number,
): { train: number[]; heldOut: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    const list = byClass.get(y) ?? [];
    list.push(i);
    byClass.set(y, list);
  });
  const train: number[] = [];
  const heldOut: number[] = [];
  const rand = createRandom(seed);
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = shuffleInPlace([...byClass.get(y)!], rand);
    const held = share <= 0 || list.length < 3 ? 0 : Math.max(1, Math.floor(list.length * share));
    heldOut.push(...list.slice(0, held));
    train.push(...list.slice(held));
  }
  return { train: train.sort((a, b) => a - b), heldOut: heldOut.sort((a, b) => a - b) };
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
  const split = holdOutPerClass(options.samples.labels, heldOutShare, seed);
  const trainSamples = subsetDataset(options.samples, split.train, 'samples-train');
  const heldOut = subsetDataset(options.samples, split.heldOut, 'samples-held-out');
  const measured = [...(heldOut.labels.length > 0 ? [heldOut] : []), ...(options.tests ?? [])];
  let before: EvaluationReport;
  try {
    before = await evaluateModel(base, measured, workersOf(options));
  } finally {
    base.dispose();
  }

  // Each sample `repeats` times (augmented anew each time), then the replay.
  const repeated = Array.from(
    { length: repeats * trainSamples.labels.length },
    (_, k) => k % trainSamples.labels.length,
  );
  const parts = [subsetDataset(trainSamples, repeated, 'samples')];
  let validation: Dataset = heldOut;
  if (options.replay && options.replay.labels.length > 0) {
    const order = shuffleInPlace(
      Array.from({ length: options.replay.labels.length }, (_, i) => i),
      createRandom(seed + 1),
    );
    const cut = Math.max(1, Math.floor(order.length * 0.1));
    parts.push(subsetDataset(options.replay, order.slice(cut), 'replay'));
    const replayValidation = subsetDataset(
      options.replay,
      order.slice(0, cut),
      'replay-validation',
    );
    validation =
      heldOut.labels.length > 0
        ? concatDatasets('validation', [heldOut, replayValidation])
        : replayValidation;
  }
  if (validation.labels.length === 0) validation = trainSamples;
  const train = concatDatasets('tune', parts);
  const config = resolveTrainConfig({
    architecture,
    epochs: options.epochs ?? TUNE_DEFAULTS.epochs,
    learningRate: options.learningRate ?? TUNE_DEFAULTS.learningRate,
    batchSize: 32,
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
