// CTC loss and gradient (core/line/ctc.ts) against brute-force enumeration of every alignment
// on tiny cases, and against finite differences; and the tfjs op built on it (engine/loss.ts).

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import { ctcLossAndGradient } from '../../src/core/line/ctc.js';
import {
  decodeLineClasses,
  encodeLineText,
  LINE_CHARSET,
  minCtcFrames,
} from '../../src/core/line/charset.js';
import { initEngine } from '../../src/node/engine/index.js';
import { ctcLoss } from '../../src/node/engine/loss.js';

function logSoftmax(logits: number[], T: number, C: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    const row = logits.slice(t * C, (t + 1) * C);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    for (const v of row) out.push(v - lse);
  }
  return out;
}

/** −log of the summed probability of every path of T frames that collapses to `labels`. */
function bruteForceLoss(logits: number[], T: number, C: number, labels: number[]): number {
  const lp = logSoftmax(logits, T, C);
  let total = 0;
  const path = new Array<number>(T).fill(0);
  const visit = (t: number): void => {
    if (t === T) {
      const out: number[] = [];
      let prev = -1;
      for (const c of path) {
        if (c !== prev && c !== 0) out.push(c);
        prev = c;
      }
      if (out.length === labels.length && out.every((v, i) => v === labels[i])) {
        total += Math.exp(path.reduce((a, c, k) => a + lp[k * C + c]!, 0));
      }
      return;
    }
    for (let c = 0; c < C; c++) {
      path[t] = c;
      visit(t + 1);
    }
  };
  visit(0);
  return -Math.log(total);
}

const CASES: [number, number, number[]][] = [
  [1, 2, [1]],
  [3, 2, [1]],
  [4, 3, [1, 2]],
  [5, 3, [1, 1]],
  [3, 3, [1, 1]], // exactly the minimum: a blank between the repeats
  [6, 4, [2, 3, 2]],
  [5, 4, []],
  [7, 3, [2, 2, 2]],
];

describe('ctcLossAndGradient', () => {
  it.each(CASES)('matches brute force for T=%i, C=%i, labels %j', (T, C, labels) => {
    const rand = createRandom(T * 31 + C);
    const logits = Array.from({ length: T * C }, () => rand() * 4 - 2);
    const { loss } = ctcLossAndGradient(logits, T, C, labels);
    expect(loss).toBeCloseTo(bruteForceLoss(logits, T, C, labels), 9);
  });

  it.each(CASES)(
    'has the gradient of finite differences for T=%i, C=%i, labels %j',
    (T, C, labels) => {
      const rand = createRandom(T * 17 + C);
      const logits = Array.from({ length: T * C }, () => rand() * 4 - 2);
      const { loss, gradient } = ctcLossAndGradient(logits, T, C, labels);
      const h = 1e-5;
      for (let i = 0; i < T * C; i++) {
        const moved = logits.slice();
        moved[i]! += h;
        const numeric = (ctcLossAndGradient(moved, T, C, labels).loss - loss) / h;
        expect(Math.abs(numeric - gradient[i]!)).toBeLessThan(1e-4);
      }
    },
  );

  it('is infinite with a zero gradient when the labels cannot fit the frames', () => {
    const { loss, gradient } = ctcLossAndGradient([0, 0, 0, 0], 2, 2, [1, 1]);
    expect(loss).toBe(Infinity);
    expect([...gradient].every((g) => g === 0)).toBe(true);
  });

  it('reads only the first `frames` frames of the logits', () => {
    const rand = createRandom(5);
    const logits = Array.from({ length: 6 * 3 }, () => rand());
    const short = ctcLossAndGradient(logits.slice(0, 4 * 3), 4, 3, [1, 2]);
    const padded = ctcLossAndGradient(logits, 4, 3, [1, 2]);
    expect(padded.loss).toBeCloseTo(short.loss, 12);
    expect([...padded.gradient.subarray(12)].every((g) => g === 0)).toBe(true);
  });
});

describe('line charset', () => {
  it('encodes 1-based with the blank at 0 and decodes back', () => {
    const labels = encodeLineText('Hi, 2!')!;
    expect(labels[0]).toBe(LINE_CHARSET.indexOf('H') + 1);
    expect(decodeLineClasses([0, ...labels, 0])).toBe('Hi, 2!');
    expect(encodeLineText('naïve')).toBeNull();
  });

  it('counts the frames CTC needs: one per character and one between repeats', () => {
    expect(minCtcFrames(encodeLineText('hello')!)).toBe(6);
    expect(minCtcFrames(encodeLineText('abc')!)).toBe(3);
    expect(minCtcFrames(encodeLineText('')!)).toBe(0);
  });
});

describe('ctcLoss (the tfjs op)', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('gives the mean loss and hands back the per-line gradient through tf.grad', () => {
    const rand = createRandom(9);
    const [n, T, C] = [2, 5, 4];
    const values = Float32Array.from({ length: n * T * C }, () => rand() * 2 - 1);
    const labels = [Int32Array.from([1, 2]), Int32Array.from([3])];
    const frames = [5, 3];
    const logits = tf.tensor4d(values, [n, 1, T, C]);
    const loss = ctcLoss(logits, { labels, frames }).dataSync()[0]!;
    const grad = tf.grad((x: tf.Tensor) => ctcLoss(x, { labels, frames }))(logits);
    const g = grad.dataSync();
    const a = ctcLossAndGradient(values.subarray(0, T * C), 5, C, labels[0]!);
    const b = ctcLossAndGradient(values.subarray(T * C), 3, C, labels[1]!);
    expect(loss).toBeCloseTo((a.loss + b.loss) / 2, 4);
    for (let k = 0; k < T * C; k++) {
      expect(g[k]).toBeCloseTo(a.gradient[k]! / 2, 5);
      expect(g[T * C + k]).toBeCloseTo((b.gradient[k] ?? 0) / 2, 5); // frames past 3: padding
    }
    tf.dispose([logits, grad]);
  });
});
