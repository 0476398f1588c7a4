// The model card's sections on the model itself: what it is (label set, architecture,
// parameters, input, files with their sizes and the weights' SHA-256) and what it is not for.

import { ARCHITECTURES } from '../../../core/architectures.js';
import { thousands } from '../../../core/format.js';
import type { ModelMetadata } from '../../model/artifact.js';
import { MODEL_FILES } from '../../model/files.js';
import type { ModelCardInput } from './input.js';
import { bytesText, cell, table, valueText } from './markdown.js';

/** "## The model": label set, architecture, parameters, input convention, files. */
export function modelSection(input: ModelCardInput): string {
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

/** "## What the model is not for": the uses its figures do not support. */
export function notForSection(metadata: ModelMetadata): string {
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
