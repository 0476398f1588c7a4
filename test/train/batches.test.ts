// What each training batch sees (src/node/train/batches.ts): the epoch's order, the batch
// seeds a resumed run repeats, and the batch's floats, labels and class weights.

import { describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import type { Dataset } from '../../src/core/types.js';
import { batchSeed, epochOrder, fillBatch } from '../../src/node/train/batches.js';

const PIXELS = 784;

function dataset(count: number): Dataset {
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7) % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  return { name: 'tiny', images, labels, labelSet: LABEL_SETS.digits };
}

function buffers(size: number) {
  return {
    images: new Float32Array(size * PIXELS),
    labels: new Int32Array(size),
    sampleWeights: new Float32Array(size).fill(-1),
  };
}

describe('batch randomness', () => {
  it('orders an epoch as a permutation that depends on the seed and the epoch only', () => {
    const order = epochOrder(50, 42, 0);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(epochOrder(50, 42, 0)).toEqual(order);
    expect(epochOrder(50, 42, 1)).not.toEqual(order);
    expect(epochOrder(50, 7, 0)).not.toEqual(order);
  });

  it('gives each batch its own repeatable 32-bit seed', () => {
    expect(batchSeed(42, 3, 5)).toBe(batchSeed(42, 3, 5));
    expect(batchSeed(42, 3, 5)).not.toBe(batchSeed(42, 3, 6));
    expect(batchSeed(42, 3, 5)).not.toBe(batchSeed(42, 4, 5));
    expect(Number.isInteger(batchSeed(42, 3, 5)) && batchSeed(42, 3, 5) >= 0).toBe(true);
  });
});

describe('fillBatch', () => {
  const train = dataset(6);
  const indices = Uint32Array.from([4, 1, 5]);

  it('writes the images as floats in [0, 1] with their labels, without weights untouched', () => {
    const out = buffers(3);
    fillBatch(train, indices, out, { augment: false, seed: 1, weights: null });
    expect(out.images[0]).toBeCloseTo(train.images[4 * PIXELS]! / 255, 6);
    expect(out.images[2 * PIXELS + 10]).toBeCloseTo(train.images[5 * PIXELS + 10]! / 255, 6);
    expect([...out.labels]).toEqual([1, 1, 2]);
    expect([...out.sampleWeights]).toEqual([-1, -1, -1]);
  });

  it("gives each image its class's weight", () => {
    const out = buffers(3);
    const weights = Float32Array.from([0.5, 2, 4]);
    fillBatch(train, indices, out, { augment: false, seed: 1, weights });
    expect([...out.sampleWeights]).toEqual([2, 2, 4]);
  });

  it('augments the same way for the same seed', () => {
    const [a, b, c] = [buffers(3), buffers(3), buffers(3)];
    fillBatch(train, indices, a, { augment: true, seed: 9, weights: null });
    fillBatch(train, indices, b, { augment: true, seed: 9, weights: null });
    fillBatch(train, indices, c, { augment: true, seed: 10, weights: null });
    expect(b.images).toEqual(a.images);
    expect(c.images).not.toEqual(a.images);
  });
});
