// ReplicaPool: a step split over worker threads equals the same step on one thread (the
// gradients are averaged over the whole batch, the replicas follow the main model's weights),
// parallel inference equals serial inference, and a broken worker is a clear error. Every
// worker thread the pool starts is counted, so the tests can check that none outlives it.

import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { HcrError } from '../../src/core/errors.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import { initEngine } from '../../src/node/engine/index.js';
import { ReplicaPool } from '../../src/node/engine/replicas.js';
import { predictProbabilities } from '../../src/node/model/inference.js';
import { syntheticDataset } from '../helpers/synthetic.js';
import { tfjsNodeInstalled } from '../helpers/tfjs-node.js';
import { maxWeightDifference } from '../helpers/weights.js';

/** Every worker thread started in this file, in order. */
const started = vi.hoisted(() => [] as Worker[]);

vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof WorkerThreads>();
  class CountedWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      super(...args);
      started.push(this);
    }
  }
  return { ...original, Worker: CountedWorker };
});

/** Workers started since `from` that still run (Node sets threadId to -1 once one has stopped). */
function running(from: number): Worker[] {
  return started.slice(from).filter((w) => w.threadId !== -1);
}

const data = syntheticDataset('replicas', 40, 3);
const BATCH = 13; // odd, so the slices differ in size

function twin(): [tf.LayersModel, tf.LayersModel] {
  const a = createModel({ architecture: 'tiny', numClasses: 10 });
  const b = createModel({ architecture: 'tiny', numClasses: 10 });
  b.setWeights(a.getWeights());
  return [a, b];
}

function fill(pool: ReplicaPool, offset: number): void {
  for (let i = 0; i < BATCH; i++) {
    const k = (offset + i) % data.labels.length;
    for (let p = 0; p < IMAGE_PIXELS; p++) {
      pool.images[i * IMAGE_PIXELS + p] = data.images[k * IMAGE_PIXELS + p]! / 255;
    }
    pool.labels[i] = data.labels[k]!;
    pool.sampleWeights[i] = 0.5 + (data.labels[k]! % 3);
  }
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('ReplicaPool', () => {
  const pools: ReplicaPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('trains exactly like one thread: same loss, same counts, same weights after several steps', async () => {
    const [single, parallel] = twin();
    const one = await ReplicaPool.start(single, { workers: 0, batchSize: BATCH });
    const two = await ReplicaPool.start(parallel, { workers: 1, batchSize: BATCH });
    pools.push(one, two);
    expect(two.workers).toBe(1);
    const optA = tf.train.adam(0.01);
    const optB = tf.train.adam(0.01);
    for (let step = 0; step < 4; step++) {
      fill(one, step * BATCH);
      fill(two, step * BATCH);
      const weighted = step % 2 === 1;
      const a = await one.trainStep(optA, BATCH, weighted);
      const b = await two.trainStep(optB, BATCH, weighted);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.correct).toBe(a.correct);
    }
    // Weights moved, and moved the same way.
    expect(
      maxWeightDifference(single, createModel({ architecture: 'tiny', numClasses: 10 })),
    ).toBeGreaterThan(1e-3);
    expect(maxWeightDifference(single, parallel)).toBeLessThan(1e-5);
  });

  it('a last batch smaller than the number of threads still trains', async () => {
    const [single, parallel] = twin();
    const one = await ReplicaPool.start(single, { workers: 0, batchSize: BATCH });
    const two = await ReplicaPool.start(parallel, { workers: 1, batchSize: BATCH });
    pools.push(one, two);
    fill(one, 0);
    fill(two, 0);
    const a = await one.trainStep(tf.train.sgd(0.1), 1, false);
    const b = await two.trainStep(tf.train.sgd(0.1), 1, false);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    expect(maxWeightDifference(single, parallel)).toBeLessThan(1e-6);
  });

  it('predicts what one thread predicts, in the same order', async () => {
    const model = createModel({ architecture: 'tiny', numClasses: 10 });
    const pool = await ReplicaPool.start(model, { workers: 1 });
    pools.push(pool);
    const count = 600;
    const images = new Uint8Array(count * IMAGE_PIXELS);
    for (let i = 0; i < count; i++) {
      images.set(
        data.images.subarray((i % 40) * IMAGE_PIXELS, ((i % 40) + 1) * IMAGE_PIXELS),
        i * IMAGE_PIXELS,
      );
      images[i * IMAGE_PIXELS + (i % IMAGE_PIXELS)] = 255; // every image distinct
    }
    const serial = predictProbabilities(model, images, count);
    const parallel = await pool.predict(images, count);
    expect(parallel.length).toBe(serial.length);
    let worst = 0;
    for (let i = 0; i < serial.length; i++)
      worst = Math.max(worst, Math.abs(serial[i]! - parallel[i]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('close() stops every worker it started', async () => {
    const from = started.length;
    const pool = await ReplicaPool.start(createModel({ architecture: 'tiny', numClasses: 10 }), {
      workers: 1,
    });
    expect(started.length - from).toBe(1);
    expect(running(from)).toHaveLength(1);
    await pool.close();
    expect(running(from)).toHaveLength(0);
  });

  // With tfjs-node installed the 'tensorflow' worker starts fine: nothing to fail.
  it.skipIf(tfjsNodeInstalled)(
    'a worker that cannot start is a clear error, and leaves no worker behind',
    async () => {
      const from = started.length;
      const model = createModel({ architecture: 'tiny', numClasses: 10 });
      const error = await ReplicaPool.start(model, { workers: 1, backend: 'tensorflow' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HcrError);
      expect((error as HcrError).code).toBe('ENGINE');
      expect((error as Error).message).toMatch(/replica worker.*tfjs-node is not installed/);
      expect(started.length - from).toBe(1);
      expect(running(from)).toHaveLength(0);
    },
  );
});
