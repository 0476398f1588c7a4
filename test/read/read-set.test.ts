// The benchmark set of bench:read, built from a small synthetic "test set": deterministic for a
// seed, lines of 3-12 characters drawn only from the images given, one box and one source per
// character, two-line images when asked, dark ink on light paper; and the edit distance.

import { describe, expect, it } from 'vitest';
import { buildReadSet } from '../../bench/read-set.js';
import { editDistance } from '../../src/core/read/read.js';
import type { Glyph } from '../../bench/read-set.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import type { Dataset } from '../../src/core/types.js';

/** Two images per alnum36 class: a filled square whose size depends on the class. */
function tinyTestSet(name: string): Dataset {
  const classes = LABEL_SETS.alnum36.classes.length;
  const labels = new Uint8Array(classes * 2);
  const images = new Uint8Array(labels.length * 784);
  for (let i = 0; i < labels.length; i++) {
    labels[i] = i % classes;
    const side = 8 + (i % 12);
    for (let y = 4; y < 4 + side; y++) {
      for (let x = 6; x < 6 + Math.min(side, 16); x++) images[i * 784 + y * 28 + x] = 255;
    }
  }
  return { name, images, labels, labelSet: LABEL_SETS.alnum36 };
}

describe('buildReadSet', () => {
  const tests = [tinyTestSet('a-test'), tinyTestSet('b-test')];

  it('is the same for the same seed and different for another', () => {
    const one = buildReadSet(tests, { count: 5, seed: 3 });
    expect(buildReadSet(tests, { count: 5, seed: 3 })).toEqual(one);
    expect(buildReadSet(tests, { count: 5, seed: 4 }).map((s) => s.text)).not.toEqual(
      one.map((s) => s.text),
    );
  });

  it('makes lines of 3-12 characters from the test images given, with a box for each', () => {
    const samples = buildReadSet(tests, { count: 25, seed: 1 });
    let twoLines = 0;
    for (const s of samples) {
      const lines = s.text.split('\n');
      if (lines.length === 2) twoLines++;
      for (const l of lines) {
        const length = l.replaceAll(' ', '').length;
        expect(length).toBeGreaterThanOrEqual(3);
        expect(length).toBeLessThanOrEqual(12);
        expect(l).toMatch(/^[0-9A-Z]+( [0-9A-Z]+)*$/);
      }
      const count = s.text.replace(/[ \n]/g, '').length;
      expect(s.boxes).toHaveLength(count);
      expect(s.sources).toHaveLength(count);
      for (const src of s.sources) {
        expect(['a-test', 'b-test']).toContain(src.set);
        expect(src.index).toBeLessThan(72);
      }
      for (const b of s.boxes) {
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width).toBeLessThanOrEqual(s.image.width);
      }
      // Dark ink on light paper: the border is light.
      expect(s.image.data[0]!).toBeGreaterThan(150);
    }
    expect(twoLines).toBeGreaterThan(0);
    expect(twoLines).toBeLessThan(samples.length);
  });

  it('makes single 10-character lines without spaces for the speed figure', () => {
    const samples = buildReadSet(tests, {
      count: 5,
      twoLineShare: 0,
      lineLength: [10, 10],
      spaces: false,
    });
    for (const s of samples) expect(s.text).toMatch(/^[0-9A-Z]{10}$/);
  });

  it('refuses a test set without a class it needs', () => {
    const digitsOnly: Dataset = { ...tests[0]!, labels: tests[0]!.labels.map((l) => l % 10) };
    expect(() => buildReadSet([digitsOnly], { count: 20 })).toThrow(/no test image of class [A-Z]/);
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('AB12', 'AB12')).toBe(0);
    expect(editDistance('AB12', 'A812')).toBe(1);
    expect(editDistance('AB12', 'AB 12')).toBe(1);
    expect(editDistance('AB12', 'B12')).toBe(1);
    expect(editDistance('', 'XYZ')).toBe(3);
    expect(editDistance('KITTEN', 'SITTING')).toBe(3);
  });

  it('stands lowercase letters on the line: x-high, descending below the baseline', () => {
    // Every glyph the same 20x20 square: only the layout makes them differ.
    const square: Glyph = {
      w: 20,
      h: 20,
      ink: new Float32Array(400).fill(1),
      source: { set: 'square', index: 0 },
    };
    const [sample] = buildReadSet([], {
      count: 1,
      seed: 2,
      twoLineShare: 0,
      words: () => ['Hxp'],
      glyphs: () => square,
    });
    const [big, small, descending] = sample!.boxes;
    const bottom = (b: { y: number; height: number }) => b.y + b.height;
    expect(small!.height / big!.height).toBeGreaterThan(0.4);
    expect(small!.height / big!.height).toBeLessThan(0.85);
    // x and H sit on one baseline (within its jitter); p goes below it.
    expect(Math.abs(bottom(small!) - bottom(big!))).toBeLessThan(0.2 * big!.height);
    expect(bottom(descending!) - bottom(small!)).toBeGreaterThan(0.1 * big!.height);
  });
});
