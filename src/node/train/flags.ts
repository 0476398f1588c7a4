// The options of `hcr train`, as one table: the CLI builds commander's options and the typed
// options of the command from it (src/node/cli/train.ts), and the model card reads it to say
// which flag sets each recorded hyperparameter and to print the command that trains a model
// again (src/node/eval/card/reproduce.ts). Adding a flag here adds it to all three.

import { ARCHITECTURES, DEFAULT_ARCHITECTURE } from '../../core/architectures.js';
import { DEFAULT_LABEL_SET, LABEL_SETS } from '../../core/label-sets.js';
import type { Hyperparameters } from '../model/artifact.js';
import { SCHEDULES, TRAIN_DEFAULTS } from './config.js';

/** How a hyperparameter recorded in hcr.json is given back as this flag. */
export interface RecordedAs {
  /** The hyperparameter the flag sets. */
  readonly key: keyof Hyperparameters & string;
  /** When the flag is given at all, for a flag left out at its default, e.g. 'when false'. */
  readonly when?: string;
  /**
   * The flag and its value for a recorded value, or [] when the flag is left out (off, none).
   * Default: the flag and the value, left out when the value is null or absent.
   */
  readonly emit?: (value: unknown) => string[];
}

/**
 * One option of `hcr train` (the shape of an entry of a CLI options table,
 * src/node/cli/options.ts), with the hyperparameter it records when it records one.
 */
export interface TrainFlag {
  readonly flags: string;
  readonly description: string;
  readonly parse?: 'integer' | 'number' | 'list';
  readonly choices?: readonly string[];
  readonly default?: string | number | boolean;
  readonly recordedAs?: RecordedAs;
}

/**
 * The options of `hcr train` in `--help` order (the options every command that runs a model
 * shares follow them), keyed by the name the command reads them under.
 *
 * @example
 * TRAIN_FLAGS.epochs.default; // 15
 */
export const TRAIN_FLAGS = Object.freeze({
  arch: {
    flags: '--arch <name>',
    description: 'architecture',
    choices: Object.keys(ARCHITECTURES),
    default: DEFAULT_ARCHITECTURE,
    recordedAs: { key: 'architecture' },
  },
  labelSet: {
    flags: '--label-set <name>',
    description: 'label set',
    choices: Object.keys(LABEL_SETS),
    default: DEFAULT_LABEL_SET,
  },
  sources: {
    flags: '--sources <list>',
    description: 'comma-separated sources (default: every source present)',
    parse: 'list',
    recordedAs: {
      key: 'sources',
      emit: (v: unknown) => (Array.isArray(v) && v.length > 0 ? ['--sources', v.join(',')] : []),
    },
  },
  foldCase: {
    flags: '--fold-case',
    description: 'map lowercase images onto capital classes when the label set has no lowercase',
    recordedAs: {
      key: 'foldCase',
      when: 'when true',
      emit: (v: unknown) => (v === true ? ['--fold-case'] : []),
    },
  },
  epochs: {
    flags: '--epochs <n>',
    description: 'maximum epochs',
    parse: 'integer',
    default: TRAIN_DEFAULTS.epochs,
    recordedAs: { key: 'epochs' },
  },
  batchSize: {
    flags: '--batch-size <n>',
    description: 'images per step',
    parse: 'integer',
    default: TRAIN_DEFAULTS.batchSize,
    recordedAs: { key: 'batchSize' },
  },
  lr: {
    flags: '--lr <rate>',
    description: 'peak learning rate (Adam)',
    parse: 'number',
    default: TRAIN_DEFAULTS.learningRate,
    recordedAs: { key: 'learningRate' },
  },
  schedule: {
    flags: '--schedule <name>',
    description: 'learning-rate schedule',
    choices: Object.keys(SCHEDULES),
    default: TRAIN_DEFAULTS.schedule,
    recordedAs: { key: 'schedule' },
  },
  validation: {
    flags: '--validation <fraction>',
    description: 'share of each training source held out for validation',
    parse: 'number',
    default: 0.1,
    recordedAs: { key: 'validationFraction' },
  },
  seed: {
    flags: '--seed <n>',
    description: 'random seed',
    parse: 'integer',
    default: TRAIN_DEFAULTS.seed,
    recordedAs: { key: 'seed' },
  },
  augment: {
    flags: '--no-augment',
    description: 'train without random rotation/shift/scale/shear',
    recordedAs: {
      key: 'augment',
      when: 'when false',
      emit: (v: unknown) => (v === false ? ['--no-augment'] : []),
    },
  },
  classWeights: {
    flags: '--class-weights [power]',
    description:
      'weight each class by (inverse frequency)^power: 1 balances the classes fully, 0.5 half way',
    parse: 'number',
    recordedAs: {
      key: 'classWeights',
      when: 'when above 0',
      // Older runs recorded a boolean: true meant full balancing (power 1).
      emit: (v: unknown) =>
        v === true
          ? ['--class-weights', '1']
          : typeof v === 'number' && v > 0
            ? ['--class-weights', String(v)]
            : [],
    },
  },
  patience: {
    flags: '--patience <n>',
    description: 'early stopping: epochs without improvement (0 = off)',
    parse: 'integer',
    default: TRAIN_DEFAULTS.patience,
    recordedAs: { key: 'patience' },
  },
  maxMinutes: {
    flags: '--max-minutes <n>',
    description: 'stop (and save) after this many minutes',
    parse: 'number',
    recordedAs: { key: 'maxMinutes' },
  },
  checkpointMinutes: {
    flags: '--checkpoint-minutes <n>',
    description:
      'save a resumable checkpoint this often within an epoch: a crash loses at most this much',
    parse: 'number',
    default: TRAIN_DEFAULTS.checkpointSeconds / 60,
  },
  dropout: {
    flags: '--dropout <rate>',
    description: "override the architecture's dropout",
    parse: 'number',
    recordedAs: { key: 'dropout' },
  },
  out: { flags: '--out <dir>', description: 'model directory to write', default: 'runs/model' },
  resume: {
    flags: '--resume',
    description: 'continue the run in <out>.checkpoint (or, without one, from the model in <out>)',
  },
  init: {
    flags: '--init <model-dir>',
    description:
      "start from this model's weights instead of a random initialization (same architecture; with another label set, the features and the classes both hold carry over)",
    recordedAs: { key: 'init', when: 'when the run started from a model' },
  },
  report: {
    flags: '--report',
    description:
      'write a report in <out>.report: the training curves after every epoch, every plot and report.html at the end',
  },
} as const satisfies Readonly<Record<string, TrainFlag>>);

/**
 * The long flag of an option, e.g. `--no-augment` for `'--no-augment'`, `--lr` for `'--lr <rate>'`.
 *
 * @example
 * longFlag(TRAIN_FLAGS.batchSize); // '--batch-size'
 */
export function longFlag(flag: Pick<TrainFlag, 'flags'>): string {
  return flag.flags.split(' ')[0]!;
}
