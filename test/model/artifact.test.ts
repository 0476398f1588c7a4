import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import {
  loadModel,
  loadOptimizerState,
  saveModel,
  type MetadataInput,
} from '../../src/node/model/artifact.js';

const metadata: MetadataInput = {
  labelSet: LABEL_SETS.digits,
  normalization: { version: 1 },
  architecture: { name: 'tiny', options: {} },
  training: null,
  metrics: {},
};

let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'hcr-artifact-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function savedTiny(name: string): Promise<{ path: string; model: tf.LayersModel }> {
  const model = createModel({ architecture: 'tiny', numClasses: 10 });
  const path = join(dir, name);
  await saveModel(path, model, metadata);
  return { path, model };
}

describe('saveModel / loadModel', () => {
  it('round-trips weights, label set and predictions exactly', async () => {
    const { path, model } = await savedTiny('roundtrip');
    expect((await readdir(path)).sort()).toEqual(['hcr.json', 'model.json', 'weights.bin']);
    const loaded = await loadModel(path);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 7);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.model.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(loaded.labelSet.classes).toEqual(LABEL_SETS.digits.classes);
    expect(loaded.metadata.tfjsVersion).toBe(tf.version.tfjs);
    expect(loaded.metadata.files['weights.bin']?.sha256).toMatch(/^[0-9a-f]{64}$/);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it('replaces an existing model directory without leaving temporary files', async () => {
    const { path, model } = await savedTiny('replace');
    await saveModel(path, model, {
      ...metadata,
      metrics: { x: { count: 1, accuracy: 1, accuracyMerged: 1, macroF1: 1 } },
    });
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const loaded = await loadModel(path);
    expect(loaded.metadata.metrics.x?.count).toBe(1);
    loaded.dispose();
    model.dispose();
  });

  it('refuses a directory without hcr.json, or that does not exist', async () => {
    await expect(loadModel(join(dir, 'nope'))).rejects.toThrow(/no such model directory/);
    const empty = join(dir, 'empty');
    await writeFile(join(dir, 'placeholder'), '');
    await rm(empty, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(empty));
    await expect(loadModel(empty)).rejects.toThrow(/missing hcr\.json/);
  });

  it('refuses a model whose weights were altered or are missing', async () => {
    const { path, model } = await savedTiny('tampered');
    model.dispose();
    const weights = await readFile(join(path, 'weights.bin'));
    weights[10] = (weights[10]! + 1) % 256;
    await writeFile(join(path, 'weights.bin'), weights);
    await expect(loadModel(path)).rejects.toThrow(/weights\.bin: SHA-256 [0-9a-f]+ does not match/);
    await writeFile(join(path, 'weights.bin'), weights.subarray(0, 100));
    await expect(loadModel(path)).rejects.toThrow(/expected \d+ bytes .* found 100/);
    await rm(join(path, 'weights.bin'));
    await expect(loadModel(path)).rejects.toThrow(/missing weights\.bin/);
  });

  it('refuses metadata whose label set does not match the model outputs', async () => {
    const { path, model } = await savedTiny('mismatch');
    model.dispose();
    const meta = JSON.parse(await readFile(join(path, 'hcr.json'), 'utf8'));
    meta.labelSet = LABEL_SETS.alnum36;
    await writeFile(join(path, 'hcr.json'), JSON.stringify(meta));
    await expect(loadModel(path)).rejects.toThrow(
      /lists 36 classes \(alnum36\) but the model has 10 outputs/,
    );
    await writeFile(join(path, 'hcr.json'), '{not json');
    await expect(loadModel(path)).rejects.toThrow(/hcr\.json: not valid JSON/);
  });

  it('saves and restores optimizer state', async () => {
    const model = createModel({ architecture: 'tiny', numClasses: 10 });
    const optimizer = tf.train.adam(0.01);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10);
    optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar,
      false,
      vars,
    );
    const path = join(dir, 'with-optimizer');
    const meta = await saveModel(path, model, metadata, { optimizer });
    expect(Object.keys(meta.files)).toContain('optimizer.bin');
    const restored = tf.train.adam(0.01);
    expect(await loadOptimizerState(path, meta, restored)).toBe(true);
    const before = await optimizer.getWeights();
    const after = await restored.getWeights();
    expect(after.length).toBe(before.length);
    expect(Array.from(after[1]!.tensor.dataSync())).toEqual(
      Array.from(before[1]!.tensor.dataSync()),
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it('refuses weights that hold NaN or infinity, naming the tensor (issue 13)', async () => {
    const model = createModel({ architecture: 'tiny', numClasses: 10 });
    const kernel = model.layers.at(-1)!.getWeights()[0]!;
    const poisoned = kernel.bufferSync();
    poisoned.set(Number.NaN, 0, 0);
    poisoned.set(Number.POSITIVE_INFINITY, 1, 1);
    const [, bias] = model.layers.at(-1)!.getWeights();
    model.layers.at(-1)!.setWeights([poisoned.toTensor(), bias!]);
    const path = join(dir, 'nan');
    await saveModel(path, model, metadata);
    await expect(loadModel(path)).rejects.toThrow(
      /weights\.bin: tensor dense_\w+\/kernel \[\d+,10\] has 2 non-finite value\(s\) of \d+ \(first: NaN\); expected finite weights/,
    );
    model.dispose();
  });

  it('opening a model a crash left between the two renames of its save finds it again', async () => {
    const { path, model } = await savedTiny('mid-swap');
    // What a kill -9 between the renames leaves: no directory, the new version staged.
    const { rename } = await import('node:fs/promises');
    await rename(path, join(dir, '.mid-swap.new-4194399-0badf00d'));
    const loaded = await loadModel(path);
    expect(loaded.labelSet.name).toBe('digits');
    loaded.dispose();
    model.dispose();
  });
});
