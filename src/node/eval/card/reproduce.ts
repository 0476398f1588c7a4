// The `hcr train` command that trains a model again, from the hyperparameters its hcr.json
// records, and which flag sets each hyperparameter. Both come from `hcr train`'s own options
// table (TRAIN_FLAGS, src/node/train/flags.ts), so the card cannot name a flag the command
// does not have.

import { BACKENDS } from '../../engine/backend.js';
import type { Hyperparameters, ModelMetadata } from '../../model/artifact.js';
import { TRAIN_FLAGS, longFlag, type TrainFlag } from '../../train/flags.js';
import { shellWord, valueText } from './markdown.js';

/** A recorded hyperparameter and the `hcr train` flag that sets it. */
interface FlagRule {
  readonly key: keyof Hyperparameters & string;
  readonly flag: string;
  /** When the flag is given at all, for a flag that is left out at its default, e.g. 'when false'. */
  readonly when?: string;
  /** The flag and its value for `value`, or [] when the flag is left out (off, none). */
  readonly emit: (value: unknown) => string[];
}

const valued =
  (flag: string) =>
  (value: unknown): string[] =>
    value === null || value === undefined ? [] : [flag, valueText(value)];

/** The hyperparameters `hcr train` takes as flags, in its options' order (the rest have none). */
const FLAG_RULES: readonly FlagRule[] = Object.values(TRAIN_FLAGS as Record<string, TrainFlag>)
  .filter((option) => option.recordedAs !== undefined)
  .map((option) => {
    const { key, when, emit } = option.recordedAs!;
    const flag = longFlag(option);
    return { key, flag, ...(when === undefined ? {} : { when }), emit: emit ?? valued(flag) };
  });

/**
 * The `hcr train` flag of each hyperparameter that has one, as the card's table shows it,
 * e.g. `` `--no-augment` when false `` for `augment`.
 */
export function flagColumn(): ReadonlyMap<string, string> {
  return new Map(FLAG_RULES.map((r) => [r.key, `\`${r.flag}\`${r.when ? ` ${r.when}` : ''}`]));
}

/**
 * The `hcr train` command that trains this model again, built from the recorded
 * hyperparameters (every one that has a flag is spelled out, so a later change of a default
 * does not change the command's meaning), or null when the model records no training.
 *
 * @example
 * reproduceCommand(metadata, 'models/alnum36');
 * // 'hcr train --arch default --label-set alnum36 ... --out models/alnum36'
 */
export function reproduceCommand(metadata: ModelMetadata, modelDir: string): string | null {
  const training = metadata.training;
  if (!training) return null;
  const h = training.hyperparameters;
  // The architecture and label set are the model's own (hcr.json records them outside the
  // hyperparameters too); they lead the command.
  const words = ['hcr', 'train', longFlag(TRAIN_FLAGS.arch), metadata.architecture.name];
  words.push(longFlag(TRAIN_FLAGS.labelSet), metadata.labelSet.name);
  for (const rule of FLAG_RULES) {
    if (rule.key !== 'architecture') words.push(...rule.emit(h[rule.key]));
  }
  if (Object.prototype.hasOwnProperty.call(BACKENDS, training.backend)) {
    words.push('--backend', training.backend);
  }
  words.push('--out', modelDir);
  // One flag and its value per continuation line once the command gets long, so it reads
  // (and copies) well in a code block.
  const parts: string[] = [words.slice(0, 2).join(' ')];
  for (const word of words.slice(2).map(shellWord)) {
    if (word.startsWith('--')) parts.push(word);
    else parts[parts.length - 1] += ` ${word}`;
  }
  const oneLine = parts.join(' ');
  return oneLine.length <= 100 ? oneLine : parts.join(' \\\n  ');
}
