// The model card (MODEL_CARD.md): a markdown page written from a model directory's own files
// (hcr.json, model.json, evaluation.json, history.json), so that every figure on it is the one
// hcr measured: the model, its data with SHA-256, the training recipe and the command that
// reproduces it, the metrics on every test set, per-class figures, the most confused pairs, and
// what the model is not for. `renderModelCard` is pure; `writeModelCard` reads and writes.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import { ARCHITECTURES } from '../../core/architectures.js';
import { confusionKind, type ClassMetrics, type EvaluationResult } from '../../core/metrics.js';
import { exactDuration, pct, thousands } from '../../core/format.js';
import type { SynthManifest } from '../data/synth/files.js';
import { BACKENDS } from '../engine/backend.js';
import { writeFileAtomic } from '../fs-atomic.js';
import {
  readMetadata,
  type Hyperparameters,
  type MachineRecord,
  type ModelMetadata,
  type SourceRecord,
} from '../model/artifact.js';
import {
  evaluationResults,
  readEvaluationFor,
  type EvaluationReport,
} from '../model/evaluation.js';
import { EVALUATION_FILE, HISTORY_FILE, MODEL_CARD_FILE, MODEL_FILES } from '../model/files.js';
import { readHistory, type EpochRecord } from '../model/history.js';

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

/** Everything a card is written from, as read from a model directory. */
export interface ModelCardInput {
  /** The model directory as the card names it, e.g. `'models/alnum36'` (also the command's `--out`). */
  readonly modelDir: string;
  /** hcr.json. */
  readonly metadata: ModelMetadata;
  /** evaluation.json. */
  readonly evaluation: EvaluationReport;
  /** history.json, or null when the directory has none (then `historyNote` says why). */
  readonly history: readonly EpochRecord[] | null;
  readonly historyNote?: string;
  /** Weights counted from model.json's weightsManifest shapes, or null when it cannot be read. */
  readonly parameters: number | null;
  /** The files of the model directory (besides the card) with their sizes. */
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
}

// ---------------------------------------------------------------------------------------------
// Formatting

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** Escapes the characters that would break a markdown table cell or turn into markup. */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/([*_`<])/g, '\\$1');
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align = '',
): string {
  const aligns = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [header, aligns, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** A shell word: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// The reproduce command

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

/** The hyperparameters `hcr train` takes as flags (the rest are listed without one). */
const TRAIN_FLAGS: readonly FlagRule[] = [
  { key: 'architecture', flag: '--arch', emit: valued('--arch') },
  {
    key: 'sources',
    flag: '--sources',
    emit: (v) => (Array.isArray(v) && v.length > 0 ? ['--sources', v.join(',')] : []),
  },
  {
    key: 'foldCase',
    flag: '--fold-case',
    when: 'when true',
    emit: (v) => (v === true ? ['--fold-case'] : []),
  },
  { key: 'epochs', flag: '--epochs', emit: valued('--epochs') },
  { key: 'batchSize', flag: '--batch-size', emit: valued('--batch-size') },
  { key: 'learningRate', flag: '--lr', emit: valued('--lr') },
  { key: 'schedule', flag: '--schedule', emit: valued('--schedule') },
  { key: 'validationFraction', flag: '--validation', emit: valued('--validation') },
  { key: 'seed', flag: '--seed', emit: valued('--seed') },
  {
    key: 'augment',
    flag: '--no-augment',
    when: 'when false',
    emit: (v) => (v === false ? ['--no-augment'] : []),
  },
  {
    key: 'classWeights',
    flag: '--class-weights',
    when: 'when above 0',
    // Older runs recorded a boolean: true meant full balancing (power 1).
    emit: (v) =>
      v === true
        ? ['--class-weights', '1']
        : typeof v === 'number' && v > 0
          ? ['--class-weights', String(v)]
          : [],
  },
  { key: 'patience', flag: '--patience', emit: valued('--patience') },
  { key: 'maxMinutes', flag: '--max-minutes', emit: valued('--max-minutes') },
  { key: 'dropout', flag: '--dropout', emit: valued('--dropout') },
  {
    key: 'init',
    flag: '--init',
    when: 'when the run started from a model',
    emit: valued('--init'),
  },
];

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
  const words = ['hcr', 'train', '--arch', metadata.architecture.name];
  words.push('--label-set', metadata.labelSet.name);
  for (const rule of TRAIN_FLAGS) {
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

// ---------------------------------------------------------------------------------------------
// Sections

function modelSection(input: ModelCardInput): string {
  const { metadata } = input;
  const classes = metadata.labelSet.classes;
  const arch = metadata.architecture;
  const registry = ARCHITECTURES as Readonly<Record<string, { description: string }>>;
  const description = Object.prototype.hasOwnProperty.call(registry, arch.name)
    ? registry[arch.name]!.description
    : 'not an architecture this hcr knows';
  const options = Object.entries(arch.options);
  const weights = metadata.files[MODEL_FILES.weights];
  const lines = [
    '## The model',
    '',
    `- **Label set:** \`${metadata.labelSet.name}\`, ${classes.length} classes: ${classes.map((c) => `\`${c}\``).join(' ')}`,
    `- **Architecture:** \`${arch.name}\` (${description})` +
      (options.length > 0
        ? `, with ${options.map(([k, v]) => `${k} ${valueText(v)}`).join(', ')}`
        : ''),
    `- **Parameters:** ${input.parameters === null ? 'not derivable (model.json unreadable)' : thousands(input.parameters)}`,
    `- **Input:** one 28×28 grayscale image, brought to the MNIST convention by hcr's normalization (version ${metadata.normalization.version})`,
    `- **Saved:** ${metadata.createdAt} with TensorFlow.js ${metadata.tfjsVersion}; format ${metadata.format} ${metadata.formatVersion}`,
  ];
  if (weights) lines.push(`- **weights.bin SHA-256:** \`${weights.sha256}\``);
  const total = input.files.reduce((sum, f) => sum + f.bytes, 0);
  lines.push(
    '',
    table(
      ['File', 'Size', 'Bytes'],
      [
        ...input.files.map((f) => [cell(f.name), bytesText(f.bytes), thousands(f.bytes)]),
        ['**total** (without this card)', `**${bytesText(total)}**`, `**${thousands(total)}**`],
      ],
      'lrr',
    ),
  );
  return lines.join('\n');
}

function splitText(s: SourceRecord): string {
  const parts: string[] = [];
  if (s.counts.train === 0 && s.counts.validation === 0) parts.push('test only');
  else if (s.splitSeed !== null)
    parts.push(`split once into train/validation/test, seed ${s.splitSeed}`);
  else if (s.counts.test > 0) parts.push('official test set');
  else parts.push('training only (no test part)');
  if (s.validationSeed !== undefined && s.validationSeed !== null) {
    parts.push(`validation held out from train, seed ${s.validationSeed}`);
  }
  return parts.join('; ');
}

function dataSection(metadata: ModelMetadata): string {
  const training = metadata.training;
  if (!training) return '## The data\n\nhcr.json records no training data for this model.';
  const sources = training.data as readonly SourceRecord[];
  const h = training.hyperparameters;
  const lines = ['## The data', ''];
  const validation = typeof h.validationFraction === 'number' ? h.validationFraction : null;
  lines.push(
    `- **Split seed:** ${training.splitSeed} (of the validation hold-out; a source split once ` +
      'into train/validation/test has its own fixed seed, in the Split column)',
    `- **Validation share:** ` +
      (validation === null
        ? 'not recorded'
        : `${+(validation * 100).toFixed(2)}% (\`--validation ${validation}\`), held out of the ` +
          'training part of each source that has no validation split of its own (see Split)'),
    `- **Lowercase folded onto capitals:** ${h.foldCase === true ? 'yes' : 'no'}`,
    '',
  );
  if (sources.length === 0) {
    lines.push('hcr.json lists no sources.');
    return lines.join('\n');
  }
  const sum = (part: 'train' | 'validation' | 'test') =>
    sources.reduce((total, s) => total + s.counts[part], 0);
  lines.push(
    'Images per source after mapping into the label set. *Left out*: images of classes outside ' +
      "the label set, and images that duplicate another source's test images.",
    '',
    table(
      ['Source', 'Train', 'Validation', 'Test', 'Left out', 'Split'],
      [
        ...sources.map((s) => [
          cell(s.source),
          thousands(s.counts.train),
          thousands(s.counts.validation),
          thousands(s.counts.test),
          thousands(s.dropped) +
            (s.droppedDuplicates ? ` (${thousands(s.droppedDuplicates)} duplicates)` : ''),
          splitText(s),
        ]),
        [
          '**total**',
          `**${thousands(sum('train'))}**`,
          `**${thousands(sum('validation'))}**`,
          `**${thousands(sum('test'))}**`,
          `**${thousands(sources.reduce((t, s) => t + s.dropped, 0))}**`,
          '',
        ],
      ],
      'lrrrrl',
    ),
    '',
    'Files read, relative to the data folder:',
    '',
    table(
      ['Source', 'File', 'Bytes', 'SHA-256'],
      sources.flatMap((s) =>
        s.files.length === 0
          ? [[cell(s.source), '(no files recorded)', '', '']]
          : s.files.map((f) => [
              cell(s.source),
              cell(f.path),
              thousands(f.bytes),
              `\`${f.sha256}\``,
            ]),
      ),
      'llrl',
    ),
  );
  for (const s of sources) {
    const synthesis = (s as SourceRecord & { synthesis?: SynthManifest }).synthesis;
    if (synthesis) lines.push('', synthesisText(s.source, synthesis));
  }
  return lines.join('\n');
}

/** How a generated source was made: seed, renderings, pens, and every font family with its files. */
function synthesisText(source: string, m: SynthManifest): string {
  const held = m.families.filter((f) => f.split === 'test').map((f) => f.name);
  return [
    `### How \`${source}\` was generated`,
    '',
    `\`hcr data synth --seed ${m.seed} --train-variants ${m.trainVariants} --test-variants ${m.testVariants} --pen-variants ${m.penVariants}\` ` +
      `(generator version ${m.version}): ${thousands(m.counts.train)} training and ${thousands(m.counts.test)} test images ` +
      `in its own labels (0-9, A-Z, a-z), before mapping into the label set. ` +
      `${m.families.length} font families, each character rendered with a random weight, size, slant, rotation, aspect and elastic warp; ` +
      `held out whole for \`styles-test\`: ${held.join(', ')}. ` +
      (m.pens.images > 0
        ? `${thousands(m.pens.images)} images re-ink ${thousands(m.pens.trajectories)} UNIPEN pen trajectories of UNIPEN's training writers only, ` +
          `with the pens ${m.pens.models.join(', ')}.`
        : 'No pen trajectories.'),
    '',
    table(
      ['Family', 'Package', 'Kind', 'Split', 'Images', 'Font files (weight: SHA-256)'],
      m.families.map((f) => [
        cell(f.name),
        cell(`${f.package}@${f.version}`),
        f.kind,
        f.split,
        thousands(f.images),
        f.files.map((file) => `${file.weight}: \`${file.sha256}\``).join('<br>'),
      ]),
      'lllrrl',
    ),
  ].join('\n');
}

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

function trainingSection(input: ModelCardInput, machine: string): string {
  const { metadata, history } = input;
  const training = metadata.training;
  if (!training) return '## Training\n\nhcr.json records no training for this model.';
  const h = training.hyperparameters;
  const flagOf = new Map<string, string>(
    TRAIN_FLAGS.map((r) => [r.key, `\`${r.flag}\`${r.when ? ` ${r.when}` : ''}`]),
  );
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

/** The result the per-class and confusion sections describe: all sets together, or the only one. */
function mainResult(evaluation: EvaluationReport): EvaluationResult {
  return evaluation.combined ?? evaluation.results[0]!;
}

function metricsSection(evaluation: EvaluationReport): string {
  const all = evaluationResults(evaluation);
  const k = all.find((r) => r.topK !== undefined)?.topK;
  const withCase = all.some((r) => r.accuracyCaseMerged !== undefined);
  const header = ['Test set', 'Images', 'Accuracy', 'Look-alikes merged'];
  if (withCase) header.push('Case merged', 'Case and look-alikes merged');
  header.push('Macro-F1');
  if (k !== undefined) header.push(`Top-${k}`);
  const pairs = mainResult(evaluation).mergedPairs;
  const rows = all.map((r) => {
    const name = r === evaluation.combined ? `**all test sets** (\`${r.name}\`)` : `\`${r.name}\``;
    const row = [name, thousands(r.count), pct(r.accuracy), pct(r.accuracyMerged)];
    if (withCase) {
      for (const value of [r.accuracyCaseMerged, r.accuracyCaseLookalikeMerged]) {
        row.push(value === undefined ? '—' : pct(value));
      }
    }
    row.push(pct(r.macro.f1));
    if (k !== undefined) {
      row.push(r.topK === k && r.topKAccuracy !== undefined ? pct(r.topKAccuracy) : '—');
    }
    return row;
  });
  return [
    '## Metrics on every test set',
    '',
    `From ${EVALUATION_FILE} (evaluated ${evaluation.createdAt}). A name like \`emnist-test/digits\` ` +
      'is one kind of character (digits, capitals, lowercase) within that test set. ' +
      (pairs.length > 0
        ? `*Look-alikes merged* counts a prediction of ${pairs.map(([a, b]) => `${a} for ${b}`).join(', ')} (and the reverse) as correct.`
        : '*Look-alikes merged* equals accuracy here: no look-alike pair is in this label set.') +
      (withCase
        ? ' *Case merged* counts the other case of c, k, m, o, p, s, u, v, w, x, y and z as ' +
          'correct (the same shape once cut out of the line); *case and look-alikes merged* also ' +
          'joins the look-alikes (o/O/0, l/I/1, s/S/5, z/Z/2).'
        : '') +
      (k !== undefined ? ` *Top-${k}*: the true class is among the ${k} most probable.` : ''),
    '',
    table(header, rows, `l${'r'.repeat(header.length - 1)}`),
  ].join('\n');
}

/** Recall of class `i` counting a prediction of its look-alike partner(s) as correct. */
function mergedRecall(result: EvaluationResult, k: ClassMetrics): number {
  const i = result.classes.indexOf(k.class);
  const row = result.confusion[i];
  if (!row || k.support === 0) return 0;
  let hits = row[i] ?? 0;
  for (const [a, b] of result.mergedPairs) {
    const partner = a === k.class ? b : b === k.class ? a : null;
    if (partner !== null) hits += row[result.classes.indexOf(partner)] ?? 0;
  }
  return hits / k.support;
}

/** How the per-class and confusion sections name the result they describe, with its size. */
function mainTitle(evaluation: EvaluationReport): string {
  const result = mainResult(evaluation);
  const images = `${thousands(result.count)} images`;
  return evaluation.combined
    ? `all test sets together (\`${result.name}\`, ${images})`
    : `\`${result.name}\` (${images})`;
}

/** The class `k` is most often mistaken for, with the count, e.g. "most often read as 6 (23)". */
function mostOftenReadAs(result: EvaluationResult, k: ClassMetrics): string {
  const i = result.classes.indexOf(k.class);
  const row = result.confusion[i] ?? [];
  let best = -1;
  row.forEach((n, j) => {
    if (j !== i && n > 0 && (best < 0 || n > row[best]!)) best = j;
  });
  return best < 0 ? '' : `most often read as ${result.classes[best]} (${thousands(row[best]!)})`;
}

function partnersOf(result: EvaluationResult, name: string): string[] {
  return result.mergedPairs.flatMap(([a, b]) => (a === name ? [b] : b === name ? [a] : []));
}

function perClassSection(evaluation: EvaluationReport, threshold: number): string {
  const result = mainResult(evaluation);
  const limit = pct(threshold).replace(/\.00%$/, '%');
  const low = result.perClass.filter((k) => k.support > 0 && k.recall < threshold);
  const withCase = result.perClass.some((k) => k.recallCaseMerged !== undefined);
  const rows = result.perClass.map((k) => {
    const partners = partnersOf(result, k.class);
    const notes: string[] = [];
    if (k.support > 0 && k.recall < threshold) {
      notes.push(
        `**recall under ${limit}**`,
        partners.length > 0
          ? `look-alike of ${partners.join(', ')}: ${pct(mergedRecall(result, k))} with the pair merged`
          : 'not in a look-alike pair',
      );
      const readAs = mostOftenReadAs(result, k);
      if (readAs) notes.push(readAs);
    }
    return [
      `\`${cell(k.class)}\``,
      k.predicted > 0 ? pct(k.precision) : '—',
      k.support > 0 ? pct(k.recall) : '—',
      ...(withCase ? [k.support > 0 ? pct(k.recallCaseMerged ?? k.recall) : '—'] : []),
      k.support > 0 ? pct(k.f1) : '—',
      thousands(k.support),
      notes.join(', '),
    ];
  });
  const inPairs = low.filter((k) => partnersOf(result, k.class).length > 0);
  const outside = low.filter((k) => partnersOf(result, k.class).length === 0);
  const list = (ks: ClassMetrics[]) => ks.map((k) => `${k.class} (${pct(k.recall)})`).join(', ');
  const summary =
    low.length === 0
      ? `Every class has a recall of at least ${limit}.`
      : [
          `${low.length} of ${result.perClass.length} classes have a recall under ${limit}.`,
          inPairs.length > 0 ? `In a look-alike pair: ${list(inPairs)}.` : '',
          outside.length > 0
            ? `Not in a look-alike pair: ${list(outside)}.`
            : 'None outside the look-alike pairs.',
        ]
          .filter(Boolean)
          .join(' ');
  return [
    '## Per class',
    '',
    `On ${mainTitle(evaluation)}. Precision: of the images predicted as ` +
      'the class, the share that are; recall: of the images of the class, the share found; ' +
      (withCase
        ? "case-merged recall: the same with the letter's other case counted as found (c/C, k/K, m/M, o/O, p/P, s/S, u/U, v/V, w/W, x/X, y/Y, z/Z); "
        : '') +
      '— where nothing was predicted or there is no test image.',
    '',
    summary,
    '',
    withCase
      ? table(
          ['Class', 'Precision', 'Recall', 'Case-merged recall', 'F1', 'Support', 'Note'],
          rows,
          'lrrrrrl',
        )
      : table(['Class', 'Precision', 'Recall', 'F1', 'Support', 'Note'], rows, 'lrrrrl'),
  ].join('\n');
}

function confusedSection(evaluation: EvaluationReport, count: number): string {
  const result = mainResult(evaluation);
  const pairs = result.mostConfused.slice(0, Math.max(0, count));
  const kinds = { lookalike: 'look-alike', confusable: 'similar shape', case: 'case' } as const;
  const correct = result.perClass.reduce((sum, k) => sum + k.correct, 0);
  const errors = result.count - correct;
  let withinPairs = 0;
  for (const [a, b] of result.mergedPairs) {
    const i = result.classes.indexOf(a);
    const j = result.classes.indexOf(b);
    withinPairs += (result.confusion[i]?.[j] ?? 0) + (result.confusion[j]?.[i] ?? 0);
  }
  const lines = ['## Most confused pairs', ''];
  if (pairs.length === 0) {
    lines.push(`No image was misclassified on ${mainTitle(evaluation)}.`);
  } else {
    lines.push(
      `On ${mainTitle(evaluation)}: ${thousands(errors)} misclassified` +
        (result.mergedPairs.length > 0
          ? `, ${thousands(withinPairs)} of them (${pct(errors > 0 ? withinPairs / errors : 0)}) between look-alike pairs.`
          : '.'),
      '',
      table(
        ['True', 'Predicted', 'Images', 'Share of the true class', 'Kind'],
        pairs.map((p) => {
          const kind = confusionKind(p.true, p.predicted);
          return [
            `\`${cell(p.true)}\``,
            `\`${cell(p.predicted)}\``,
            thousands(p.count),
            pct(p.share),
            kind ? kinds[kind] : '',
          ];
        }),
        'llrrl',
      ),
    );
  }
  lines.push(
    '',
    '**Inherently ambiguous pairs.** O and 0, I and 1, S and 5, Z and 2 are written with the same ' +
      'strokes by many people: an isolated O and 0 are often exactly the same shape, and no model ' +
      'can tell them apart from that one image. That is why every figure is also given with the ' +
      'look-alike pairs merged. In use, context ' +
      'resolves them: `hcr read` reads a whole line and decides a look-alike from its neighbours ' +
      '(a 0 among digits, an O among letters), and a label set without one of the two (e.g. ' +
      '`alnum35`, which has no zero) removes the question.',
  );
  return lines.join('\n');
}

function notForSection(metadata: ModelMetadata): string {
  const hasLowercase = metadata.labelSet.classes.some((c) => c >= 'a' && c <= 'z');
  const items = [
    '- **Cursive or whole words in one image.** The model reads one isolated character per ' +
      'image. For a line of separate characters use `hcr read`, which segments it first; joined-up ' +
      'handwriting is not supported.',
  ];
  if (!hasLowercase) {
    items.push(
      `- **Lowercase letters.** The label set \`${metadata.labelSet.name}\` has no lowercase ` +
        'classes; a lowercase letter is read as whichever of its classes looks closest.',
    );
  }
  items.push(
    '- **Security or identity decisions.** Do not use it to verify people, signatures, ' +
      'documents or codes where a misreading has consequences; it makes mistakes at the rates above.',
    '- **A promise about your handwriting.** These test sets come from a limited set of writers ' +
      'and scanners; accuracy on your own handwriting, pens and photos can be lower.',
    '- **Pre-normalized images from other tools.** hcr brings every input to its own convention ' +
      '(ink bright on dark, cropped, scaled to 20×20, centred by mass in 28×28). Feed raw images ' +
      '(photos, scans, drawings); an image already normalized by another tool is normalized twice ' +
      'or differently and reads worse.',
  );
  return ['## What the model is not for', '', ...items].join('\n');
}

/** The card's machine line for what hcr.json records, e.g. "2 cores (AMD EPYC), 24 GiB, ...". */
function describeRecordedMachine(m: MachineRecord): string {
  const replicas = `${m.workers} worker replica${m.workers === 1 ? '' : 's'}`;
  return (
    `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; ` +
    `${replicas} beside the main thread (as recorded in hcr.json)`
  );
}

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

// ---------------------------------------------------------------------------------------------
// Reading a model directory

async function countParameters(modelDir: string): Promise<number | null> {
  try {
    const json = JSON.parse(await readFile(join(modelDir, MODEL_FILES.topology), 'utf8')) as {
      weightsManifest?: { weights?: { shape?: number[] }[] }[];
    };
    const specs = (json.weightsManifest ?? []).flatMap((group) => group.weights ?? []);
    if (specs.length === 0) return null;
    return specs.reduce((sum, s) => sum + (s.shape ?? []).reduce((a, b) => a * b, 1), 0);
  } catch {
    return null;
  }
}

async function listFiles(modelDir: string): Promise<{ name: string; bytes: number }[]> {
  const names = (await readdir(modelDir)).filter(
    (n) => !n.startsWith('.') && n !== MODEL_CARD_FILE,
  );
  const files: { name: string; bytes: number }[] = [];
  for (const name of names.sort()) {
    const info = await stat(join(modelDir, name));
    if (info.isFile()) files.push({ name, bytes: info.size });
  }
  return files;
}

/** How the card names `modelDir`: relative to the working directory when inside it. */
function displayDir(modelDir: string): string {
  const rel = relative(process.cwd(), modelDir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : modelDir;
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
  const metadata = await readMetadata(modelDir);
  const evaluation = await readEvaluationFor(modelDir, metadata);
  const history = await readHistory(modelDir);
  const markdown = renderModelCard(
    {
      modelDir: displayDir(modelDir),
      metadata,
      evaluation,
      history: 'history' in history ? history.history : null,
      ...('reason' in history ? { historyNote: history.reason } : {}),
      parameters: await countParameters(modelDir),
      files: await listFiles(modelDir),
    },
    options,
  );
  const out = options.out ?? join(modelDir, MODEL_CARD_FILE);
  await writeFileAtomic(out, markdown);
  return out;
}
