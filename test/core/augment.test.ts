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
  applyPhotometric,
  randomPhotometric,
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
    const strong = { ...NO_AUGMENTATION, rotation: 45, shift: 6, scale: 0.5, shear: 30 };
    augmentBatch(images, [0, 1], out, createRandom(3), strong);
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
    const noisy = new Float32Array(2 * 784);
    augmentBatch(images, [0, 1], noisy, createRandom(3), { ...strong, noise: 1, blur: 3 });
    expect(noisy.every((v) => v >= 0 && v <= 1)).toBe(true);
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
    expect(AUGMENT_DEFAULTS).toEqual({
      rotation: 12,
      shift: 2,
      scale: 0.1,
      shear: 8,
      thickness: 1,
      blur: 0.8,
      noise: 0.06,
    });
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

describe('applyPhotometric', () => {
  /** A 28x28 float image with a 2-pixel-wide vertical bar of full ink. */
  function bar(): Float32Array {
    const img = new Float32Array(784);
    for (let y = 6; y < 22; y++) img[y * 28 + 13] = img[y * 28 + 14] = 1;
    return img;
  }
  const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
  const none = { thickness: 0, blur: 0, noise: 0 };

  it('thickens and thins strokes by whole and fractional steps', () => {
    const base = sum(bar());
    const thick = bar();
    applyPhotometric(thick, 0, { ...none, thickness: 1 }, createRandom(1));
    expect(sum(thick)).toBeGreaterThan(base * 1.8); // 2 wide → 4 wide, and 2 rows longer
    const half = bar();
    applyPhotometric(half, 0, { ...none, thickness: 0.5 }, createRandom(1));
    expect(sum(half)).toBeCloseTo((base + sum(thick)) / 2, 3);
    expect(Math.max(...half)).toBe(1);
    const thin = bar();
    applyPhotometric(thin, 0, { ...none, thickness: -1 }, createRandom(1));
    expect(sum(thin)).toEqual(base); // a 2-pixel stroke would erode away: left as it was
    const wide = new Float32Array(784);
    for (let y = 6; y < 22; y++) for (let x = 11; x < 17; x++) wide[y * 28 + x] = 1;
    applyPhotometric(wide, 0, { ...none, thickness: -1 }, createRandom(1));
    expect(sum(wide)).toBe(14 * 4); // 6x16 → 4x14
  });

  it('blurs without moving ink, and adds zero-mean noise of the requested size', () => {
    const blurred = bar();
    applyPhotometric(blurred, 0, { ...none, blur: 1 }, createRandom(1));
    expect(Math.max(...blurred)).toBeCloseTo(1, 5); // stretched back to full ink
    expect(sum(blurred)).toBeGreaterThan(sum(bar()));
    expect(blurred[14 * 28 + 11]).toBeGreaterThan(0); // ink spread two pixels sideways

    const grey = new Float32Array(784).fill(0.5);
    applyPhotometric(grey, 0, { ...none, noise: 0.1 }, createRandom(2));
    const mean = sum(grey) / 784;
    const sd = Math.sqrt(grey.reduce((s, v) => s + (v - mean) ** 2, 0) / 784);
    expect(mean).toBeCloseTo(0.5, 1);
    expect(sd).toBeGreaterThan(0.08);
    expect(sd).toBeLessThan(0.12);
    expect(Math.min(...grey)).toBeGreaterThanOrEqual(0);
  });

  it('draws its strengths within the options, after the affine draws', () => {
    const rand = createRandom(3);
    for (let i = 0; i < 200; i++) {
      const p = randomPhotometric(rand, AUGMENT_DEFAULTS);
      expect(Math.abs(p.thickness)).toBeLessThanOrEqual(1);
      expect(p.blur).toBeGreaterThanOrEqual(0);
      expect(p.blur).toBeLessThanOrEqual(0.8);
      expect(p.noise).toBeLessThanOrEqual(0.06);
    }
  });
});
