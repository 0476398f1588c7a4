// The model card's data section: the split seed and validation share, images per source after
// mapping into the label set, every file read with its SHA-256, and how a generated source
// (synth) was made.

import { thousands } from '../../../core/format.js';
import type { SynthManifest } from '../../data/synth/files.js';
import type { ModelMetadata, SourceRecord } from '../../model/artifact.js';
import { cell, table } from './markdown.js';

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

/** "## The data": what the model was trained and tested on, as hcr.json records it. */
export function dataSection(metadata: ModelMetadata): string {
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
