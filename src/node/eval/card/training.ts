// The model card's training section: time, machine, epochs and why the run stopped, every
// recorded hyperparameter with its `hcr train` flag, the command that trains the model again,
// and the per-epoch history.

import { exactDuration, pct, thousands } from '../../../core/format.js';
import type { MachineRecord, ModelMetadata } from '../../model/artifact.js';
import { HISTORY_FILE } from '../../model/files.js';
import type { EpochRecord } from '../../model/history.js';
import type { ModelCardInput } from './input.js';
import { cell, table, valueText } from './markdown.js';
import { flagColumn, reproduceCommand } from './reproduce.js';

/** Why the run ended, as far as the recorded figures tell. */
function stopText(
  training: NonNullable<ModelMetadata['training']>,
  history: readonly EpochRecord[] | null,
  trainImages: number,
): string {
  const h = training.hyperparameters;
  const maxEpochs = typeof h.epochs === 'number' ? h.epochs : null;
  const patience = typeof h.patience === 'number' ? h.patience : 0;
  const maxMinutes = typeof h.maxMinutes === 'number' ? h.maxMinutes : null;
  const last = history?.at(-1);
  const cut = last && trainImages > 0 && last.images < trainImages;
  const atLimit = maxMinutes !== null && training.durationSeconds >= maxMinutes * 60 - 60;
  const epochText = cut
    ? ` during epoch ${last.epoch}, after ${thousands(last.images)} of its ${thousands(trainImages)} images`
    : '';
  if (atLimit) return `stopped by the ${maxMinutes}-minute time limit${epochText}`;
  if (maxEpochs !== null && training.epochs >= maxEpochs && !cut) {
    return `ran all ${maxEpochs} epochs`;
  }
  if (patience > 0 && training.epochs - training.bestEpoch >= patience && !cut) {
    return `early stopping: ${patience} epochs without a better validation loss`;
  }
  return `stopped before the epoch budget${epochText} (interrupted; hcr.json does not say why)`;
}

/** "## Training": how the model was trained and the command that trains it again. */
export function trainingSection(input: ModelCardInput, machine: string): string {
  const { metadata, history } = input;
  const training = metadata.training;
  if (!training) return '## Training\n\nhcr.json records no training for this model.';
  const h = training.hyperparameters;
  const flagOf = flagColumn();
  const trainImages = training.data.reduce((sum, s) => sum + s.counts.train, 0);
  const maxEpochs = typeof h.epochs === 'number' ? ` of at most ${h.epochs}` : '';
  const lines = [
    '## Training',
    '',
    `- **Time:** ${exactDuration(training.durationSeconds)}`,
    `- **Machine:** ${machine}`,
    `- **Backend:** ${training.backend}`,
    `- **Epochs run:** ${training.epochs}${maxEpochs}; ${stopText(training, history, trainImages)}`,
    `- **Best epoch:** ${training.bestEpoch} (lowest validation loss; the saved weights are from this epoch)`,
    '',
    'Hyperparameters, as recorded in hcr.json:',
    '',
    table(
      ['Hyperparameter', 'Value', '`hcr train` flag'],
      Object.entries(h).map(([key, value]) => [
        cell(key),
        cell(valueText(value)),
        flagOf.get(key) ?? '— (no flag)',
      ]),
    ),
    '',
    'The command that trains this model again (with the files listed above in the data folder: ' +
      '`--data-dir DIR` or `$HCR_DATA_DIR`):',
    '',
    '```sh',
    reproduceCommand(metadata, input.modelDir)!,
    '```',
    '',
    'Expect the same figures within run-to-run noise, not identical weights: the seed fixes the ' +
      'split, the shuffles and the augmentation, but TensorFlow.js does not seed the weight ' +
      'initialization or the dropout masks.' +
      (typeof h.maxMinutes === 'number'
        ? ' With a time limit, how many images the run sees also depends on the speed of the machine.'
        : '') +
      (typeof h.init === 'string'
        ? ` The run started from the weights of the model at \`${h.init}\` when it trained ` +
          `(its weights.bin had SHA-256 \`${h.initWeightsSha256 ?? 'not recorded'}\`); to train it again, ` +
          'that model must be at that path (a model that replaced it there is not the same start).'
        : ''),
  ];
  lines.push('');
  if (history === null) {
    lines.push(`Per-epoch history: not available (${input.historyNote ?? `no ${HISTORY_FILE}`}).`);
  } else if (history.length > 0) {
    lines.push(
      'Per epoch (from history.json):',
      '',
      table(
        [
          'Epoch',
          'Loss',
          'Accuracy',
          'Val. loss',
          'Val. accuracy',
          'Learning rate',
          'Time',
          'Images',
        ],
        history.map((r) => [
          r.epoch === training.bestEpoch ? `**${r.epoch}** (best)` : String(r.epoch),
          r.loss.toFixed(4),
          pct(r.accuracy),
          r.valLoss.toFixed(4),
          pct(r.valAccuracy),
          String(Number(r.learningRate.toPrecision(3))),
          `${Math.round(r.seconds)} s`,
          thousands(r.images),
        ]),
        'rrrrrrrr',
      ),
    );
  }
  return lines.join('\n');
}

/** The card's machine line for what hcr.json records, e.g. "2 cores (AMD EPYC), 24 GiB, ...". */
export function describeRecordedMachine(m: MachineRecord): string {
  const replicas = `${m.workers} worker replica${m.workers === 1 ? '' : 's'}`;
  return (
    `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; ` +
    `${replicas} beside the main thread (as recorded in hcr.json)`
  );
}
