import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { initEngine } from '../../src/node/engine/index.js';
import { resolveTrainConfig } from '../../src/node/train/config.js';
import { initFromModel } from '../../src/node/train/init.js';
import { trainModel } from '../../src/node/train/trainer.js';
import { syntheticDataset } from '../helpers/synthetic.js';

let dir: string;
let digitsModel: string;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-init-'));
  digitsModel = join(dir, 'digits');
  await trainModel({
    train: syntheticDataset('synthetic-train', 24, 1),
    validation: syntheticDataset('synthetic-val', 6, 2),
    labelSet: LABEL_SETS.digits,
    config: resolveTrainConfig({
      architecture: 'tiny',
      batchSize: 16,
      learningRate: 0.01,
      seed: 5,
      epochs: 1,
      augment: false,
      checkpointSeconds: 3600,
    }),
    outDir: digitsModel,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('initFromModel', () => {
  it('copies every weight for the same label set', async () => {
    const model = createModel({ architecture: 'tiny', numClasses: 10 });
    const record = await initFromModel(model, digitsModel, LABEL_SETS.digits, 'tiny');
    const other = createModel({ architecture: 'tiny', numClasses: 10 });
    await initFromModel(other, digitsModel, LABEL_SETS.digits, 'tiny');
    expect(record.newClasses).toEqual([]);
    expect(record.initWeightsSha256).toMatch(/^[0-9a-f]{64}$/);
    model.getWeights().forEach((w, i) => {
      expect(Array.from(w.dataSync())).toEqual(Array.from(other.getWeights()[i]!.dataSync()));
    });
    model.dispose();
    other.dispose();
  });

  it('into a larger label set: the features and each shared class carry over, new classes stay random', async () => {
    const small = createModel({ architecture: 'tiny', numClasses: 10 });
    await initFromModel(small, digitsModel, LABEL_SETS.digits, 'tiny');
    const big = createModel({ architecture: 'tiny', numClasses: 36 });
    const before = big.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const record = await initFromModel(big, digitsModel, LABEL_SETS.alnum36, 'tiny');
    expect(record.newClasses.join('')).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZ');

    const s = small.getWeights();
    const b = big.getWeights();
    const head = b.length - 2;
    for (let i = 0; i < head; i++) {
      expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(s[i]!.dataSync()));
    }
    const features = b[head]!.shape[0]!;
    const [sk, bk] = [s[head]!.dataSync(), b[head]!.dataSync()];
    const [sb, bb] = [s[head + 1]!.dataSync(), b[head + 1]!.dataSync()];
    for (let c = 0; c < 36; c++) {
      const shared = c < 10; // alnum36 starts with 0-9, the digits' classes in the same order
      for (let f = 0; f < features; f += 7) {
        expect(bk[f * 36 + c]).toBe(shared ? sk[f * 10 + c] : before[head]![f * 36 + c]);
      }
      expect(bb[c]).toBe(shared ? sb[c] : before[head + 1]![c]);
    }
    small.dispose();
    big.dispose();
  });

  it('refuses another architecture, and label sets that share no class', async () => {
    const model = createModel({ architecture: 'tiny', numClasses: 26 });
    await expect(initFromModel(model, digitsModel, LABEL_SETS.letters, 'tiny')).rejects.toThrow(
      /label set digits shares no class with letters/,
    );
    await expect(initFromModel(model, digitsModel, LABEL_SETS.letters, 'large')).rejects.toThrow(
      /expected a model of architecture large, got tiny/,
    );
    model.dispose();
  });
});
