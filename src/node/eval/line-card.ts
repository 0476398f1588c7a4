// The model card of a line model (issue 21 §6): what it reads, how it was trained (the exact
// command), on what data and split, its figures per test set with and without the language
// model, its size and speed, and what it does not do. Written beside the model by
// `hcr line evaluate --record`.

import { LINE_ARCHITECTURES, getLineArchitecture } from '../../core/line/architectures.js';
import type { LineModelMetadata } from '../model/line-artifact.js';
import { table } from './card/markdown.js';
import { earlierOf } from '../train/line-trainer.js';
import { LINE_TEST_SETS, type LineScores } from './line-evaluate.js';

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The figures of one test set as hcr.json records them. */
interface RecordedSet {
  readonly name: string;
  readonly description: string;
  readonly lines: number;
  readonly greedy: LineScores;
  readonly languageModel: LineScores;
  readonly msPerLineP50: number;
}

/**
 * Every test set the model's hcr.json records figures for (whichever evaluations wrote them), in
 * the order of LINE_TEST_SETS: an evaluation of one set adds its row without dropping the others.
 */
function recordedSets(metadata: LineModelMetadata): RecordedSet[] {
  const metrics = metadata.metrics as Record<string, Partial<RecordedSet> | undefined>;
  return Object.entries(LINE_TEST_SETS).flatMap(([name, description]) => {
    const m = metrics[name];
    if (!m?.greedy || !m.languageModel) return [];
    return [
      {
        name,
        description,
        lines: Number(m.lines ?? 0),
        greedy: m.greedy,
        languageModel: m.languageModel,
        msPerLineP50: Number(m.msPerLineP50 ?? 0),
      },
    ];
  });
}

/**
 * The card's markdown.
 *
 * @example
 * const card = renderLineCard('models/line-en', metadata, 2_300_000);
 */
export function renderLineCard(dir: string, metadata: LineModelMetadata, bytes: number): string {
  const results = recordedSets(metadata);
  const t = metadata.training;
  const data = metadata.data as {
    sources?: { name: string; items: number }[];
    split?: { by: string; seed: number; fractions: Record<string, number> };
  };
  const figures = table(
    [
      'test set',
      'lines',
      'chars greedy',
      'lines greedy',
      'chars with LM',
      'lines with LM',
      'ms/line',
    ],
    results.map((r) => [
      r.name,
      String(r.lines),
      percent(r.greedy.charAccuracy),
      percent(r.greedy.wordAccuracy),
      percent(r.languageModel.charAccuracy),
      percent(r.languageModel.wordAccuracy),
      r.msPerLineP50.toFixed(0),
    ]),
    '',
    'compact',
  );
  const sets = results.map((r) => `- **${r.name}**: ${r.description}.`);
  const earlier = earlierOf(t);
  const lineage =
    earlier.length === 0
      ? ''
      : `\nIt continues ${earlier.length === 1 ? 'an earlier run' : `${earlier.length} earlier runs`} (its \`--init\` model), listed oldest first. To reproduce it, run ${earlier.length === 1 ? 'that command' : 'them in order'}, then the command above, each \`--init\` naming the model the run before wrote (its \`--out\`):\n\n${earlier
          .map(
            (r, i) =>
              `${i + 1}. ${r.steps} steps, ${r.minutes} minutes: \`${r.command ?? '(not recorded)'}\``,
          )
          .join('\n')}\n`;
  const describe = (name: string) =>
    name in LINE_ARCHITECTURES ? `: ${getLineArchitecture(name).description}` : '';
  return `# Line model \`${dir}\`

Reads a whole line of handwriting without cutting it into characters: a fully convolutional
network (\`${metadata.architecture}\`${describe(metadata.architecture)}) maps a line ${metadata.lineHeight} pixels high (any width) to
one column of class scores every ${metadata.frameStride} pixels, trained with CTC; a prefix beam
search with the character language model (\`models/lm-en\`) decodes it. Characters: space, 0-9,
A-Z, a-z and \`${metadata.charset.slice(63)}\` (${metadata.charset.length} + the CTC blank).

## Figures

Characters read right (1 − CER, case-sensitive) and lines read exactly, greedy (no language
model) and with the language model; milliseconds per line with the language model (p50, one
core). Measured by \`hcr line evaluate --model ${dir} --record\`.

${figures}

${sets.join('\n')}

## Training

\`\`\`
${String(t.command ?? '(not recorded)')}
\`\`\`

- ${String(t.steps ?? '?')} steps of ${String(t.batchSize ?? '?')} lines, ${String(t.minutes ?? '?')} minutes on ${String(t.workers ?? 0) === '0' ? 'one thread' : `${Number(t.workers ?? 0) + 1} threads`} (WASM backend), Adam, peak learning rate ${String(t.lr ?? '?')}, ${String(t.schedule ?? '')}.${t.init ? ` Started from \`${String(t.init)}\`.` : ''}
- Data: ${(data.sources ?? []).map((s) => `${s.name} (${s.items} items per epoch at most)`).join(', ')}.
- UNIPEN words are split by ${data.split?.by ?? 'writer'} (seed ${data.split?.seed ?? '?'}; ${percent(data.split?.fractions?.test ?? 0)} of writers in test, ${percent(data.split?.fractions?.validation ?? 0)} in validation): no test writer's words, nor their labels, were trained on or fed to the language model.
- Every training line is re-inked from its pen trajectory with a random pen (ballpoint, felt-tip, pencil, brush), slant, paper noise, blur and JPEG; font lines use the training families only (the styles-test families are held out, the reserved families refused).
${lineage}
## Size

${(bytes / 2 ** 20).toFixed(2)} MiB (model.json + weights.bin, float32).

## Limits

- Lines are found by projection before they are read: touching or strongly skewed lines can be
  merged or split before the model sees them.
- One line ${metadata.lineHeight} pixels high: very long lines are squeezed to 2048 columns.
- English and German words dominate the handwriting it learned from; other scripts are not read.
`;
}
