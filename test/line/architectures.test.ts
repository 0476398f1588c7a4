// The line architectures' registry and the weight transfer behind `hcr line train --init` with
// another --arch: a network with context blocks starts as the trained network it extends.

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  LINE_ARCHITECTURES,
  getLineArchitecture,
  lineFrames,
  transferLineWeights,
} from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { LINE_HEIGHT } from '../../src/core/line/normalize-line.js';
import { initEngine } from '../../src/node/engine/index.js';

const classes = LINE_CHARSET.length + 1;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

/** A random line batch `[2, LINE_HEIGHT, width, 1]`. */
function lines(width: number): tf.Tensor4D {
  return tf.randomUniform([2, LINE_HEIGHT, width, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
}

/** A model whose weights are all random (batch norm too), so no layer is an accidental identity. */
function trained(name: string): tf.LayersModel {
  const model = getLineArchitecture(name).build(classes);
  model.setWeights(
    model.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', 100 + i)),
  );
  return model;
}

describe('line architectures', () => {
  it.each(Object.keys(LINE_ARCHITECTURES))(
    '%s gives one frame per stride of a line of any width',
    (name) => {
      const model = getLineArchitecture(name).build(classes);
      for (const width of [40, 161]) {
        const out = model.predict(lines(width)) as tf.Tensor;
        expect(out.shape).toEqual([2, 1, lineFrames(width), classes]);
        out.dispose();
      }
      model.dispose();
    },
  );
});

describe('transferLineWeights', () => {
  it('starts a network with context blocks where the network it extends is', () => {
    const from = trained('line-tiny');
    const to = getLineArchitecture('line-tiny-c').build(classes);
    transferLineWeights(from, to);
    const x = lines(120);
    const a = from.predict(x) as tf.Tensor;
    const b = to.predict(x) as tf.Tensor;
    expect(b.shape).toEqual(a.shape);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
    // and the context block is a real part of the network: once it has weights, it changes them
    const block = to.layers.find(
      (l) => l.getClassName() === 'BatchNormalization' && l.getWeights()[0]!.dataSync()[0] === 0,
    )!;
    block.setWeights(block.getWeights().map((w) => tf.onesLike(w)));
    const c = to.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]).toBeGreaterThan(1e-3);
  });

  it('refuses a network that does not extend the trained one, naming the layer', () => {
    const from = trained('line-tiny-c');
    const to = getLineArchitecture('line-tiny').build(classes);
    expect(() => transferLineWeights(from, to)).toThrow(/line-tiny does not extend line-tiny-c/);
    expect(() =>
      transferLineWeights(trained('line-s'), getLineArchitecture('line-tiny-c').build(classes)),
    ).toThrow(/BAD_OPTION|does not extend/);
  });
});
