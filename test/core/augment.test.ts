// Tests of the training-time augmentation: identity at zero strength, known transforms move
// known pixels, values stay in [0, 1], a seed replays the same batch.

import { describe, expect, it } from 'vitest';
import {
  AUGMENT_DEFAULTS,
  NO_AUGMENTATION,
  applyAffine,
  augmentBatch,
  augmentInto,
  randomAffine,
  resolveAugmentOptions,
  toFloatBatch,
} from '../../src/core/augment.js';
import type { AffineParams } from '../../src/core/augment.js';
import { createRandom } from '../../src/core/random.js';

const IDENTITY: AffineParams = { rotation: 0, scale: 1, shear: 0, shiftX: 0, shiftY: 0 };

function randomImages(count: number, seed: number): Uint8Array {
  const rand = createRandom(seed);
  return Uint8Array.from({ length: count * 784 }, () => Math.floor(rand() * 256));
}

/** One image with a single lit pixel at (x, y). */
function dot(x: number, y: number): Uint8Array {
  const image = new Uint8Array(784);
  image[y * 28 + x] = 255;
  return image;
}

function brightest(out: Float32Array): [number, number] {
  let best = 0;
  for (let i = 1; i < 784; i++) if (out[i]! > out[best]!) best = i;
  return [best % 28, Math.floor(best / 28)];
}

describe('augmentation', () => {
  it('reproduces the input exactly at zero strength', () => {
    const images = randomImages(4, 1);
    const indices = [3, 0, 2];
    const plain = new Float32Array(3 * 784);
    const augmented = new Float32Array(3 * 784);
    toFloatBatch(images, indices, plain);
    augmentBatch(images, indices, augmented, createRandom(5), NO_AUGMENTATION);
    expect(augmented).toEqual(plain);
    expect(plain[784 + 10]).toBe(Math.fround(images[10]! / 255));
    expect(plain[5]).toBe(Math.fround(images[3 * 784 + 5]! / 255));
  });

  it('rotates clockwise on screen about the centre', () => {
    const out = new Float32Array(784);
    // (20, 13.5) is 6.5 right of the centre (13.5, 13.5); a quarter turn clockwise puts it
    // 6.5 below: (13.5, 20). Use whole pixels: (20, 10) -> (17, 20).
    applyAffine(dot(20, 10), 0, out, 0, { ...IDENTITY, rotation: 90 });
    expect(brightest(out)).toEqual([17, 20]);
    expect(out[20 * 28 + 17]).toBeCloseTo(1, 5);
    applyAffine(dot(20, 10), 0, out, 0, { ...IDENTITY, rotation: -90 });
    expect(brightest(out)).toEqual([10, 7]);
  });

  it('shifts, scales and shears as documented', () => {
    const out = new Float32Array(784);
    applyAffine(dot(5, 6), 0, out, 0, { ...IDENTITY, shiftX: 2, shiftY: -3 });
    expect(brightest(out)).toEqual([7, 3]);
    expect(out[3 * 28 + 7]).toBeCloseTo(1, 5);
    // half a pixel of shift spreads the dot over two pixels
    applyAffine(dot(5, 6), 0, out, 0, { ...IDENTITY, shiftX: 0.5 });
    expect(out[6 * 28 + 5]).toBeCloseTo(0.5, 5);
    expect(out[6 * 28 + 6]).toBeCloseTo(0.5, 5);
    // scale 2 about (13.5, 13.5): a 2x2 block at x 17-18, y 13-14 covers x 20.5-22.5
    const wide = new Uint8Array(784);
    wide.fill(255, 13 * 28 + 17, 13 * 28 + 19);
    wide.fill(255, 14 * 28 + 17, 14 * 28 + 19);
    applyAffine(wide, 0, out, 0, { ...IDENTITY, scale: 2 });
    expect(out[13 * 28 + 21]).toBeCloseTo(1, 5);
    expect(out[13 * 28 + 25]).toBe(0);
    // positive shear leans the top to the right: 45 degrees moves a dot 10 rows above the centre
    // (y 3.5) 10 pixels right
    applyAffine(dot(10, 3), 0, out, 0, { ...IDENTITY, shear: 45 });
    const [x, y] = brightest(out);
    expect(y).toBe(3);
    expect(x).toBeGreaterThanOrEqual(20);
    expect(x).toBeLessThanOrEqual(21);
  });

  it('keeps every value in [0, 1] and leaves outside pixels at 0', () => {
    const images = new Uint8Array(2 * 784).fill(255);
    const out = new Float32Array(2 * 784).fill(7);
    const strong = { rotation: 45, shift: 6, scale: 0.5, shear: 30 };
    augmentBatch(images, [0, 1], out, createRandom(3), strong);
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(out.some((v) => v === 0)).toBe(true);
    expect(out.some((v) => v === 1)).toBe(true);
  });

  it('replays the same batch for a seed and differs for another', () => {
    const images = randomImages(8, 2);
    const run = (seed: number): Float32Array => {
      const out = new Float32Array(8 * 784);
      augmentBatch(images, [0, 1, 2, 3, 4, 5, 6, 7], out, createRandom(seed), AUGMENT_DEFAULTS);
      return out;
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
    const one = new Float32Array(784);
    augmentInto(images, 0, one, 0, createRandom(11), AUGMENT_DEFAULTS);
    expect(one).toEqual(run(11).subarray(0, 784));
  });

  it('draws transforms within the given strengths', () => {
    const rand = createRandom(4);
    for (let k = 0; k < 200; k++) {
      const p = randomAffine(rand, AUGMENT_DEFAULTS);
      expect(Math.abs(p.rotation)).toBeLessThanOrEqual(12);
      expect(Math.abs(p.scale - 1)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(p.shear)).toBeLessThanOrEqual(8);
      expect(Math.abs(p.shiftX)).toBeLessThanOrEqual(2);
      expect(Math.abs(p.shiftY)).toBeLessThanOrEqual(2);
    }
  });

  it('pins the defaults and checks options', () => {
    expect(AUGMENT_DEFAULTS).toEqual({ rotation: 12, shift: 2, scale: 0.1, shear: 8 });
    expect(Object.isFrozen(AUGMENT_DEFAULTS)).toBe(true);
    expect(resolveAugmentOptions({ rotation: 5 })).toEqual({ ...AUGMENT_DEFAULTS, rotation: 5 });
    expect(() => resolveAugmentOptions({ shift: -1 })).toThrow(
      /augment: expected shift in 0-28, got -1/,
    );
    expect(() => resolveAugmentOptions({ scale: 1 })).toThrow(
      /expected scale in 0-1 \(exclusive\), got 1/,
    );
  });

  it('rejects bad indices and short outputs', () => {
    const images = new Uint8Array(2 * 784);
    expect(() => toFloatBatch(images, [2], new Float32Array(784))).toThrow(
      /toFloatBatch: expected image indices in 0..1, got 2 at position 0/,
    );
    expect(() =>
      augmentBatch(images, [0, 1], new Float32Array(784), createRandom(1), AUGMENT_DEFAULTS),
    ).toThrow(/augmentBatch: expected an output of at least 2 \* 784 floats, got 784/);
  });
});
