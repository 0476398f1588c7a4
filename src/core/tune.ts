// The recipe that adapts a model to one writer (docs/DESIGN.md §8), shared by `hcr tune` (Node) and
// the page's Teach view (a Web Worker): start from the model's weights, train on the writer's
// samples, each seen many times under the usual augmentation, mixed with a replay sample of the
// original training data so that the model does not forget the other writers, at a small learning
// rate (Adam, short warm-up then cosine). Everything here is pure data handling.

import { createRandom, shuffleInPlace } from './random.js';
import { concatDatasets, subsetDataset } from './split.js';
import type { Dataset } from './types.js';

/** The defaults of the tuning recipe (`hcr tune`'s options and the page's Adapt). */
export const TUNE_DEFAULTS = Object.freeze({
  /** Share of each class's samples held out to measure the gain. */
  heldOut: 0.2,
  /** Passes over the tuning set. */
  epochs: 4,
  /** Peak learning rate (Adam, cosine). */
  learningRate: 0.0003,
  /** Times each sample appears per epoch (with a new augmentation each time). */
  repeats: 10,
  /** Seed of the hold-out, the shuffles and the augmentation. */
  seed: 7,
  /** Images per class of the replay sample of the training data. */
  replayPerClass: 50,
  /** Images per training step. */
  batchSize: 32,
});

/**
 * `perClass` times the number of classes of `train` images, drawn at random with `seed` so that
 * each class keeps its share of the training data: the replay sample that keeps an adapted
 * model reading the writers it was trained on. (A sample balanced per class would also teach
 * the model balanced classes: measured with bench:tune, the adapted shipped model then read
 * MNIST's 5, 0 and 2 as S, O and Z three times as often.)
 *
 * @example
 * const replay = replaySample(plan.train, 50, 7); // 1,800 images for 36 classes
 */
export function replaySample(train: Dataset, perClass: number, seed: number): Dataset {
  const classes = indicesByClass(train.labels).size;
  const order = shuffleInPlace(
    Array.from({ length: train.labels.length }, (_, i) => i),
    createRandom(seed),
  );
  return subsetDataset(
    train,
    order.slice(0, Math.max(0, perClass) * classes).sort((a, b) => a - b),
    'replay',
  );
}

function indicesByClass(labels: ArrayLike<number>): Map<number, number[]> {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const list = byClass.get(y) ?? [];
    list.push(i);
    byClass.set(y, list);
  }
  return byClass;
}

/**
 * Splits each class's samples: `share` of them held out (rounded down but at least one from a
 * class of three or more; none from a class of one or two, which all train).
 *
 * @example
 * const { train, heldOut } = holdOutPerClass(samples.labels, 0.2, 7);
 */
export function holdOutPerClass(
  labels: ArrayLike<number>,
  share: number,
  seed: number,
): { train: number[]; heldOut: number[] } {
  const byClass = indicesByClass(labels);
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

/** What {@link tuningSets} builds. */
export interface TuningSets {
  /** The samples trained on (before repetition). */
  readonly trainSamples: Dataset;
  /** The samples held out to measure the gain (may be empty). */
  readonly heldOut: Dataset;
  /** Each training sample `repeats` times, then 90% of the replay: one epoch's images. */
  readonly train: Dataset;
  /** The held-out samples and the other 10% of the replay (the training samples when both are empty). */
  readonly validation: Dataset;
}

/**
 * The tuning recipe's data: the samples split by {@link holdOutPerClass}, each training sample
 * repeated (the augmentation makes every repeat a new image), the replay shuffled with
 * `seed + 1` and cut 90/10 between training and validation.
 *
 * @example
 * const sets = tuningSets(samples, replay, { heldOut: 0.2, repeats: 10, seed: 7 });
 */
export function tuningSets(
  samples: Dataset,
  replay: Dataset | undefined,
  options: { heldOut: number; repeats: number; seed: number },
): TuningSets {
  const repeats = Math.max(1, Math.round(options.repeats));
  const split = holdOutPerClass(samples.labels, options.heldOut, options.seed);
  const trainSamples = subsetDataset(samples, split.train, 'samples-train');
  const heldOut = subsetDataset(samples, split.heldOut, 'samples-held-out');
  const repeated = Array.from(
    { length: repeats * trainSamples.labels.length },
    (_, k) => k % trainSamples.labels.length,
  );
  const parts = [subsetDataset(trainSamples, repeated, 'samples')];
  let validation: Dataset = heldOut;
  if (replay && replay.labels.length > 0) {
    const order = shuffleInPlace(
      Array.from({ length: replay.labels.length }, (_, i) => i),
      createRandom(options.seed + 1),
    );
    const cut = Math.max(1, Math.floor(order.length * 0.1));
    parts.push(subsetDataset(replay, order.slice(cut), 'replay'));
    const replayValidation = subsetDataset(replay, order.slice(0, cut), 'replay-validation');
    validation =
      heldOut.labels.length > 0
        ? concatDatasets('validation', [heldOut, replayValidation])
        : replayValidation;
  }
  if (validation.labels.length === 0) validation = trainSamples;
  return { trainSamples, heldOut, train: concatDatasets('tune', parts), validation };
}

/**
 * The recipe's learning rate at `progress` (0 at the start, 1 at the planned end): 2% linear
 * warm-up from a tenth of `peak`, then a cosine down to 1% of it (the trainer's `cosine`).
 *
 * @example
 * tuneLearningRate(TUNE_DEFAULTS.learningRate, 0.5); // ≈ 0.00015
 */
export function tuneLearningRate(peak: number, progress: number): number {
  const p = Math.min(Math.max(progress, 0), 1);
  const warmup = 0.02;
  if (p < warmup) return peak * (0.1 + (0.9 * p) / warmup);
  const floor = peak * 0.01;
  const t = (p - warmup) / (1 - warmup);
  return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
