// Training options: every field optional, defaults in one frozen object that the CLI's
// --help, the README and the tests all read, resolved once at the boundary.

import { HcrError } from '../../core/errors.js';
import { DEFAULT_SPLIT_SEED } from '../model/artifact.js';

/** Learning-rate schedules `hcr train --schedule` accepts. */
export const SCHEDULES = Object.freeze({
  /** The learning rate stays as given. */
  constant: 'constant',
  /** Short linear warm-up, then cosine decay to 1% by the end of the run (epochs or time limit). */
  cosine: 'cosine',
} as const);

export type ScheduleName = keyof typeof SCHEDULES;

/** Options of a training run. */
export interface TrainOptions {
  /** Architecture name from ARCHITECTURES. Default `'default'`. */
  architecture?: string;
  /** Maximum number of passes over the training set. Default 15. */
  epochs?: number;
  /** Images per optimizer step. Default 128. */
  batchSize?: number;
  /** Adam's (peak) learning rate. Default 0.001. */
  learningRate?: number;
  /** Learning-rate schedule. Default `'cosine'`. */
  schedule?: ScheduleName;
  /**
   * Seed of the validation hold-out, the weight initialization, the shuffles, the augmentation
   * and the dropout masks (per step and per worker), so the same command repeats the same
   * numbers on one machine with the same backend and number of workers, and a resumed run
   * repeats them exactly. Default 42.
   */
  seed?: number;
  /** Random rotation/shift/scale/shear of training images, on the fly. Default true. */
  augment?: boolean;
  /**
   * Weight each class's loss by (N / (classes * count))^power: 0 turns weighting off, 1 makes
   * every class count as much in total, 0.5 (square root) goes half way. Default 0.
   */
  classWeights?: number;
  /** Stop after this many epochs without a better validation loss. Default 4 (0 = never). */
  patience?: number;
  /** Stop (after saving) once this many minutes have passed. Default: no limit. */
  maxMinutes?: number;
  /**
   * Save a resumable checkpoint at least this often within an epoch, in seconds (besides the
   * one at every epoch's end), so a crash loses at most this much work. Default 120.
   */
  checkpointSeconds?: number;
  /** Dropout rate override for the architecture. Default: the architecture's own. */
  dropout?: number;
}

/** A training configuration with every default filled in. */
export type ResolvedTrainConfig = Readonly<
  Required<Omit<TrainOptions, 'dropout' | 'maxMinutes'>>
> & {
  readonly dropout: number | null;
  readonly maxMinutes: number | null;
};

/** The defaults of {@link TrainOptions}. */
export const TRAIN_DEFAULTS: ResolvedTrainConfig = Object.freeze({
  architecture: 'default',
  epochs: 15,
  batchSize: 128,
  learningRate: 0.001,
  schedule: 'cosine',
  seed: DEFAULT_SPLIT_SEED,
  augment: true,
  classWeights: 0,
  patience: 4,
  maxMinutes: null,
  checkpointSeconds: 120,
  dropout: null,
});

function positive(name: string, value: number, integer: boolean): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new HcrError(
      'BAD_OPTION',
      `${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${value}`,
    );
  }
  return value;
}

/**
 * Fills in defaults and validates a training configuration.
 *
 * @example
 * resolveTrainConfig({ epochs: 3 }).batchSize; // 128
 */
export function resolveTrainConfig(options: TrainOptions = {}): ResolvedTrainConfig {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as TrainOptions;
  const config = { ...TRAIN_DEFAULTS, ...defined };
  positive('epochs', config.epochs, true);
  positive('batch size', config.batchSize, true);
  positive('learning rate', config.learningRate, false);
  positive('checkpoint interval', config.checkpointSeconds, false);
  if (config.maxMinutes !== null) positive('max minutes', config.maxMinutes, false);
  if (!(config.classWeights >= 0 && config.classWeights <= 2)) {
    throw new HcrError(
      'BAD_OPTION',
      `class weights: expected a power between 0 (off) and 2, got ${config.classWeights}`,
    );
  }
  if (!Number.isInteger(config.patience) || config.patience < 0) {
    throw new HcrError('BAD_OPTION', `patience: expected an integer >= 0, got ${config.patience}`);
  }
  if (!Object.prototype.hasOwnProperty.call(SCHEDULES, config.schedule)) {
    throw new HcrError(
      'BAD_OPTION',
      `unknown schedule '${config.schedule}': expected one of ${Object.keys(SCHEDULES).join(', ')}`,
    );
  }
  if (config.dropout !== null && !(config.dropout >= 0 && config.dropout < 1)) {
    throw new HcrError('BAD_OPTION', `dropout: expected a rate in [0, 1), got ${config.dropout}`);
  }
  return Object.freeze(config);
}

/**
 * Learning rate at `progress` (0 at the start of training, 1 at its planned end).
 * Cosine: 2% linear warm-up, then a cosine from the peak down to 1% of it.
 */
export function learningRateAt(config: ResolvedTrainConfig, progress: number): number {
  if (config.schedule === 'constant') return config.learningRate;
  const p = Math.min(Math.max(progress, 0), 1);
  const warmup = 0.02;
  if (p < warmup) return config.learningRate * (0.1 + (0.9 * p) / warmup);
  const floor = config.learningRate * 0.01;
  const t = (p - warmup) / (1 - warmup);
  return floor + (config.learningRate - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
