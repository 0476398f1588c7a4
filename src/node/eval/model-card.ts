// The model card (MODEL_CARD.md): a markdown page written from a model directory's own files
// (hcr.json, model.json, evaluation.json, history.json), so that every figure on it is the one
// hcr measured: the model, its data with SHA-256, the training recipe and the command that
// reproduces it, the metrics on every test set, per-class figures, the most confused pairs, and
// what the model is not for. `renderModelCard` is pure; `writeModelCard` reads and writes. The
// sections and the markdown helpers are in card/.

import { basename, join } from 'node:path';
import { pct } from '../../core/format.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { EVALUATION_FILE, HISTORY_FILE, MODEL_CARD_FILE } from '../model/files.js';
import { dataSection } from './card/data.js';
import { readModelCardInput, type ModelCardInput } from './card/input.js';
import { shellWord } from './card/markdown.js';
import { modelSection, notForSection } from './card/model.js';
import {
  confusedSection,
  mainResult,
  mainTitle,
  metricsSection,
  perClassSection,
} from './card/results.js';
import { describeRecordedMachine, trainingSection } from './card/training.js';

export { reproduceCommand } from './card/reproduce.js';
export type { ModelCardInput } from './card/input.js';
export { MODEL_CARD_FILE } from '../model/files.js';

/** Options of {@link renderModelCard} and {@link writeModelCard}; defaults in {@link MODEL_CARD_DEFAULTS}. */
export interface ModelCardOptions {
  /** The machine the model was trained on, e.g. `'2-core Xeon, 4 GB'`. Default: what hcr.json records, else "not recorded". */
  machine?: string;
  /** Classes whose recall is below this share are marked. Default: 0.85. */
  recallThreshold?: number;
  /** How many of the most confused pairs to list (at most 20 are stored). Default: 10. */
  confusedPairs?: number;
}

/** Options of {@link writeModelCard}. */
export interface WriteModelCardOptions extends ModelCardOptions {
  /** Where to write the card. Default: MODEL_CARD.md in the model directory. */
  out?: string;
}

/**
 * The defaults of {@link ModelCardOptions}.
 *
 * @example
 * MODEL_CARD_DEFAULTS.recallThreshold; // 0.85
 */
export const MODEL_CARD_DEFAULTS: Readonly<Required<ModelCardOptions>> = Object.freeze({
  machine: 'not recorded',
  recallThreshold: 0.85,
  confusedPairs: 10,
});

/**
 * The model card as markdown, from a model directory's files already read. Pure: the same
 * input always gives the same text (no clock, no file system), so a regenerated card only
 * changes when the model, its evaluation or its history changed.
 *
 * @example
 * const markdown = renderModelCard({ modelDir: 'models/alnum36', metadata, evaluation,
 *   history, parameters: 123456, files }, { machine: '2-core VM' });
 */
export function renderModelCard(input: ModelCardInput, options: ModelCardOptions = {}): string {
  const recorded = input.metadata.training?.machine;
  const machine =
    options.machine?.trim() ||
    (recorded ? describeRecordedMachine(recorded) : MODEL_CARD_DEFAULTS.machine);
  const threshold = options.recallThreshold ?? MODEL_CARD_DEFAULTS.recallThreshold;
  const confused = options.confusedPairs ?? MODEL_CARD_DEFAULTS.confusedPairs;
  const { metadata, evaluation } = input;
  const name = basename(input.modelDir) || input.modelDir;
  const main = mainResult(evaluation);
  // The command that writes this card again, --machine included so that it is not lost.
  const regenerate = ['hcr', 'card', input.modelDir]
    .concat(options.machine?.trim() ? ['--machine', options.machine.trim()] : [])
    .map((w, i) => (i < 2 ? w : shellWord(w)))
    .join(' ');
  const intro =
    `# Model card: ${name}\n\n` +
    `A ${metadata.labelSet.classes.length}-class handwritten character classifier ` +
    `(label set \`${metadata.labelSet.name}\`), architecture \`${metadata.architecture.name}\`, ` +
    `trained and evaluated by hcr. On ${mainTitle(evaluation)}: ` +
    `accuracy ${pct(main.accuracy)}, ${pct(main.accuracyMerged)} with the look-alike pairs merged, ` +
    `macro-F1 ${pct(main.macro.f1)}.\n\n` +
    `*Written by \`${regenerate}\` from hcr.json, model.json, ${EVALUATION_FILE} and ` +
    `${HISTORY_FILE}; regenerate it rather than editing it.*` +
    (evaluation.subject
      ? ''
      : `\n\n*${EVALUATION_FILE} was written by an older hcr that did not record which weights it ` +
        `measured; run \`hcr evaluate --model ${shellWord(input.modelDir)}\` again to be sure the ` +
        'figures belong to these weights.*');
  return (
    [
      intro,
      modelSection(input),
      dataSection(metadata),
      trainingSection(input, machine),
      metricsSection(evaluation),
      perClassSection(evaluation, threshold),
      confusedSection(evaluation, confused),
      notForSection(metadata),
    ].join('\n\n') + '\n'
  );
}

/**
 * Reads a model directory's hcr.json, model.json, evaluation.json and history.json, renders the
 * card ({@link renderModelCard}) and writes it atomically; returns the path written.
 *
 * @throws HcrError NOT_FOUND when there is no evaluation.json (run `hcr evaluate` first);
 *   BAD_MODEL when evaluation.json does not belong to the model.
 * @example
 * await writeModelCard('models/alnum36', { machine: '2-core VM' }); // 'models/alnum36/MODEL_CARD.md'
 */
export async function writeModelCard(
  modelDir: string,
  options: WriteModelCardOptions = {},
): Promise<string> {
  const markdown = renderModelCard(await readModelCardInput(modelDir), options);
  const out = options.out ?? join(modelDir, MODEL_CARD_FILE);
  await writeFileAtomic(out, markdown);
  return out;
}
