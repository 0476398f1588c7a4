import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, saveModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { predictFiles } from '../../src/node/predict/predict.js';

const IMAGES = join(import.meta.dirname, '..', 'fixtures', 'images');
let dir: string;
let loaded: LoadedModel;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-predict-'));
  const model = createModel({ architecture: 'tiny', numClasses: 36 });
  await saveModel(join(dir, 'model'), model, {
    labelSet: LABEL_SETS.alnum36,
    normalization: { version: 1 },
    architecture: { name: 'tiny', options: {} },
    training: null,
    metrics: {},
  });
  model.dispose();
  loaded = await loadModel(join(dir, 'model'));
});

afterAll(async () => {
  loaded.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('predictFiles', () => {
  it('ranks top-k labels of the label set, best first', async () => {
    const [result] = await predictFiles(loaded, [join(IMAGES, 'L.png')], { top: 5 });
    expect(result?.status).toBe('ok');
    if (result?.status !== 'ok') return;
    expect(result.predictions).toHaveLength(5);
    const probabilities = result.predictions.map((p) => p.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    for (const p of result.predictions) expect(LABEL_SETS.alnum36.classes).toContain(p.label);
  });

  it('gives the same answer in a batch as alone, across batch boundaries', async () => {
    const files = ['L.png', 'L.jpg', 'L.gif', 'blank.png', 'L.webp', 'L.tiff', 'L.png'].map((f) =>
      join(IMAGES, f),
    );
    const together = await predictFiles(loaded, files, { batchSize: 4 });
    expect(together.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'empty', 'ok', 'ok', 'ok']);
    for (const [i, file] of files.entries()) {
      const [alone] = await predictFiles(loaded, [file]);
      expect(alone).toEqual(together[i]);
    }
  });

  it('answers each occurrence of a file named twice', async () => {
    const png = join(IMAGES, 'L.png');
    const results = await predictFiles(loaded, [png, join(IMAGES, 'L.jpg'), png]);
    expect(results).toHaveLength(3);
    expect(results[2]).toEqual(results[0]);
    for (const r of results) expect(r.status === 'ok' && r.predictions.length).toBe(3);
  });

  it('keeps the tensor count flat across repeated predictions', async () => {
    const files = [join(IMAGES, 'L.png'), join(IMAGES, 'L.jpg')];
    await predictFiles(loaded, files);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await predictFiles(loaded, files);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a file that cannot be decoded without stopping the others', async () => {
    const results = await predictFiles(loaded, [
      join(IMAGES, 'not-an-image.txt'),
      join(IMAGES, 'L.png'),
      join(dir, 'missing.png'),
    ]);
    expect(results[0]).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/not-an-image\.txt: not an image/),
    });
    expect(results[1]?.status).toBe('ok');
    expect(results[2]).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/missing\.png/),
    });
  });
});
