// `hcr evaluate --charset`: a field known to hold digits is read among the digits only, so a
// 5 the model finds more S-like than 5-like is still a 5; the sets keep their images of the
// charset's classes and say so in their names.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import type { Dataset } from '../../src/core/types.js';
import { initEngine } from '../../src/node/engine/index.js';
import { evaluateModel } from '../../src/node/eval/evaluate.js';
import type { LoadedModel, ModelMetadata } from '../../src/node/model/artifact.js';

const alnum = LABEL_SETS.alnum36;
const classOf = (c: string) => alnum.classes.indexOf(c);

/** A model that answers the same for every image: S first, 5 second, the rest far behind. */
function sPreferringModel(): LoadedModel {
  const model = createModel({ architecture: 'tiny', numClasses: alnum.classes.length });
  const last = model.layers.at(-1)!;
  const [kernel] = last.getWeights();
  const bias = new Float32Array(alnum.classes.length);
  bias[classOf('S')] = 6;
  bias[classOf('5')] = 4;
  last.setWeights([tf.zerosLike(kernel!), tf.tensor1d(bias)]);
  return {
    model,
    metadata: { files: {} } as unknown as ModelMetadata,
    labelSet: alnum,
    dir: 's-model',
    dispose: () => model.dispose(),
  };
}

function dataset(name: string, labels: string[]): Dataset {
  return {
    name,
    images: new Uint8Array(labels.length * 784),
    labels: Uint8Array.from(labels, classOf),
    labelSet: alnum,
  };
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('evaluateModel with a charset', () => {
  it('reads each set among the charset classes, on its images of those classes', async () => {
    const loaded = sPreferringModel();
    const test = dataset('field', ['5', '5', 'A', 'S', '5']);
    const plain = await evaluateModel(loaded, [test], { workers: 0 });
    expect(plain.results[0]).toMatchObject({ name: 'field', count: 5, accuracy: 0.2 });
    const digits = await evaluateModel(loaded, [test, dataset('letters', ['A', 'S'])], {
      workers: 0,
      charset: 'digits',
    });
    // The set of letters has no digit: it is dropped, not reported at 0 of 0.
    expect(digits.results.map((r) => [r.name, r.count, r.accuracy])).toEqual([
      ['field@digits', 3, 1],
    ]);
    loaded.dispose();
  });

  it('refuses a charset none of the test images belongs to, naming the sets', async () => {
    const loaded = sPreferringModel();
    await expect(
      evaluateModel(loaded, [dataset('letters', ['A', 'S'])], { workers: 0, charset: '0123' }),
    ).rejects.toThrow(
      /charset: expected a charset some test image belongs to, got '0123' \(classes 0123; test sets letters\)/,
    );
    await expect(
      evaluateModel(loaded, [dataset('letters', ['A'])], { workers: 0, charset: '%' }),
    ).rejects.toThrow(/charset: expected digits, letters, alnum or characters the model reads/);
    loaded.dispose();
  });
});
