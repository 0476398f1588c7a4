import { describe, expect, it } from 'vitest';
import { TRAIN_DEFAULTS, learningRateAt, resolveTrainConfig } from '../../src/node/train/config.js';

describe('resolveTrainConfig', () => {
  it('fills in the documented defaults', () => {
    expect(resolveTrainConfig()).toEqual(TRAIN_DEFAULTS);
    expect(TRAIN_DEFAULTS).toMatchObject({
      architecture: 'default',
      epochs: 15,
      batchSize: 128,
      learningRate: 0.001,
      schedule: 'cosine',
      seed: 42,
      augment: true,
      patience: 4,
    });
    expect(resolveTrainConfig({ epochs: 3, batchSize: undefined }).batchSize).toBe(128);
  });

  it('rejects bad values with a message naming the option', () => {
    expect(() => resolveTrainConfig({ epochs: 0 })).toThrow(
      /epochs: expected a positive integer, got 0/,
    );
    expect(() => resolveTrainConfig({ learningRate: -1 })).toThrow(
      /learning rate: expected a positive number/,
    );
    expect(() => resolveTrainConfig({ schedule: 'wavy' as 'cosine' })).toThrow(
      /unknown schedule 'wavy': expected one of constant, cosine/,
    );
    expect(() => resolveTrainConfig({ dropout: 1 })).toThrow(
      /dropout: expected a rate in \[0, 1\)/,
    );
  });
});

describe('learningRateAt', () => {
  it('warms up, peaks, then decays to 1% with the cosine schedule', () => {
    const config = resolveTrainConfig({ learningRate: 0.01 });
    expect(learningRateAt(config, 0)).toBeCloseTo(0.001, 8);
    expect(learningRateAt(config, 0.02)).toBeCloseTo(0.01, 8);
    expect(learningRateAt(config, 0.51)).toBeCloseTo(0.00505, 5);
    expect(learningRateAt(config, 1)).toBeCloseTo(0.0001, 8);
    expect(learningRateAt(config, 2)).toBeCloseTo(0.0001, 8);
  });

  it('stays put with the constant schedule', () => {
    const config = resolveTrainConfig({ learningRate: 0.003, schedule: 'constant' });
    expect(learningRateAt(config, 0.7)).toBe(0.003);
  });
});

describe('computeClassWeights', () => {
  it('balances classes fully at power 1, half way at 0.5, with mean weight 1 per image', async () => {
    const { computeClassWeights } = await import('../../src/node/train/trainer.js');
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]; // 9 of class 0, 3 of class 1, none of 2
    const full = computeClassWeights(labels, 3, 1);
    expect(full[0]! * 9).toBeCloseTo(full[1]! * 3, 6);
    expect(full[2]).toBe(0);
    const half = computeClassWeights(labels, 3, 0.5);
    expect(half[1]! / half[0]!).toBeCloseTo(Math.sqrt(3), 6);
    for (const w of [full, half]) expect((9 * w[0]! + 3 * w[1]!) / 12).toBeCloseTo(1, 6);
  });

  it('rejects a power outside 0-2', () => {
    expect(() => resolveTrainConfig({ classWeights: -1 })).toThrow(
      /class weights: expected a power between 0 \(off\) and 2, got -1/,
    );
  });
});
