// hcr's WASM training kernels against the pure-JS `cpu` backend: convolution gradients on
// odd shapes, paddings and strides, Tile, a full training step of the probe models, leaks.

import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import {
  initEngine,
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from '../../src/node/engine/index.js';
import { samePaddingModel, seedLikeModel } from './probe-models.js';

/** Tolerance: max |wasm - cpu| <= TOLERANCE * max(1, max |cpu|), per tensor. */
const TOLERANCE = 1e-4;

type Backend = 'cpu' | 'wasm';

function randomArray(length: number, seed: number): Float32Array {
  const rand = createRandom(seed);
  return Float32Array.from({ length }, () => rand() * 2 - 1);
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i] as number));
  return m;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let diff = 0;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  const bound = TOLERANCE * Math.max(1, maxAbs(expected));
  expect(diff, `${what}: max abs diff ${diff} > ${bound}`).toBeLessThanOrEqual(bound);
}

async function on<T>(backend: Backend, f: () => T): Promise<T> {
  await initEngine({ backend });
  return f();
}

type Pad =
  | 'valid'
  | 'same'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 7, 9, 1], filter: [3, 3, 1, 4], strides: 1, pad: 'valid' },
  { x: [3, 12, 10, 1], filter: [3, 3, 1, 8], strides: 1, pad: 'same' }, // a first layer: im2col
  { x: [2, 13, 11, 1], filter: [5, 5, 1, 3], strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], filter: [5, 5, 3, 6], strides: 1, pad: 'same' },
  { x: [3, 7, 9, 2], filter: [5, 5, 2, 5], strides: 2, pad: 'valid' },
  { x: [2, 7, 9, 4], filter: [3, 3, 4, 3], strides: 2, pad: 'same' },
  { x: [1, 8, 8, 1], filter: [3, 3, 1, 1], strides: 2, pad: 'valid' }, // (8 - 3) % 2 != 0: crop
  { x: [2, 8, 10, 5], filter: [4, 4, 5, 2], strides: 2, pad: 'same' }, // even kernel: asymmetric pads
  { x: [2, 11, 10, 3], filter: [3, 5, 3, 4], strides: [2, 1], pad: 'same' },
  { x: [2, 9, 7, 2], filter: [3, 3, 2, 3], strides: 3, pad: 'valid' },
  { x: [1, 7, 9, 2], filter: [3, 3, 2, 2], strides: 1, pad: 1 },
  {
    x: [2, 7, 9, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [3, 0],
      [0, 2],
      [0, 0],
    ], // a top pad wider than the kernel: the input gradient must crop dy
  },
  { x: [8, 11, 12, 8], filter: [5, 5, 8, 12], strides: 1, pad: 'valid' }, // many channels
];

function caseName(c: ConvCase): string {
  return `x ${c.x.join('x')}, filter ${c.filter.join('x')}, strides ${String(c.strides)}, pad ${JSON.stringify(c.pad)}`;
}

/** conv2d(x, w), and the gradients of sum(conv2d(x, w) * dy) with respect to x and w. */
function convGradients(c: ConvCase, seed: number): [Float32Array, Float32Array, Float32Array] {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      randomArray(
        c.x.reduce((a, b) => a * b),
        seed,
      ),
      c.x,
    );
    const w = tf.tensor4d(
      randomArray(
        c.filter.reduce((a, b) => a * b),
        seed + 1,
      ),
      c.filter,
    );
    const outShape = tf.conv2d(x, w, c.strides, c.pad).shape;
    const dy = tf.tensor(
      randomArray(
        outShape.reduce((a, b) => a * b),
        seed + 2,
      ),
      outShape,
    );
    const [dx, dw] = tf.grads((a, b) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad)
        .mul(dy)
        .sum(),
    )([x, w]);
    return [
      tf.conv2d(x, w, c.strides, c.pad).dataSync() as Float32Array,
      dx?.dataSync() as Float32Array,
      dw?.dataSync() as Float32Array,
    ];
  });
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('registration', () => {
  it('registers its kernels for wasm', () => {
    const names = WASM_TRAINING_KERNELS.map((k) => k.kernelName);
    expect(names).toEqual([
      'Conv2D',
      'Conv2DBackpropInput',
      'Conv2DBackpropFilter',
      'Tile',
      'MaxPoolGrad',
      'BatchMatMul',
      'Sum',
      'Mean',
    ]);
    for (const k of WASM_TRAINING_KERNELS) {
      expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc).toBe(k.kernelFunc);
    }
  });

  it('can be called again without warnings', () => {
    const warn = vi.spyOn(console, 'warn');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('conv2d and its gradients on wasm match cpu', () => {
  it.each(CONV_CASES.map((c, i) => [caseName(c), c, i] as const))('%s', async (_name, c, i) => {
    const [yCpu, dxCpu, dwCpu] = await on('cpu', () => convGradients(c, 100 * i));
    const [yWasm, dxWasm, dwWasm] = await on('wasm', () => convGradients(c, 100 * i));
    expectClose(yWasm, yCpu, 'output');
    expectClose(dxWasm, dxCpu, 'input gradient');
    expectClose(dwWasm, dwCpu, 'filter gradient');
  });

  it('rejects channels-first data', async () => {
    await initEngine({ backend: 'wasm' });
    const x = tf.zeros([1, 2, 5, 5]) as tf.Tensor4D;
    const dy = tf.zeros([1, 2, 3, 3]) as tf.Tensor4D;
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] };
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs)).toThrow(
      /Conv2DBackpropFilter \(hcr wasm kernel\): expected dataFormat 'NHWC', got 'NCHW'/,
    );
    tf.dispose([x, dy]);
  });
});

describe('Tile on wasm matches cpu', () => {
  const cases: [number[], number[], 'float32' | 'int32' | 'bool'][] = [
    [[5], [3], 'float32'],
    [[2, 3], [2, 1], 'float32'],
    [[2, 3], [1, 3], 'int32'],
    [[1, 1, 1, 5], [4, 3, 2, 1], 'float32'], // batch-norm gradient shape
    [[2, 1, 3], [2, 3, 2], 'float32'],
    [[2, 3, 2, 1, 3], [2, 1, 2, 3, 1], 'float32'],
    [[3, 2], [2, 2], 'bool'],
    [[2, 2], [0, 2], 'float32'],
  ];
  it.each(cases)('shape %j reps %j %s', async (shape, reps, dtype) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Array.from(randomArray(size, size), (v) =>
      dtype === 'float32' ? v : Math.round(v * 5),
    );
    const run = (): ArrayLike<number> =>
      tf.tidy(() => {
        const x =
          dtype === 'bool' ? tf.tensor(values, shape).greater(0) : tf.tensor(values, shape, dtype);
        const y = tf.tile(x, reps);
        expect(y.shape).toEqual(shape.map((d, i) => d * (reps[i] as number)));
        return y.dataSync();
      });
    const expected = Array.from(await on('cpu', run));
    expect(Array.from(await on('wasm', run))).toEqual(expected);
  });
});

describe('MaxPoolGrad on wasm matches cpu', () => {
  const cases: [
    number[],
    number | [number, number],
    number | [number, number],
    'valid' | 'same',
  ][] = [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[2, 9, 7, 4], 2, 2, 'valid'], // odd sizes: the last row and column are never pooled
    [[1, 9, 9, 2], 3, 2, 'valid'], // overlapping windows: gradients add up
    [[2, 7, 10, 3], 3, 2, 'same'], // padding: windows at the border are partial
    [[1, 12, 12, 5], 5, 5, 'valid'], // the seed network's pool
    [[2, 6, 8, 2], [2, 3], [2, 1], 'same'],
  ];
  it.each(cases)('x %j, pool %j, strides %j, %s', async (shape, size, strides, pad) => {
    const seed = shape.reduce((a, b) => a * b, 1);
    const run = (): ArrayLike<number> =>
      tf.tidy(() => {
        // Some equal values (ReLU zeros) so that ties are exercised: the first maximum wins.
        const x = tf.relu(
          tf.tensor4d(randomArray(seed, seed), shape as [number, number, number, number]),
        ) as tf.Tensor4D;
        const y = tf.maxPool(x, size, strides, pad);
        const dy = tf.tensor(randomArray(y.size, seed + 1), y.shape);
        return tf
          .grad((t) =>
            tf
              .maxPool(t as tf.Tensor4D, size, strides, pad)
              .mul(dy)
              .sum(),
          )(x)
          .dataSync();
      });
    expectClose(await on('wasm', run), await on('cpu', run), 'input gradient');
  });
});

describe('BatchMatMul on wasm matches cpu with transposed operands', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [5, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 4, 6], [2, 4, 3], true, false], // batched
    [[2, 6, 4], [2, 3, 4], false, true],
    [[6, 4], [4, 3], false, false],
  ];
  it.each(cases)('a %j, b %j, transposeA %s, transposeB %s', async (aShape, bShape, tA, tB) => {
    const run = (): ArrayLike<number> =>
      tf.tidy(() => {
        const a = tf.tensor(
          randomArray(
            aShape.reduce((x, y) => x * y),
            7,
          ),
          aShape,
        );
        const b = tf.tensor(
          randomArray(
            bShape.reduce((x, y) => x * y),
            8,
          ),
          bShape,
        );
        return tf.matMul(a, b, tA, tB).dataSync();
      });
    expectClose(await on('wasm', run), await on('cpu', run), 'product');
  });
});

describe('Sum and Mean on wasm match cpu', () => {
  const cases: [number[], number | number[], boolean][] = [
    [[4, 3, 5, 6], [0, 1, 2], false], // a bias gradient
    [[4, 3, 5, 6], [0, 1, 2], true], // batch-norm moments
    [[7, 5], 0, false],
    [[2, 3, 4], [1, 0], true], // leading axes in any order
    [[2, 3, 4], [0, 2], false], // not leading: upstream's kernel
    [[2, 3, 4], -1, false],
    [[6], 0, false], // every axis: upstream's kernel
  ];
  it.each(cases)('shape %j, axis %j, keepDims %s', async (shape, axis, keepDims) => {
    const size = shape.reduce((a, b) => a * b, 1);
    for (const op of [tf.sum, tf.mean]) {
      const run = (): { shape: number[]; values: ArrayLike<number> } =>
        tf.tidy(() => {
          const r = op(tf.tensor(randomArray(size, size), shape), axis, keepDims);
          return { shape: r.shape, values: r.dataSync() };
        });
      const expected = await on('cpu', run);
      const actual = await on('wasm', run);
      expect(actual.shape).toEqual(expected.shape);
      expectClose(actual.values, expected.values, op.name);
    }
  });
});

describe('a full training step on wasm', () => {
  const BATCH = 3;

  /** Loss and gradient of every trainable weight of `model` on one fixed batch. */
  function stepGradients(model: tf.Sequential): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    tf.tidy(() => {
      const x = tf.tensor4d(randomArray(BATCH * 28 * 28, 5), [BATCH, 28, 28, 1]).abs();
      const labels = tf.tensor1d([3, 0, 7], 'float32');
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => {
        const probs = model.apply(x, { training: true }) as tf.Tensor;
        return tf.mean(
          tf.metrics.categoricalCrossentropy(
            tf.oneHot(labels.toInt(), probs.shape[1] as number),
            probs,
          ),
        ) as tf.Scalar;
      }, variables);
      out.set('loss', value.dataSync() as Float32Array);
      for (const [name, g] of Object.entries(grads)) out.set(name, g.dataSync() as Float32Array);
    });
    return out;
  }

  it.each([
    ['seed-like (5x5 valid, maxPool 5, dense)', () => seedLikeModel({ filters: 8, dense: 32 })],
    ['same-padding (3x3 same, stride 2, maxPool 2, GAP)', () => samePaddingModel({ filters: 8 })],
  ])('%s: gradients of all weights match cpu', async (_name, make) => {
    await initEngine({ backend: 'wasm' });
    const model = make();
    const cpu = await on('cpu', () => stepGradients(model));
    const wasm = await on('wasm', () => stepGradients(model));
    expect([...wasm.keys()]).toEqual([...cpu.keys()]);
    expect(cpu.size).toBe(model.trainableWeights.length + 1);
    for (const [name, expected] of cpu) expectClose(wasm.get(name) as Float32Array, expected, name);
    model.dispose();
  });

  it('trains the full-size probe models with Adam and sparse categorical cross-entropy', async () => {
    await initEngine({ backend: 'wasm' });
    for (const model of [seedLikeModel(), samePaddingModel()]) {
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
      const x = tf.tensor4d(randomArray(8 * 28 * 28, 9), [8, 28, 28, 1]).abs();
      const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 35], 'float32');
      const weights = (): Float32Array[] =>
        model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
      const before = weights().map((w) => w.slice());
      const loss = (await model.trainOnBatch(x, y)) as number;
      expect(Number.isFinite(loss)).toBe(true);
      // Every trainable weight moved (Adam's first step moves each by about the learning rate).
      weights().forEach((after, i) => {
        const moved = maxAbs(after.map((v, j) => v - (before[i]?.[j] as number)));
        expect(moved, model.trainableWeights[i]?.name).toBeGreaterThan(1e-5);
      });
      const tensors = tf.memory().numTensors;
      await model.trainOnBatch(x, y);
      expect(tf.memory().numTensors).toBe(tensors);
      tf.dispose([x, y]);
      model.dispose();
    }
  });
});

describe('no leaks', () => {
  it('repeated gradient kernels keep tensor and buffer counts', async () => {
    await initEngine({ backend: 'wasm' });
    const run = (): void => {
      for (const c of [CONV_CASES[4], CONV_CASES[5], CONV_CASES[10]] as ConvCase[])
        convGradients(c, 1);
      tf.tidy(() => tf.tile(tf.ones([1, 1, 1, 4]), [2, 3, 3, 1]).dataSync());
    };
    run();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) run();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    // Intermediates inside the kernels are backend buffers, not engine tensors.
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
  });
});
