// hcr tune: adapting a model to one writer's samples writes a normal model directory that
// records its base model and samples, learns the samples, keeps the base's label set and
// architecture, and the CLI reads a folder of samples (blank ones listed and skipped).

import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { IMAGE_PIXELS, type Dataset } from '../../src/core/types.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel } from '../../src/node/model/artifact.js';
import { resolveTrainConfig } from '../../src/node/train/config.js';
import { trainModel } from '../../src/node/train/trainer.js';
import { holdOutPerClass, replaySample, tuneModel } from '../../src/node/tune/tune.js';
import { runCli } from '../helpers/cli.js';
import { syntheticDataset } from '../helpers/synthetic.js';

const labelSet = LABEL_SETS.digits;
let dir: string;
let baseDir: string;

/** A writer whose class c looks like the base data's class (c + 1) % 4: the base reads none right. */
function otherWriter(perClass: number, seed: number): Dataset {
  const ds = syntheticDataset('writer', perClass, seed);
  return { ...ds, labels: ds.labels.map((y) => (y + 3) % 4) };
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-tune-'));
  baseDir = join(dir, 'base');
  await trainModel({
    train: syntheticDataset('train', 40, 1),
    validation: syntheticDataset('validation', 8, 2),
    labelSet,
    config: resolveTrainConfig({
      architecture: 'tiny',
      epochs: 3,
      batchSize: 16,
      learningRate: 0.01,
      augment: false,
      seed: 3,
    }),
    outDir: baseDir,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('holdOutPerClass and replaySample', () => {
  it('holds out a share of each class, none of a class with one sample', () => {
    const labels = Uint8Array.from([0, 0, 0, 0, 0, 1, 2, 2]);
    const { train, heldOut } = holdOutPerClass(labels, 0.4, 1);
    expect([...train, ...heldOut].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(heldOut.map((i) => labels[i])).toEqual(expect.arrayContaining([0, 0]));
    expect(heldOut.filter((i) => labels[i] === 1)).toEqual([]);
    expect(heldOut.filter((i) => labels[i] === 0)).toHaveLength(2);
  });

  it('draws perClass times the classes, each class keeping its share of the training data', () => {
    const labels = Uint8Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : 1));
    const train = { ...syntheticDataset('t', 25, 4), labels };
    const replay = replaySample(train, 10, 9);
    expect(replay.labels.length).toBe(20);
    const zeros = Array.from(replay.labels).filter((y) => y === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(14); // about 90% of 20, not 10 of each
    expect(replaySample(train, 10, 9).images).toEqual(replay.images);
  });
});

describe('tuneModel', () => {
  it('learns the writer, records its base model and samples, and leaves a normal model directory', async () => {
    const outDir = join(dir, 'tuned');
    const samples = otherWriter(10, 5);
    const test = syntheticDataset('base-style-test', 10, 6);
    const result = await tuneModel({
      modelDir: baseDir,
      samples,
      outDir,
      tests: [test],
      learningRate: 0.01,
      epochs: 4,
      repeats: 20,
      heldOut: 0.3,
      provenance: [
        {
          source: 'folder:my-hand',
          files: [{ path: '0/a.png', sha256: 'f'.repeat(64), bytes: 10 }],
          counts: { train: 40, validation: 0, test: 0 },
          dropped: 0,
          droppedDuplicates: 0,
          splitSeed: null,
          validationSeed: null,
        },
      ],
    });
    expect(result.counts).toEqual({ train: 28, heldOut: 12, replay: 0 });
    const accuracy = (report: typeof result.before, name: string) =>
      report.results.find((r) => r.name === name)!.accuracy;
    expect(accuracy(result.before, 'samples-held-out')).toBeLessThan(0.5);
    expect(accuracy(result.after, 'samples-held-out')).toBeGreaterThan(0.8);
    expect(result.after.results.map((r) => r.name)).toContain('base-style-test');

    const tuned = await loadModel(outDir);
    const base = await loadModel(baseDir);
    try {
      expect(tuned.metadata.architecture.name).toBe('tiny');
      expect(tuned.labelSet.classes).toEqual(base.labelSet.classes);
      const h = tuned.metadata.training!.hyperparameters;
      expect(h.init).toBe(baseDir);
      expect(h.initWeightsSha256).toBe(base.metadata.files['weights.bin']!.sha256);
      expect(tuned.metadata.training!.data.map((d) => d.source)).toEqual(['folder:my-hand']);
    } finally {
      tuned.dispose();
      base.dispose();
    }
    await expect(stat(`${outDir}.checkpoint`)).rejects.toThrow();
  });

  it('refuses samples of another label set, naming both', async () => {
    const samples = { ...otherWriter(2, 7), labelSet: LABEL_SETS.letters };
    await expect(
      tuneModel({ modelDir: baseDir, samples, outDir: join(dir, 'never') }),
    ).rejects.toThrow(/samples: expected the model's label set digits .* got letters/);
  });
});

describe('hcr tune', () => {
  async function writeFolder(root: string, ds: Dataset, blank: boolean): Promise<void> {
    for (let i = 0; i < ds.labels.length; i++) {
      const cls = labelSet.classes[ds.labels[i]!]!;
      await mkdir(join(root, cls), { recursive: true });
      const ink = ds.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      const paper = Buffer.from(ink.map((v) => 255 - v)); // dark ink on white paper
      await sharp(paper, { raw: { width: 28, height: 28, channels: 1 } })
        .resize(84, 84)
        .png()
        .toFile(join(root, cls, `s${i}.png`));
    }
    if (blank) {
      await sharp(Buffer.alloc(28 * 28, 255), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(join(root, '0', 'blank.png'));
    }
  }

  it('adapts from a folder, lists the blank samples it skipped, and prints before and after', async () => {
    const samples = join(dir, 'samples');
    await writeFolder(samples, otherWriter(3, 8), true);
    const out = join(dir, 'from-cli');
    const run = await runCli(
      'tune',
      '--model',
      baseDir,
      '--samples',
      samples,
      '--out',
      out,
      '--data-dir',
      join(dir, 'no-data'),
      '--epochs',
      '1',
      '--repeats',
      '2',
      '--backend',
      'wasm',
    );
    expect(run.stderr).toMatch(/skipped .*blank\.png: no ink/);
    expect(run.stderr).toMatch(/without a replay sample/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /adapted model: .*from-cli \(8 samples trained on, 4 held out, 0 replayed\)/,
    );
    expect(run.stdout).toMatch(/samples-held-out .*→/);
    const metadata = JSON.parse(await readFile(join(out, 'hcr.json'), 'utf8'));
    const record = metadata.training.data[0];
    expect(record.source).toBe(`folder:${samples}`);
    expect(record.files).toHaveLength(12);
    expect(record.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a samples folder whose classes are not the model’s', async () => {
    const samples = join(dir, 'letters');
    await mkdir(join(samples, 'a'), { recursive: true });
    await sharp(Buffer.alloc(28 * 28, 0), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(join(samples, 'a', 'x.png'));
    const run = await runCli(
      'tune',
      '--model',
      baseDir,
      '--samples',
      samples,
      '--out',
      join(dir, 'x'),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/'a' is not a class of label set digits/);
  });
});
