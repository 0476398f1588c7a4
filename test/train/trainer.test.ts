import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel } from '../../src/node/model/artifact.js';
import { resolveTrainConfig } from '../../src/node/train/config.js';
import type { EpochRecord } from '../../src/node/model/history.js';
import { trainModel, type TrainEvent } from '../../src/node/train/trainer.js';
import { syntheticDataset } from '../helpers/synthetic.js';

const train = syntheticDataset('synthetic-train', 48, 1);
const validation = syntheticDataset('synthetic-val', 12, 2);
const labelSet = LABEL_SETS.digits;
const base = {
  architecture: 'tiny',
  batchSize: 16,
  learningRate: 0.01,
  seed: 5,
  checkpointSeconds: 3600,
};
let dir: string;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-train-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainModel', () => {
  it('learns separable classes, saves the best model, its history and a checkpoint', async () => {
    const outDir = join(dir, 'basic');
    const events: TrainEvent[] = [];
    const result = await trainModel({
      train,
      validation,
      labelSet,
      config: resolveTrainConfig({ ...base, epochs: 4, augment: false }),
      outDir,
      onProgress: (e) => events.push(e),
    });
    expect(result.reason).toBe('completed');
    expect(result.history).toHaveLength(4);
    expect(result.history.at(-1)!.valAccuracy).toBeGreaterThan(0.9);
    expect(events.filter((e) => e.phase === 'batch')).toHaveLength(4 * 12);
    const history = JSON.parse(
      await readFile(join(outDir, 'history.json'), 'utf8'),
    ) as EpochRecord[];
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    const loaded = await loadModel(outDir);
    expect(loaded.metadata.architecture.name).toBe('tiny');
    expect(loaded.metadata.training?.bestEpoch).toBe(result.bestEpoch);
    expect(loaded.metadata.training?.hyperparameters.batchSize).toBe(16);
    expect(loaded.metadata.training?.machine?.cores).toBeGreaterThan(0);
    expect(loaded.metadata.training?.machine?.node).toBe(process.version);
    loaded.dispose();
    const checkpoint = await loadModel(result.checkpointDir);
    checkpoint.dispose();
  });

  it('refuses to overwrite a finished run or an existing model', async () => {
    const outDir = join(dir, 'basic');
    await expect(
      trainModel({
        train,
        validation,
        labelSet,
        config: resolveTrainConfig({ ...base, epochs: 1 }),
        outDir,
      }),
    ).rejects.toThrow(/basic already holds a trained model \(completed\): choose another --out/);
    await rm(`${outDir}.checkpoint`, { recursive: true });
    await expect(
      trainModel({
        train,
        validation,
        labelSet,
        config: resolveTrainConfig({ ...base, epochs: 1 }),
        outDir,
      }),
    ).rejects.toThrow(
      /basic already holds a model: pass --resume to continue its run, choose another --out or remove it first/,
    );
  });

  it('data-parallel training (a worker replica) learns as well as one thread', async () => {
    const run = (workers: number) =>
      trainModel({
        train,
        validation,
        labelSet,
        workers,
        config: resolveTrainConfig({ ...base, epochs: 4, augment: false }),
        outDir: join(dir, `workers-${workers}`),
      });
    const [one, two] = [await run(0), await run(1)];
    const last = (r: typeof one) => r.history.at(-1)!;
    expect(last(one).valAccuracy).toBeGreaterThan(0.9);
    expect(last(two).valAccuracy).toBeGreaterThan(0.9);
    // Same seed, batches and update rule: only the order of the float sums differs.
    expect(Math.abs(last(two).loss - last(one).loss)).toBeLessThan(0.25);
    expect(two.history.map((h) => h.images)).toEqual(one.history.map((h) => h.images));
  });

  it('stops early when validation loss stops improving', async () => {
    const result = await trainModel({
      train,
      validation,
      labelSet,
      config: resolveTrainConfig({
        ...base,
        epochs: 10,
        learningRate: 1e-9,
        schedule: 'constant',
        patience: 1,
      }),
      outDir: join(dir, 'early'),
    });
    expect(result.reason).toBe('early-stopping');
    expect(result.history).toHaveLength(2);
  });

  it('stops at the time limit and still saves a model', async () => {
    let t = 0;
    const result = await trainModel({
      train,
      validation,
      labelSet,
      config: resolveTrainConfig({ ...base, epochs: 10, maxMinutes: 1 }),
      outDir: join(dir, 'timed'),
      now: () => (t += 7_000),
    });
    expect(result.reason).toBe('time-limit');
    expect(result.history).toHaveLength(1);
    expect(result.history[0]!.images).toBeLessThan(train.labels.length);
    (await loadModel(join(dir, 'timed'))).dispose();
  });

  it('resumes an interrupted run where it stopped, losing no batch', async () => {
    const outDir = join(dir, 'resume');
    const config = resolveTrainConfig({ ...base, epochs: 3 });
    const controller = new AbortController();
    const first = await trainModel({
      train,
      validation,
      labelSet,
      config,
      outDir,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'batch' && e.epoch === 1 && e.batch === 5) controller.abort();
      },
    });
    expect(first.reason).toBe('interrupted');
    expect(first.history).toHaveLength(1);
    await expect(trainModel({ train, validation, labelSet, config, outDir })).rejects.toThrow(
      /resume\.checkpoint holds an unfinished run: pass --resume to continue it/,
    );
    const events: TrainEvent[] = [];
    const second = await trainModel({
      train,
      validation,
      labelSet,
      config,
      outDir,
      resume: true,
      onProgress: (e) => events.push(e),
    });
    expect(second.reason).toBe('completed');
    expect(events[0]).toMatchObject({ phase: 'start', resumedAt: { epoch: 1, batch: 5 } });
    expect(events.filter((e) => e.phase === 'batch')).toHaveLength(12 - 5 + 12);
    expect(second.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(second.history.map((h) => h.images)).toEqual([192, 192, 192]);
  });

  it('refuses to resume on different data', async () => {
    const outDir = join(dir, 'resume');
    const other = syntheticDataset('other', 40, 9);
    await expect(
      trainModel({
        train: other,
        validation,
        labelSet,
        config: resolveTrainConfig(base),
        outDir,
        resume: true,
      }),
    ).rejects.toThrow(/trained on other data/);
  });
});
