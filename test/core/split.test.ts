// Tests of the seeded dataset splits and the small dataset operations of src/core/split.ts.

import { describe, expect, it } from 'vitest';
import { HcrError } from '../../src/core/errors.js';
import { LABEL_SETS, sourceLabelSet } from '../../src/core/label-sets.js';
import { createRandom } from '../../src/core/random.js';
import {
  classCounts,
  concatDatasets,
  groupSplit,
  mapDataset,
  stratifiedSplit,
  subsetDataset,
} from '../../src/core/split.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import type { Dataset } from '../../src/core/types.js';

/** Labels with uneven class sizes: class c has 7 + 13 * c images, shuffled. */
function unevenLabels(numClasses: number, seed = 1): Uint8Array {
  const labels: number[] = [];
  for (let c = 0; c < numClasses; c++) for (let k = 0; k < 7 + 13 * c; k++) labels.push(c);
  const rand = createRandom(seed);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return Uint8Array.from(labels);
}

function expectCover(parts: Uint32Array[], n: number): void {
  const seen = new Uint8Array(n);
  for (const part of parts) {
    for (let k = 0; k < part.length; k++) {
      if (k > 0) expect(part[k]!).toBeGreaterThan(part[k - 1]!);
      seen[part[k]!]!++;
    }
  }
  expect(seen.every((v) => v === 1)).toBe(true);
}

/** A dataset whose image i is filled with the value i (mod 256), so copies can be traced. */
function tracedDataset(labels: number[], labelSet = LABEL_SETS.digits, groups?: number[]): Dataset {
  const images = new Uint8Array(labels.length * IMAGE_PIXELS);
  for (let i = 0; i < labels.length; i++)
    images.fill(i % 256, i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
  const ds = { name: 'traced', images, labels: Uint8Array.from(labels), labelSet };
  return groups ? { ...ds, groups: Int32Array.from(groups) } : ds;
}

describe('stratifiedSplit', () => {
  const labels = unevenLabels(10);
  const fractions = [0.8, 0.1, 0.1];

  it('covers every index exactly once, each part ascending', () => {
    expectCover(stratifiedSplit(labels, fractions, 42), labels.length);
  });

  it('keeps every class within ±1 of its exact share, and totals within ±1', () => {
    const parts = stratifiedSplit(labels, fractions, 42);
    const total = classCounts(labels, 10);
    parts.forEach((part, p) => {
      const counts = classCounts(
        Array.from(part, (i) => labels[i]!),
        10,
      );
      for (let c = 0; c < 10; c++) {
        expect(Math.abs(counts[c]! - total[c]! * fractions[p]!)).toBeLessThanOrEqual(1);
      }
      expect(Math.abs(part.length - labels.length * fractions[p]!)).toBeLessThanOrEqual(1);
    });
  });

  it('repeats for a seed and changes with it', () => {
    const a = stratifiedSplit(labels, fractions, 7);
    const b = stratifiedSplit(labels, fractions, 7);
    const c = stratifiedSplit(labels, fractions, 8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((p) => p.length)).toEqual(c.map((p) => p.length));
  });

  it('pins the result for a seed (platform independence)', () => {
    const parts = stratifiedSplit([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [0.5, 0.5], 1);
    expect(parts.map((p) => p.length)).toEqual([5, 5]);
    expect(Array.from(parts[0]!)).toEqual([1, 3, 4, 6, 7]);
  });

  it('gives nothing to a zero fraction and handles tiny classes', () => {
    const parts = stratifiedSplit([0, 1, 2, 2], [0, 1], 3);
    expect(parts[0]!.length).toBe(0);
    expect(Array.from(parts[1]!)).toEqual([0, 1, 2, 3]);
    const single = stratifiedSplit([5], [0.5, 0.5], 3);
    expect(single[0]!.length + single[1]!.length).toBe(1);
  });

  it('rejects fractions that do not sum to 1', () => {
    expect(() => stratifiedSplit(labels, [0.5, 0.4], 1)).toThrow(
      /stratifiedSplit: expected 1 to 255 fractions >= 0 summing to 1, got \[0.5, 0.4\]/,
    );
    expect(() => stratifiedSplit(labels, [1.5, -0.5], 1)).toThrow(HcrError);
    expect(() => stratifiedSplit([0, -1], [1], 1)).toThrow(/got -1 at index 1/);
  });
});

describe('groupSplit', () => {
  // 60 writers of 10 to 40 images each, labels spread over 5 classes.
  const rand = createRandom(5);
  const groups: number[] = [];
  const labels: number[] = [];
  for (let w = 0; w < 60; w++) {
    const size = 10 + Math.floor(rand() * 31);
    for (let k = 0; k < size; k++) {
      groups.push(1000 + w * 3);
      labels.push(Math.floor(rand() * 5));
    }
  }
  const fractions = [0.7, 0.2, 0.1];

  it('never puts a group in two parts and covers every index', () => {
    const parts = groupSplit(groups, labels, fractions, 11);
    expectCover(parts, labels.length);
    const owner = new Map<number, number>();
    parts.forEach((part, p) => {
      for (const i of part) {
        const g = groups[i]!;
        expect(owner.get(g) ?? p).toBe(p);
        owner.set(g, p);
      }
    });
  });

  it('keeps each part close to its fraction', () => {
    const parts = groupSplit(groups, labels, fractions, 11);
    parts.forEach((part, p) => {
      // within one largest group (40 images) of the target
      expect(Math.abs(part.length - labels.length * fractions[p]!)).toBeLessThanOrEqual(40);
    });
  });

  it('repeats for a seed and changes with it', () => {
    expect(groupSplit(groups, labels, fractions, 3)).toEqual(
      groupSplit(groups, labels, fractions, 3),
    );
    expect(groupSplit(groups, labels, fractions, 3)).not.toEqual(
      groupSplit(groups, labels, fractions, 4),
    );
  });

  it('rejects groups and labels of different length', () => {
    expect(() => groupSplit([1, 2], [0], [1], 1)).toThrow(
      /groupSplit: expected as many groups as labels, got 2 groups and 1 labels/,
    );
  });
});

describe('dataset operations', () => {
  it('subsetDataset copies images, labels and groups in the given order', () => {
    const ds = tracedDataset([0, 1, 2, 3], LABEL_SETS.digits, [9, 8, 7, 6]);
    const sub = subsetDataset(ds, [3, 1], 'sub');
    expect(sub.name).toBe('sub');
    expect(Array.from(sub.labels)).toEqual([3, 1]);
    expect(Array.from(sub.groups!)).toEqual([6, 8]);
    expect(sub.images[0]).toBe(3);
    expect(sub.images[IMAGE_PIXELS + 783]).toBe(1);
    sub.images[0] = 99;
    expect(ds.images[3 * IMAGE_PIXELS]).toBe(3);
    expect(subsetDataset(ds, []).name).toBe('traced');
    expect(() => subsetDataset(ds, [4])).toThrow(
      /subsetDataset\(traced\): expected indices in 0..3, got 4/,
    );
  });

  it('concatDatasets joins parts of one label set and refuses mixed ones', () => {
    const a = tracedDataset([1, 2], LABEL_SETS.digits, [1, 1]);
    const b = tracedDataset([3], LABEL_SETS.digits, [2]);
    const all = concatDatasets('ab', [a, b]);
    expect(Array.from(all.labels)).toEqual([1, 2, 3]);
    expect(Array.from(all.groups!)).toEqual([1, 1, 2]);
    expect(all.images[2 * IMAGE_PIXELS]).toBe(0);
    expect(all.images[IMAGE_PIXELS]).toBe(1);
    expect(concatDatasets('x', [a, tracedDataset([0])]).groups).toBeUndefined();
    expect(() => concatDatasets('x', [a, tracedDataset([0], LABEL_SETS.letters)])).toThrow(
      /concatDatasets\(x\): expected every part in label set digits .*got letters/,
    );
    expect(() => concatDatasets('x', [])).toThrow(/expected at least one dataset/);
  });

  it('mapDataset maps labels and drops classes without a counterpart', () => {
    const source = sourceLabelSet('emnist-letters', ['Aa', 'Bb', 'Zz']);
    const ds = tracedDataset([0, 1, 2, 1], source);
    const { dataset, dropped } = mapDataset(ds, LABEL_SETS.alnum36, { foldCase: true });
    expect(dropped).toBe(0);
    expect(Array.from(dataset.labels)).toEqual([10, 11, 35, 11]);
    expect(dataset.labelSet).toBe(LABEL_SETS.alnum36);

    const digits = tracedDataset([0, 5, 0, 9]);
    const mapped = mapDataset(digits, LABEL_SETS.alnum35);
    expect(mapped.dropped).toBe(2);
    expect(Array.from(mapped.dataset.labels)).toEqual([4, 8]);
    expect(mapped.dataset.images[0]).toBe(1);
    expect(() => mapDataset(tracedDataset([12]), LABEL_SETS.alnum36)).toThrow(
      /expected labels below 10 .*got 12 at index 0/,
    );
  });

  it('classCounts counts and rejects labels out of range', () => {
    expect(Array.from(classCounts(new Uint8Array([0, 2, 2]), 3))).toEqual([1, 0, 2]);
    expect(() => classCounts([3], 3)).toThrow(
      /classCounts: expected labels in 0..2, got 3 at index 0/,
    );
  });
});
