// Adapting a line model to one writer (core/line/adapt.ts), the recipe the page's worker runs:
// the hold-out, the rendering (the page's reader's), the measure, and a tiny model that reads
// everything as "a" taught that a few scribbles say "b": it reads them and a new one as "b",
// and only the layers the recipe names changed.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LINE_ADAPT_DEFAULTS,
  adaptLineModel,
  charAccuracy,
  holdOutLines,
  readLineSamples,
  renderLineSample,
  resolveLineAdaptOptions,
  type InkLineSample,
} from '../../src/core/line/adapt.js';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { normalizeLine } from '../../src/core/line/normalize-line.js';
import { renderInk } from '../../src/core/ink/render.js';
import { initEngine } from '../../src/node/engine/index.js';
import { withSeededMathRandom } from '../../src/node/engine/seeded.js';

/** A scribble of 2 or 3 loops, shaped a little by `k`. */
function scribble(k: number): InkLineSample['strokes'] {
  const loops = 2 + (k % 2);
  const stroke = [];
  for (let i = 0; i <= 12 * loops; i++) {
    const a = (i / 12) * 2 * Math.PI;
    stroke.push({
      x: 100 + 12 * i * (1 + 0.1 * k) + 20 * Math.sin(a),
      y: 300 - 60 * Math.abs(Math.cos(a / 2)),
    });
  }
  return [stroke];
}

/**
 * line-tiny whose classifier says "a" in every frame (test/web/line-fixture.ts's model), its
 * other weights drawn from a fixed seed so that every run adapts the same model.
 */
function readsA(): tf.LayersModel {
  const model = withSeededMathRandom(7, () =>
    getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1),
  );
  const last = model.layers.at(-1)!;
  const [kernel, bias] = last.getWeights();
  const leaning = new Float32Array(bias!.size);
  leaning[LINE_CHARSET.indexOf('a') + 1] = 8;
  last.setWeights([tf.zerosLike(kernel!), tf.tensor1d(leaning)]);
  return model;
}

describe('line adaptation', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
  });

  it('holds out a fifth of the words at random, at least one of three, none of two', () => {
    const { train, heldOut } = holdOutLines(30, 0.2, 7);
    expect(heldOut.length).toBe(6);
    expect([...train, ...heldOut].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
    expect(holdOutLines(30, 0.2, 7)).toEqual({ train, heldOut });
    expect(holdOutLines(30, 0.2, 8).heldOut).not.toEqual(heldOut);
    expect(holdOutLines(3, 0.2, 7).heldOut.length).toBe(1);
    expect(holdOutLines(2, 0.2, 7)).toEqual({ train: [0, 1], heldOut: [] });
  });

  it('renders a word as the page reads ink, and varies it only when asked', () => {
    const strokes = scribble(0);
    const plain = renderLineSample(strokes);
    expect(plain).toEqual(normalizeLine(renderInk(strokes), { inkIsBright: true }));
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    expect(renderLineSample(strokes, rand).data).not.toEqual(plain.data);
  });

  it('measures characters right as 1 - edit distance / length, floored at 0', () => {
    expect(charAccuracy(['helo'], ['hello'])).toBeCloseTo(0.8);
    expect(charAccuracy(['helo', 'ab'], ['hello', 'ab'])).toBeCloseTo(6 / 7);
    expect(charAccuracy(['xxxxxxxxxx'], ['ab'])).toBe(0);
  });

  it('resolves the defaults', () => {
    expect(resolveLineAdaptOptions()).toEqual(LINE_ADAPT_DEFAULTS);
    expect(resolveLineAdaptOptions({ steps: 5, seed: undefined })).toMatchObject({
      steps: 5,
      seed: LINE_ADAPT_DEFAULTS.seed,
    });
  });

  it('teaches a model that reads "a" that these scribbles say "b", training the head only', async () => {
    const model = readsA();
    const samples = [0, 1].map((k) => ({ strokes: scribble(k), text: 'b' }));
    const others = [{ strokes: scribble(4), text: 'b' }];
    expect(readLineSamples(model, [...samples, ...others]).greedy).toEqual(['a', 'a', 'a']);
    const first = model.layers[1]!.getWeights()[0]!.dataSync().slice();
    const progress: number[] = [];
    const run = await adaptLineModel(
      model,
      samples,
      { steps: 80, learningRate: 0.05, layers: 'head' },
      (p) => void progress.push(p.step),
    );
    expect(progress).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(run).toMatchObject({ steps: 80, used: 2, skipped: 0 });
    expect(run.lastLoss).toBeLessThan(run.firstLoss / 10);
    expect(readLineSamples(model, [...samples, ...others]).greedy).toEqual(['b', 'b', 'b']);
    // The first convolution is before the last pooling: frozen.
    expect(model.layers[1]!.getWeights()[0]!.dataSync()).toEqual(first);
    model.dispose();
  }, 120_000);

  it('trains only the classifier with layers "logits", and leaves out words it cannot write', async () => {
    const model = readsA();
    const weights = () => model.layers.map((l) => l.getWeights().map((w) => [...w.dataSync()]));
    const before = weights();
    const run = await adaptLineModel(
      model,
      [
        { strokes: scribble(0), text: 'b' },
        { strokes: scribble(1), text: 'b€' },
      ],
      { steps: 3, learningRate: 0.01, layers: 'logits' },
    );
    expect(run).toMatchObject({ used: 1, skipped: 1 });
    const changed = weights().map((w, i) => JSON.stringify(w) !== JSON.stringify(before[i]));
    expect(changed.at(-1)).toBe(true);
    expect(changed.slice(0, -1).every((c) => !c)).toBe(true);
    await expect(
      adaptLineModel(model, [{ strokes: scribble(0), text: '€' }], { steps: 1 }),
    ).rejects.toThrow(/none of the 1 samples can be trained on/);
    model.dispose();
  }, 60_000);
});
