// A line model's CTC training step split over a worker thread equals the same step on one
// thread: the pool averages the slices' gradients over the whole batch. (Without batch norm:
// with it, each thread normalizes over its own slice, by design.)

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLineArchitecture, lineFrames } from '../../src/core/line/architectures.js';
import { encodeLineText, LINE_CHARSET } from '../../src/core/line/charset.js';
import { LINE_HEIGHT } from '../../src/core/line/normalize-line.js';
import { createRandom } from '../../src/core/random.js';
import { initEngine } from '../../src/node/engine/index.js';
import { ReplicaPool, type LineBatch } from '../../src/node/engine/replicas.js';
import { maxWeightDifference } from '../helpers/weights.js';

const CLASSES = LINE_CHARSET.length + 1;
const TEXTS = ['cat', 'Hello', 'a b', 'x7', 'moon', 'Zoo!', 'it'];

function batch(seed: number): LineBatch {
  const rand = createRandom(seed);
  const width = 64;
  const images = Float32Array.from({ length: TEXTS.length * LINE_HEIGHT * width }, () =>
    rand() < 0.2 ? rand() : 0,
  );
  // Lines of different widths padded to one: each keeps its own frames.
  const frames = TEXTS.map((_, i) => lineFrames(width - 4 * (i % 3)));
  return { images, width, labels: TEXTS.map((t) => encodeLineText(t)!), frames };
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('ReplicaPool.lineTrainStep', () => {
  const pools: ReplicaPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('trains exactly like one thread, and runs the caller’s work alongside', async () => {
    const single = getLineArchitecture('line-tiny').build(CLASSES, {
      dropout: 0,
      batchNorm: false,
    });
    const parallel = getLineArchitecture('line-tiny').build(CLASSES, {
      dropout: 0,
      batchNorm: false,
    });
    const start = getLineArchitecture('line-tiny').build(CLASSES, { dropout: 0, batchNorm: false });
    parallel.setWeights(single.getWeights());
    start.setWeights(single.getWeights());
    const one = await ReplicaPool.start(single, { workers: 0 });
    const two = await ReplicaPool.start(parallel, { workers: 1 });
    pools.push(one, two);
    const optA = tf.train.adam(0.01);
    const optB = tf.train.adam(0.01);
    let alongside = 0;
    for (let step = 0; step < 3; step++) {
      const a = await one.lineTrainStep(optA, batch(step), 0.5);
      const b = await two.lineTrainStep(optB, batch(step), 0.3, () => alongside++);
      expect(Number.isFinite(a.loss)).toBe(true);
      expect(b.loss).toBeCloseTo(a.loss, 4);
    }
    expect(alongside).toBe(3);
    expect(maxWeightDifference(single, start)).toBeGreaterThan(1e-3);
    expect(maxWeightDifference(single, parallel)).toBeLessThan(1e-5);
  });
});
