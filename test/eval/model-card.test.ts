// The model card from a tiny model directory built here (untrained `tiny` network, 36 classes,
// an evaluation from evaluateModel on synthetic test sets, a made-up history): every figure on
// the card is the one in the files, the reproduce command uses flags `hcr train` really has,
// and a directory without evaluation.json (or with someone else's) is a clear error.

import { runCli } from '../helpers/cli.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import type { EvaluationResult } from '../../src/core/metrics.js';
import { buildProgram } from '../../src/node/cli/main.js';
import { initEngine } from '../../src/node/engine/index.js';
import { EXIT_CODE } from '../../src/node/errors.js';
import { evaluateModel } from '../../src/node/eval/evaluate.js';
import {
  MODEL_CARD_DEFAULTS,
  renderModelCard,
  reproduceCommand,
  writeModelCard,
} from '../../src/node/eval/model-card.js';
import {
  loadModel,
  readMetadata,
  saveModel,
  type MetadataInput,
} from '../../src/node/model/artifact.js';
import { saveEvaluation, type EvaluationReport } from '../../src/node/model/evaluation.js';
import { EVALUATION_FILE, MODEL_CARD_FILE } from '../../src/node/model/files.js';
import type { EpochRecord } from '../../src/node/model/history.js';
import { syntheticDataset } from '../helpers/synthetic.js';
import { bytesText, cell, shellWord, table } from '../../src/node/eval/card/markdown.js';
import { flagColumn } from '../../src/node/eval/card/reproduce.js';
import { TRAIN_FLAGS } from '../../src/node/train/flags.js';

const LABELS = LABEL_SETS.alnum36;
const SHA_A = 'a'.repeat(63) + '1';
const SHA_B = 'b'.repeat(63) + '2';

const history: EpochRecord[] = [1, 2].map((epoch) => ({
  epoch,
  loss: 1.25 / epoch,
  accuracy: 0.4 + epoch * 0.1,
  valLoss: [1.0, 0.875][epoch - 1]!,
  valAccuracy: 0.5 + epoch * 0.05,
  learningRate: 0.0005 / epoch,
  seconds: 3,
  images: epoch === 1 ? 108 : 50,
}));

const metadataInput: MetadataInput = {
  labelSet: { name: LABELS.name, classes: [...LABELS.classes] },
  normalization: { version: 1 },
  architecture: { name: 'tiny', options: {} },
  training: {
    hyperparameters: {
      architecture: 'tiny',
      epochs: 5,
      batchSize: 16,
      learningRate: 0.0005,
      schedule: 'constant',
      seed: 9,
      augment: false,
      classWeights: 0.5,
      patience: 3,
      maxMinutes: 7,
      checkpointSeconds: 300,
      dropout: null,
      sources: ['mnist', 'folder:my digits'],
      foldCase: false,
      validationFraction: 0.15,
    },
    data: [
      {
        source: 'mnist',
        files: [{ path: 'mnist/train-images-idx3-ubyte.gz', sha256: SHA_A, bytes: 9912422 }],
        counts: { train: 100, validation: 8, test: 72 },
        dropped: 0,
        splitSeed: null,
      },
      {
        source: 'folder:my digits',
        files: [{ path: 'my digits/A/1.png', sha256: SHA_B, bytes: 321 }],
        counts: { train: 8, validation: 0, test: 36 },
        dropped: 5,
        splitSeed: 20243,
      },
    ],
    splitSeed: 9,
    epochs: 2,
    bestEpoch: 2,
    durationSeconds: 421,
    backend: 'wasm',
  },
  metrics: {},
};

let dir: string;
let modelDir: string;
let evaluation: EvaluationReport;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-card-'));
  modelDir = join(dir, 'tiny36');
  const model = createModel({ architecture: 'tiny', numClasses: LABELS.classes.length });
  await saveModel(modelDir, model, metadataInput, {
    extraFiles: { 'history.json': `${JSON.stringify(history)}\n` },
  });
  model.dispose();
  const loaded = await loadModel(modelDir);
  try {
    // An untrained model on two small sets of all 36 classes: plenty of mistakes, digits and
    // capitals in each, so there are per-kind results and a combined one.
    evaluation = await evaluateModel(loaded, [
      syntheticDataset('set-a', 2, 3, LABELS.classes.length, LABELS),
      syntheticDataset('set-b', 1, 5, LABELS.classes.length, LABELS),
    ]);
  } finally {
    loaded.dispose();
  }
  await saveEvaluation(modelDir, evaluation);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function allResults(): EvaluationResult[] {
  return [...evaluation.results, evaluation.combined!];
}

describe('writeModelCard', () => {
  let card: string;
  beforeAll(async () => {
    const path = await writeModelCard(modelDir, { machine: 'a 2-core test VM' });
    expect(path).toBe(join(modelDir, MODEL_CARD_FILE));
    card = await readFile(path, 'utf8');
  });

  it('lists every source with its files, SHA-256 and image counts, the split seed and validation share', () => {
    expect(card).toContain(
      `| mnist | mnist/train-images-idx3-ubyte.gz | 9,912,422 | \`${SHA_A}\` |`,
    );
    expect(card).toContain(`| folder:my digits | my digits/A/1.png | 321 | \`${SHA_B}\` |`);
    expect(card).toMatch(/\| mnist \| 100 \| 8 \| 72 \| 0 \| official test set \|/);
    expect(card).toMatch(/\| folder:my digits \| 8 \| 0 \| 36 \| 5 \| split once .*seed 20243 \|/);
    expect(card).toMatch(/\| \*\*total\*\* \| \*\*108\*\* \| \*\*8\*\* \| \*\*108\*\* \|/);
    expect(card).toContain('**Split seed:** 9');
    expect(card).toContain('15% (`--validation 0.15`)');
  });

  it('describes the model from its files: label set, architecture, parameter count, sizes', async () => {
    const loaded = await loadModel(modelDir);
    const parameters = loaded.model.countParams();
    loaded.dispose();
    expect(card).toContain('# Model card: tiny36');
    expect(card).toContain('`alnum36`, 36 classes');
    expect(card).toContain('`tiny` (test-sized CNN');
    expect(card).toContain(`**Parameters:** ${parameters.toLocaleString('en-US')}`);
    const metadata = await readMetadata(modelDir);
    const weights = metadata.files['weights.bin']!;
    expect(card).toContain(`| weights.bin | `);
    expect(card).toContain(`| ${weights.bytes.toLocaleString('en-US')} |`);
    expect(card).toContain(`\`${weights.sha256}\``);
    expect(card).not.toMatch(/\| MODEL_CARD\.md \|/);
  });

  it('gives the training recipe: time, machine, epochs, best epoch and the exact command', async () => {
    const metadata = await readMetadata(modelDir);
    expect(card).toContain('**Time:** 7 min 1 s (421 s)');
    expect(card).toContain('**Machine:** a 2-core test VM');
    expect(card).toContain('**Backend:** wasm');
    expect(card).toMatch(
      /\*\*Epochs run:\*\* 2 of at most 5; stopped .*during epoch 2, after 50 of its 108 images/,
    );
    expect(card).toContain('**Best epoch:** 2');
    const command = reproduceCommand(metadata, 'tiny36')!;
    for (const part of [
      '--arch tiny',
      '--label-set alnum36',
      "--sources 'mnist,folder:my digits'",
      '--epochs 5',
      '--batch-size 16',
      '--lr 0.0005',
      '--schedule constant',
      '--validation 0.15',
      '--seed 9',
      '--no-augment',
      '--class-weights 0.5',
      '--patience 3',
      '--max-minutes 7',
      '--backend wasm',
    ]) {
      expect(command).toContain(part);
    }
    expect(command).not.toMatch(/--dropout|--fold-case|checkpoint/);
    expect(card).toContain(`\`\`\`sh\n${reproduceCommand(metadata, modelDir)}\n\`\`\``);
    expect(card).toMatch(
      /\| \*\*2\*\* \(best\) \| 0\.6250 \| 60\.00% \| 0\.8750 \| 60\.00% \| 0\.00025 \| 3 s \| 50 \|/,
    );
  });

  it('emits only flags that `hcr train` has', async () => {
    const command = reproduceCommand(await readMetadata(modelDir), 'out-dir')!;
    const words = command.replace(/ \\\n\s*/g, ' ').split(' ');
    const train = buildProgram().commands.find((c) => c.name() === 'train')!;
    const flags = new Set(train.options.map((o) => o.long));
    const used = words.filter((w) => w.startsWith('--'));
    expect(used.length).toBeGreaterThan(10);
    for (const flag of used) expect(flags, flag).toContain(flag);
    expect(words.slice(0, 2)).toEqual(['hcr', 'train']);
    expect(words.at(-1)).toBe('out-dir');
  });

  it('has a metrics row per result, per-kind subsets and the combined one, with the exact figures', () => {
    const names = allResults().map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['set-a/digits', 'set-a/capitals', 'all']));
    for (const r of allResults()) {
      const name =
        r === evaluation.combined ? `**all test sets** (\`${r.name}\`)` : `\`${r.name}\``;
      const row = `| ${name} | ${r.count} | ${pct(r.accuracy)} | ${pct(r.accuracyMerged)} | ${pct(r.macro.f1)} | ${pct(r.topKAccuracy!)} |`;
      expect(card).toContain(row);
    }
    expect(card).toContain(
      '| Test set | Images | Accuracy | Look-alikes merged | Macro-F1 | Top-3 |',
    );
  });

  it('has a per-class row for every class of the combined result, marking low recall', () => {
    const combined = evaluation.combined!;
    expect(combined.perClass).toHaveLength(36);
    for (const k of combined.perClass) {
      const figure = (x: number, has: boolean) => (has ? pct(x) : '—');
      const row =
        `| \`${k.class}\` | ${figure(k.precision, k.predicted > 0)} | ${figure(k.recall, true)} | ` +
        `${figure(k.f1, true)} | ${k.support} |`;
      expect(card).toContain(row);
      const line = card.split('\n').find((l) => l.startsWith(`| \`${k.class}\` |`))!;
      if (k.recall < MODEL_CARD_DEFAULTS.recallThreshold) {
        expect(line).toContain('**recall under 85%**');
        const lookalike = combined.mergedPairs.some((p) => p.includes(k.class));
        expect(line).toContain(lookalike ? 'look-alike of' : 'not in a look-alike pair');
      } else {
        expect(line).not.toContain('recall under');
      }
    }
    // An untrained network misses most classes.
    expect(card).toMatch(/\d+ of 36 classes have a recall under 85%/);
  });

  it('lists the most confused pairs with the fixed note on ambiguous pairs, and what the model is not for', () => {
    const top = evaluation.combined!.mostConfused[0]!;
    expect(card).toContain(
      `| \`${top.true}\` | \`${top.predicted}\` | ${top.count} | ${pct(top.share)} |`,
    );
    expect(card).toContain('**Inherently ambiguous pairs.**');
    expect(card).toMatch(/isolated O and 0 are often exactly the same shape/);
    expect(card).toContain('## What the model is not for');
    expect(card).toMatch(/Lowercase letters.*`alnum36` has no lowercase/);
    expect(card).toMatch(/hcr read/);
    expect(card).toMatch(/Security or identity decisions/);
  });

  it('is deterministic: the same files give the same card', async () => {
    const again = await readFile(
      await writeModelCard(modelDir, { machine: 'a 2-core test VM', out: join(dir, 'again.md') }),
      'utf8',
    );
    expect(again).toBe(card);
  });
});

describe('writeModelCard on incomplete or mismatched directories', () => {
  it('refuses a model without evaluation.json and says to run hcr evaluate first', async () => {
    const bare = join(dir, 'bare');
    const model = createModel({ architecture: 'tiny', numClasses: 36 });
    await saveModel(bare, model, metadataInput);
    model.dispose();
    await expect(writeModelCard(bare)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(
        /bare: no evaluation\.json; run `hcr evaluate --model .*bare` first/,
      ),
    });
  });

  it('refuses an evaluation.json made with other weights', async () => {
    const other = join(dir, 'other');
    const model = createModel({ architecture: 'tiny', numClasses: 36 });
    await saveModel(other, model, metadataInput);
    model.dispose();
    await writeFile(
      join(other, EVALUATION_FILE),
      JSON.stringify({ ...evaluation, subject: { ...evaluation.subject!, weightsSha256: SHA_A } }),
    );
    await expect(writeModelCard(other)).rejects.toMatchObject({
      code: 'BAD_MODEL',
      message: expect.stringMatching(
        /evaluation\.json: made with weights a+1, but weights\.bin is [0-9a-f]{64}; run `hcr evaluate/,
      ),
    });
  });

  it('writes a card without history.json, saying so', async () => {
    const copy = join(dir, 'no-history');
    const model = createModel({ architecture: 'tiny', numClasses: 36 });
    await saveModel(copy, model, metadataInput);
    model.dispose();
    const metadata = await readMetadata(copy);
    const own = {
      ...evaluation,
      subject: { ...evaluation.subject!, weightsSha256: metadata.files['weights.bin']!.sha256 },
    };
    await writeFile(join(copy, EVALUATION_FILE), JSON.stringify(own));
    const card = await readFile(await writeModelCard(copy), 'utf8');
    expect(card).toContain(
      `Per-epoch history: not available (${copy} has no history.json (the model was saved without its training history)).`,
    );
    expect(card).toContain('**Machine:** not recorded');
  });
});

describe('renderModelCard', () => {
  it('says so when a model records no training, and still shows its metrics', async () => {
    const metadata = { ...(await readMetadata(modelDir)), training: null };
    const card = renderModelCard({
      modelDir: 'imported',
      metadata,
      evaluation,
      history: null,
      parameters: null,
      files: [],
    });
    expect(card).toContain('hcr.json records no training for this model.');
    expect(card).toContain('**Parameters:** not derivable');
    expect(card).toContain(pct(evaluation.combined!.accuracy));
    expect(card).not.toContain('hcr train');
  });
});

describe('renderModelCard with a recorded machine', () => {
  it('describes the machine hcr.json records when --machine is not given', async () => {
    const saved = await readMetadata(modelDir);
    const machine = {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 24,
      platform: 'linux-x64',
      node: 'v20.0.0',
      workers: 1,
    };
    const metadata = { ...saved, training: { ...saved.training!, machine } };
    const input = { modelDir: 'm', metadata, evaluation, history: null, parameters: 1, files: [] };
    expect(renderModelCard(input)).toContain(
      '**Machine:** 2 cores (Test CPU), 24 GiB, linux-x64, Node v20.0.0; 1 worker replica beside the main thread (as recorded in hcr.json)',
    );
    expect(renderModelCard(input, { machine: 'given' })).toContain('**Machine:** given');
  });
});

describe('renderModelCard with one test set and an older evaluation', () => {
  it('describes the only result, flags the unrecorded weights, and keeps --machine in the regenerate command', async () => {
    const metadata = await readMetadata(modelDir);
    const only = evaluation.results[0]!;
    const older: EvaluationReport = { ...evaluation };
    delete (older as { subject?: unknown }).subject;
    const card = renderModelCard(
      {
        modelDir: 'models/x',
        metadata,
        evaluation: { ...older, results: [only], combined: null },
        history: null,
        parameters: 10,
        files: [],
      },
      { machine: "Bob's laptop" },
    );
    expect(card).toContain(
      `On \`${only.name}\` (${only.count} images): accuracy ${pct(only.accuracy)}`,
    );
    expect(card).not.toContain('all test sets');
    expect(card).toContain(`*Written by \`hcr card models/x --machine 'Bob'\\''s laptop'\``);
    expect(card).toMatch(
      /did not record which weights it measured; run `hcr evaluate --model models\/x` again/,
    );
  });
});

describe('hcr card', () => {
  const run = runCli;

  it('writes the card where --out says, with --machine', async () => {
    const out = join(dir, 'cli-card.md');
    const result = await run('card', modelDir, '--machine', 'CLI box', '--out', out);
    expect(result).toMatchObject({ code: 0, stdout: `model card: ${out}\n` });
    expect(await readFile(out, 'utf8')).toContain('**Machine:** CLI box');
  });

  it('exits with NOT_FOUND and the hint when evaluation.json is missing', async () => {
    const result = await run('card', join(dir, 'bare'));
    expect(result.code).toBe(EXIT_CODE.NOT_FOUND);
    expect(result.stderr).toMatch(/^hcr: .*bare: no evaluation\.json; run `hcr evaluate/);
  });
});

describe('renderModelCard with a generated source and a warm start', () => {
  it('lists how the synthetic source was made, every family with its files, and the --init start', async () => {
    const saved = await readMetadata(modelDir);
    const synthesis = {
      format: 'hcr-synth' as const,
      version: 1,
      seed: 3,
      trainVariants: 20,
      testVariants: 10,
      penVariants: 1,
      families: [
        {
          name: 'Caveat',
          package: '@fontsource/caveat',
          version: '5.3.0',
          kind: 'handwriting' as const,
          split: 'train' as const,
          files: [
            {
              path: 'files/caveat-latin-400-normal.woff2',
              weight: 400,
              sha256: 'a'.repeat(64),
              bytes: 9,
            },
          ],
          images: 1240,
        },
        {
          name: 'Kalam',
          package: '@fontsource/kalam',
          version: '5.3.0',
          kind: 'handwriting' as const,
          split: 'test' as const,
          files: [
            {
              path: 'files/kalam-latin-700-normal.woff2',
              weight: 700,
              sha256: 'b'.repeat(64),
              bytes: 9,
            },
          ],
          images: 620,
        },
      ],
      pens: {
        models: ['ballpoint', 'pencil'],
        files: [],
        trajectories: 7,
        skippedNoExtent: 0,
        images: 7,
      },
      counts: { train: 1247, test: 620 },
      empty: 0,
    };
    const training = saved.training!;
    const data = [{ ...training.data[0]!, source: 'synth', synthesis }];
    const hyperparameters = {
      ...training.hyperparameters,
      init: 'models/base',
      initWeightsSha256: 'c'.repeat(64),
    };
    const metadata = { ...saved, training: { ...training, data, hyperparameters } };
    const card = renderModelCard({
      modelDir: 'm',
      metadata,
      evaluation,
      history: null,
      parameters: 1,
      files: [],
    });
    expect(card).toContain('### How `synth` was generated');
    expect(card).toContain(
      '`hcr data synth --seed 3 --train-variants 20 --test-variants 10 --pen-variants 1`',
    );
    expect(card).toContain('held out whole for `styles-test`: Kalam.');
    expect(card).toMatch(
      /\| Caveat \| @fontsource\/caveat@5\.3\.0 \| handwriting \| train \| 1,240 \| 400: `a{64}` \|/,
    );
    expect(card).toMatch(/\| Kalam \| .* \| test \| 620 \| 700: `b{64}` \|/);
    expect(card).toMatch(/--init models\/base/);
    expect(card).toContain(`its weights.bin had SHA-256 \`${'c'.repeat(64)}\``);
  });
});

describe('the markdown helpers of the cards', () => {
  it('write tables with either rule under the header, and quote shell words', () => {
    expect(table(['Class', 'Recall'], [['A', '98.00%']], 'lr')).toBe(
      '| Class | Recall |\n| --- | ---: |\n| A | 98.00% |',
    );
    expect(table(['a', 'b'], [['1', '2']], '', 'compact')).toBe('| a | b |\n|---|---|\n| 1 | 2 |');
    expect(cell('a|b_c')).toBe('a\\|b\\_c');
    expect(shellWord("Bob's")).toBe("'Bob'\\''s'");
    expect(bytesText(1536)).toBe('1.5 KiB');
  });

  it("name in the hyperparameter table only flags of hcr train's options table", () => {
    const flags = new Set(Object.values(TRAIN_FLAGS).map((f) => f.flags.split(' ')[0]));
    const column = flagColumn();
    expect(column.get('augment')).toBe('`--no-augment` when false');
    expect(column.has('checkpointSeconds')).toBe(false);
    for (const text of column.values()) expect(flags).toContain(/`([^`]+)`/.exec(text)![1]);
  });
});
