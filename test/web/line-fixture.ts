// A line model for the browser tests of ink reading: line-tiny whose last layer is set to say
// one character in every frame (kernel 0, that class's bias 8), so whatever is written reads
// as that character, in every browser and on every run: the tests check the mechanics of
// reading ink (after pen-up, in the worker, corrections, copying), not accuracy.

import * as tf from '@tensorflow/tfjs';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { saveLineModel } from '../../src/node/model/line-artifact.js';

/**
 * Saves, in `dir`, a line model directory (model.json, weights.bin, hcr.json) that reads
 * anything as `character`.
 *
 * @example
 * await saveOneCharacterLineModel(join(dir, 'line-en'), 'a'); // every drawing reads "a"
 */
export async function saveOneCharacterLineModel(dir: string, character = 'a'): Promise<void> {
  const model = getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1);
  const last = model.layers.at(-1)!;
  const [kernel, bias] = last.getWeights();
  const leaning = new Float32Array(bias!.size);
  leaning[LINE_CHARSET.indexOf(character) + 1] = 8;
  last.setWeights([tf.zerosLike(kernel!), tf.tensor1d(leaning)]);
  await saveLineModel(dir, model, {
    charset: LINE_CHARSET,
    architecture: 'line-tiny',
    training: {},
    data: {},
    metrics: {},
  });
  model.dispose();
}
