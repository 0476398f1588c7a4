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
