// A model that answers NaN must not score: NaN compares false with every probability, so it
// used to rank no class above the true one and count every image as a top-3 hit (issue 13).

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { initEngine } from '../../src/node/engine/index.js';
import { evaluateModel } from '../../src/node/eval/evaluate.js';
import type { LoadedModel, ModelMetadata } from '../../src/node/model/artifact.js';
import { syntheticDataset } from '../helpers/synthetic.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('evaluateModel', () => {
  it('refuses non-finite probabilities instead of reporting 100% top-3', async () => {
    const model = createModel({ architecture: 'tiny', numClasses: 10 });
    const last = model.layers.at(-1)!;
    const [kernel, bias] = last.getWeights();
    last.setWeights([tf.fill(kernel!.shape, Number.NaN), bias!]);
    const loaded: LoadedModel = {
      model,
      metadata: {} as ModelMetadata,
      labelSet: LABEL_SETS.digits,
      dir: 'nan-model',
      dispose: () => model.dispose(),
    };
    await expect(
      evaluateModel(loaded, [syntheticDataset('synthetic-test', 20, 3)], { workers: 0 }),
    ).rejects.toThrow(
      /nan-model: the model answered non-finite probabilities \(NaN\) for (\d+) of \1 images of synthetic-test \(first: image 0\)/,
    );
    loaded.dispose();
  });
});
