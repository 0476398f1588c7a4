// Issue 13 on the training side: the seed reaches every source of randomness (the same run
// twice gives the same numbers; a resumed run the numbers of an uninterrupted one), and a
// crash between the checkpoint and the model leaves a state --resume repairs.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, readMetadata } from '../../src/node/model/artifact.js';
import { resolveTrainConfig, type TrainOptions } from '../../src/node/train/config.js';
import { trainModel, type TrainEvent } from '../../src/node/train/trainer.js';
import { syntheticDataset } from '../helpers/synthetic.js';

const train = syntheticDataset('synthetic-train', 48, 1);
const validation = syntheticDataset('synthetic-val', 12, 2);
const labelSet = LABEL_SETS.digits;
// `default` has dropout; augmentation on; one worker replica: every source of randomness.
const recipe: TrainOptions = {
  architecture: 'default',
  batchSize: 16,
  learningRate: 0.003,
  seed: 11,
  checkpointSeconds: 3600,
  epochs: 2,
  patience: 0,
};
let dir: string;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-recovery-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function weightsSha(outDir: string): Promise<string> {
  return (await readMetadata(outDir)).files['weights.bin']!.sha256;
}

describe('same command, same seed, same numbers', () => {
  const run = (name: string, options: TrainOptions = {}, signal?: AbortSignal) =>
    trainModel({
      train,
      validation,
      labelSet,
      workers: 1,
      config: resolveTrainConfig({ ...recipe, ...options }),
      outDir: join(dir, name),
      ...(signal ? { signal } : {}),
    });

  it('repeats every figure and every weight bit for bit; another seed does not', async () => {
    const a = await run('seed-a');
    const b = await run('seed-b');
    const c = await run('seed-c', { seed: 12 });
    const figures = (r: typeof a) => r.history.map(({ seconds: _s, ...rest }) => rest);
    expect(figures(b)).toEqual(figures(a));
    expect(await weightsSha(join(dir, 'seed-b'))).toBe(await weightsSha(join(dir, 'seed-a')));
    expect(figures(c)).not.toEqual(figures(a));
  }, 120_000);

  it('a run interrupted and resumed ends with the figures of an uninterrupted one', async () => {
    const controller = new AbortController();
    const first = await trainModel({
      train,
      validation,
      labelSet,
      workers: 1,
      config: resolveTrainConfig(recipe),
      outDir: join(dir, 'seed-resumed'),
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'batch' && e.epoch === 1 && e.batch === 1) controller.abort();
      },
    });
    expect(first.reason).toBe('interrupted');
    await trainModel({
      train,
      validation,
      labelSet,
      workers: 1,
      config: resolveTrainConfig(recipe),
      outDir: join(dir, 'seed-resumed'),
      resume: true,
    });
    const whole = JSON.parse(await readFile(join(dir, 'seed-a', 'history.json'), 'utf8'));
    const resumed = JSON.parse(await readFile(join(dir, 'seed-resumed', 'history.json'), 'utf8'));
    // Equal up to float32 rounding: on restore, tfjs's Adam recomputes beta^t with pow instead
    // of the running product an uninterrupted run keeps.
    expect(resumed).toHaveLength(whole.length);
    whole.forEach((record: Record<string, number>, i: number) => {
      for (const key of ['epoch', 'images', 'learningRate', 'loss', 'accuracy', 'valLoss']) {
        expect(resumed[i][key]).toBeCloseTo(record[key]!, 6);
      }
    });
  }, 120_000);
});

describe('resuming after a crash', () => {
  const tiny = resolveTrainConfig({
    architecture: 'tiny',
    batchSize: 16,
    learningRate: 0.01,
    seed: 5,
    checkpointSeconds: 3600,
    epochs: 1,
  });

  it('re-saves the model from a checkpoint written just before a crash lost it', async () => {
    const outDir = join(dir, 'lost-model');
    await trainModel({ train, validation, labelSet, config: tiny, outDir });
    // The checkpoint is written first: a kill before the model's save leaves this.
    await rm(outDir, { recursive: true });
    const events: TrainEvent[] = [];
    const result = await trainModel({
      train,
      validation,
      labelSet,
      config: tiny,
      outDir,
      resume: true,
      onProgress: (e) => events.push(e),
    });
    expect(result.reason).toBe('completed');
    expect(events.find((e) => e.phase === 'start')).toMatchObject({
      resumedFrom: 'checkpoint',
      repaired: [expect.stringMatching(/saved the model of epoch 1 from the checkpoint/)],
    });
    const loaded = await loadModel(outDir);
    expect(loaded.metadata.training?.bestEpoch).toBe(1);
    loaded.dispose();
    expect(JSON.parse(await readFile(join(outDir, 'history.json'), 'utf8'))).toHaveLength(1);
  });

  it('a run killed before its first validation still saves its best model once resumed', async () => {
    const outDir = join(dir, 'first-epoch');
    const controller = new AbortController();
    await trainModel({
      train,
      validation,
      labelSet,
      config: tiny,
      outDir,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'batch' && e.batch === 1) controller.abort();
      },
    });
    const result = await trainModel({
      train,
      validation,
      labelSet,
      config: tiny,
      outDir,
      resume: true,
    });
    expect(result.bestEpoch).toBe(1);
    (await loadModel(outDir)).dispose();
  });

  it('resumes from the model when there is no checkpoint (no dead end)', async () => {
    const outDir = join(dir, 'no-checkpoint');
    await trainModel({ train, validation, labelSet, config: tiny, outDir });
    await rm(`${outDir}.checkpoint`, { recursive: true });
    await expect(trainModel({ train, validation, labelSet, config: tiny, outDir })).rejects.toThrow(
      /already holds a model: pass --resume to continue its run/,
    );
    const events: TrainEvent[] = [];
    const result = await trainModel({
      train,
      validation,
      labelSet,
      config: { ...tiny, epochs: 2 },
      outDir,
      resume: true,
      onProgress: (e) => events.push(e),
    });
    expect(events[0]).toMatchObject({ resumedFrom: 'model', resumedAt: { epoch: 1, batch: 0 } });
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2]);
  });

  it('says why a model without its training state cannot be resumed', async () => {
    const outDir = join(dir, 'old-model');
    await trainModel({ train, validation, labelSet, config: tiny, outDir });
    await rm(`${outDir}.checkpoint`, { recursive: true });
    await rm(join(outDir, 'train-state.json'));
    await expect(
      trainModel({ train, validation, labelSet, config: tiny, outDir, resume: true }),
    ).rejects.toThrow(
      /no checkpoint to resume from, and .*old-model was saved without its training state/,
    );
  });
});
