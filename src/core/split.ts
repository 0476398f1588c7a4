// Deterministic dataset splits (stratified by class, or by writer group) and the small
// dataset operations around them: subset, concatenate, map into another label set, count.
// Everything here is seeded and integer-exact, so a split repeats on every machine
// (docs/DESIGN.md §3: "Splits are deterministic (seeded, stratified)").

import { HcrError } from './errors.js';
import { mapLabelSet } from './label-sets.js';
import type { LabelSet, MapLabelOptions } from './label-sets.js';
import { createRandom, shuffleInPlace } from './random.js';
import { IMAGE_PIXELS } from './types.js';
import type { Dataset } from './types.js';

const FRACTION_TOLERANCE = 1e-6;
const MAX_PARTS = 255;

/** Checks `fractions` (non-negative, summing to 1) and returns them rescaled to sum exactly 1. */
function checkFractions(fractions: readonly number[], where: string): number[] {
  const sum = fractions.reduce((a, b) => a + b, 0);
  const bad =
    fractions.length === 0 ||
    fractions.length > MAX_PARTS ||
    fractions.some((f) => !Number.isFinite(f) || f < 0) ||
    Math.abs(sum - 1) > FRACTION_TOLERANCE;
  if (bad) {
    throw new HcrError(
      'BAD_OPTION',
      `${where}: expected 1 to ${MAX_PARTS} fractions >= 0 summing to 1, got [${fractions.join(', ')}]`,
    );
  }
  return fractions.map((f) => f / sum);
}

/** Number of classes implied by `labels` (max + 1), checking that each is a small non-negative integer. */
function labelRange(labels: ArrayLike<number>, where: string): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label > 0xffff) {
      throw new HcrError(
        'BAD_DATA',
        `${where}: expected labels to be integers 0..65535, got ${label} at index ${i}`,
      );
    }
    if (label > max) max = label;
  }
  return max + 1;
}

/** Gathers the indices assigned to each part; each part comes out ascending. */
function gatherParts(partOf: Uint8Array, numParts: number): Uint32Array[] {
  const sizes = new Uint32Array(numParts);
  for (let i = 0; i < partOf.length; i++) sizes[partOf[i]!]!++;
  const parts = Array.from(sizes, (size) => new Uint32Array(size));
  const fill = new Uint32Array(numParts);
  for (let i = 0; i < partOf.length; i++) {
    const p = partOf[i]!;
    parts[p]![fill[p]!++] = i;
  }
  return parts;
}

/**
 * Splits indices 0..N-1 into one part per fraction, stratified by class: within each class the
 * indices are shuffled with `seed` and cut by the fractions. Per class, each part gets the
 * floor of its exact share, and the few left over go to the parts with a fractional share
 * that are furthest behind overall, so every part is within ±1 image of its exact share in
 * every class and the totals stay as close as possible. Every index lands in exactly one
 * part; each part is sorted ascending. Deterministic for a seed on every platform.
 *
 * @param labels - class index per image (non-negative integers)
 * @param fractions - share of each part, >= 0, summing to 1, e.g. `[0.8, 0.1, 0.1]`
 * @param seed - seed of the shuffle
 * @throws HcrError BAD_OPTION when the fractions are not >= 0 or do not sum to 1
 * @example
 * const [train, val] = stratifiedSplit(ds.labels, [0.9, 0.1], 42);
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fractions: readonly number[],
  seed: number,
): Uint32Array[] {
  const shares = checkFractions(fractions, 'stratifiedSplit');
  const numParts = shares.length;
  const numClasses = labelRange(labels, 'stratifiedSplit');
  const n = labels.length;

  // Bucket indices by class (counting sort), ascending within each class.
  const counts = classCounts(labels, numClasses);
  const starts = new Uint32Array(numClasses + 1);
  for (let c = 0; c < numClasses; c++) starts[c + 1] = starts[c]! + counts[c]!;
  const byClass = new Uint32Array(n);
  const fill = starts.slice(0, numClasses);
  for (let i = 0; i < n; i++) byClass[fill[labels[i]!]!++] = i;

  const rand = createRandom(seed);
  const partOf = new Uint8Array(n);
  const expected = new Float64Array(numParts); // exact share so far, over all classes
  const assigned = new Float64Array(numParts);
  const take = new Uint32Array(numParts);
  const remainder = new Float64Array(numParts);
  for (let c = 0; c < numClasses; c++) {
    const size = counts[c]!;
    if (size === 0) continue;
    const members = shuffleInPlace(byClass.subarray(starts[c]!, starts[c + 1]!), rand);
    let left = size;
    for (let p = 0; p < numParts; p++) {
      const exact = size * shares[p]!;
      take[p] = Math.floor(exact + 1e-9);
      remainder[p] = exact - take[p]!;
      expected[p]! += exact;
      left -= take[p]!;
    }
    // Floating error can make the floors sum above the size; take back from the largest floors.
    while (left < 0) {
      let p = 0;
      for (let q = 1; q < numParts; q++) if (take[q]! > take[p]!) p = q;
      take[p]!--;
      left++;
    }
    // Hand out the rest, one each, to parts with a fractional share that are furthest behind.
    for (; left > 0; left--) {
      let best = -1;
      let bestDeficit = -Infinity;
      for (let p = 0; p < numParts; p++) {
        if (remainder[p]! <= 0) continue;
        const deficit = expected[p]! - (assigned[p]! + take[p]!);
        if (deficit > bestDeficit) {
          best = p;
          bestDeficit = deficit;
        }
      }
      if (best < 0) best = shares.indexOf(Math.max(...shares));
      take[best]!++;
      remainder[best] = 0;
    }
    let k = 0;
    for (let p = 0; p < numParts; p++) {
      for (let j = 0; j < take[p]!; j++) partOf[members[k++]!] = p;
      assigned[p]! += take[p]!;
    }
  }
  return gatherParts(partOf, numParts);
}

/**
 * Splits indices 0..N-1 by group (e.g. writer id) so that no group appears in two parts. The
 * groups are shuffled with `seed` and assigned one by one, each to the part where it best
 * reduces the squared gap between the part's image counts (in total and per class) and its
 * fraction's share; totals come out close to the fractions, the per-class balance is
 * approximate. Every distinct value of `groups` is one group. Each part is sorted ascending.
 *
 * @param groups - group id per image
 * @param labels - class index per image, same length as `groups`
 * @param fractions - share of each part, >= 0, summing to 1
 * @param seed - seed of the group shuffle
 * @throws HcrError BAD_DATA when `groups` and `labels` differ in length
 * @example
 * const [train, test] = groupSplit(ds.groups!, ds.labels, [0.9, 0.1], 7);
 */
export function groupSplit(
  groups: ArrayLike<number>,
  labels: ArrayLike<number>,
  fractions: readonly number[],
  seed: number,
): Uint32Array[] {
  const shares = checkFractions(fractions, 'groupSplit');
  if (groups.length !== labels.length) {
    throw new HcrError(
      'BAD_DATA',
      `groupSplit: expected as many groups as labels, got ${groups.length} groups and ${labels.length} labels`,
    );
  }
  const numParts = shares.length;
  const numClasses = labelRange(labels, 'groupSplit');
  const n = labels.length;

  // Dense group ids in order of the sorted group values, so the result does not depend on
  // the order in which groups first appear.
  const values = [...new Set(Array.from(groups))].sort((a, b) => a - b);
  const dense = new Map(values.map((v, i) => [v, i] as const));
  const numGroups = values.length;
  const groupOf = new Uint32Array(n);
  const groupSize = new Uint32Array(numGroups);
  for (let i = 0; i < n; i++) {
    const g = dense.get(groups[i]!)!;
    groupOf[i] = g;
    groupSize[g]!++;
  }
  const starts = new Uint32Array(numGroups + 1);
  for (let g = 0; g < numGroups; g++) starts[g + 1] = starts[g]! + groupSize[g]!;
  const members = new Uint32Array(n);
  const fill = starts.slice(0, numGroups);
  for (let i = 0; i < n; i++) members[fill[groupOf[i]!]!++] = i;

  const totalPerClass = classCounts(labels, numClasses);
  const count = new Float64Array(numParts); // images per part
  const classCount = new Float64Array(numParts * numClasses);
  const groupClass = new Uint32Array(numClasses);
  const touched: number[] = [];
  const partOfGroup = new Uint8Array(numGroups);
  const order = shuffleInPlace(
    Uint32Array.from({ length: numGroups }, (_, g) => g),
    createRandom(seed),
  );

  for (const g of order) {
    const size = groupSize[g]!;
    touched.length = 0;
    for (let k = starts[g]!; k < starts[g + 1]!; k++) {
      const c = labels[members[k]!]!;
      if (groupClass[c] === 0) touched.push(c);
      groupClass[c]!++;
    }
    // Adding the group to part p changes sum (count - target)^2 by 2 * (count - target) * size
    // plus terms equal for every part; same for each class. Pick the smallest change.
    let best = 0;
    let bestCost = Infinity;
    for (let p = 0; p < numParts; p++) {
      if (shares[p] === 0) continue;
      let cost = (count[p]! - shares[p]! * n) * size;
      for (const c of touched) {
        cost += (classCount[p * numClasses + c]! - shares[p]! * totalPerClass[c]!) * groupClass[c]!;
      }
      if (cost < bestCost) {
        best = p;
        bestCost = cost;
      }
    }
    partOfGroup[g] = best;
    count[best]! += size;
    for (const c of touched) {
      classCount[best * numClasses + c]! += groupClass[c]!;
      groupClass[c] = 0;
    }
  }

  const partOf = new Uint8Array(n);
  for (let i = 0; i < n; i++) partOf[i] = partOfGroup[groupOf[i]!]!;
  return gatherParts(partOf, numParts);
}

/**
 * A new dataset holding copies of the images, labels (and groups, when present) at `indices`,
 * in the order given.
 *
 * @param name - name of the result; default: `ds.name`
 * @throws HcrError BAD_DATA when an index is out of range
 * @example
 * const val = subsetDataset(train, parts[1]!, 'emnist-val');
 */
export function subsetDataset(ds: Dataset, indices: ArrayLike<number>, name?: string): Dataset {
  const size = ds.labels.length;
  const count = indices.length;
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  const groups = ds.groups ? new Int32Array(count) : undefined;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= size) {
      throw new HcrError(
        'BAD_DATA',
        `subsetDataset(${ds.name}): expected indices in 0..${size - 1}, got ${i} at position ${k}`,
      );
    }
    images.set(ds.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), k * IMAGE_PIXELS);
    labels[k] = ds.labels[i]!;
    if (groups) groups[k] = ds.groups![i]!;
  }
  const base = { name: name ?? ds.name, images, labels, labelSet: ds.labelSet };
  return groups ? { ...base, groups } : base;
}

/**
 * Concatenates datasets that share a label set (by name). Groups are kept as they are when
 * every part has them (the same id in two parts is the same group) and dropped otherwise.
 *
 * @throws HcrError BAD_DATA when `parts` is empty or the parts' label sets differ
 * @example
 * const all = concatDatasets('digits-all', [mnistTrain, emnistDigits]);
 */
export function concatDatasets(name: string, parts: readonly Dataset[]): Dataset {
  const first = parts[0];
  if (!first) {
    throw new HcrError(
      'BAD_DATA',
      `concatDatasets(${name}): expected at least one dataset, got none`,
    );
  }
  for (const part of parts) {
    if (part.labelSet.name !== first.labelSet.name) {
      throw new HcrError(
        'BAD_DATA',
        `concatDatasets(${name}): expected every part in label set ${first.labelSet.name} ` +
          `(as ${first.name}), got ${part.labelSet.name} in ${part.name}`,
      );
    }
  }
  const total = parts.reduce((sum, p) => sum + p.labels.length, 0);
  const images = new Uint8Array(total * IMAGE_PIXELS);
  const labels = new Uint8Array(total);
  const keepGroups = parts.every((p) => p.groups !== undefined);
  const groups = keepGroups ? new Int32Array(total) : undefined;
  let at = 0;
  for (const part of parts) {
    const size = part.labels.length;
    images.set(part.images.subarray(0, size * IMAGE_PIXELS), at * IMAGE_PIXELS);
    labels.set(part.labels, at);
    if (groups) groups.set(part.groups!, at);
    at += size;
  }
  const base = { name, images, labels, labelSet: first.labelSet };
  return groups ? { ...base, groups } : base;
}

/**
 * Maps a dataset into another label set with {@link mapLabelSet}; images whose class has no
 * counterpart in `to` are dropped and counted.
 *
 * @param options - passed to `mapLabelSet`; default `{ foldCase: false }`
 * @throws HcrError BAD_DATA when a label is outside the dataset's own label set
 * @example
 * const { dataset, dropped } = mapDataset(emnistByClass, LABEL_SETS.alnum36, { foldCase: true });
 */
export function mapDataset(
  ds: Dataset,
  to: LabelSet,
  options?: MapLabelOptions,
): { dataset: Dataset; dropped: number } {
  const map = mapLabelSet(ds.labelSet, to, options);
  const size = ds.labels.length;
  const keep: number[] = [];
  const newLabels: number[] = [];
  for (let i = 0; i < size; i++) {
    const label = ds.labels[i]!;
    if (label >= map.length) {
      throw new HcrError(
        'BAD_DATA',
        `mapDataset(${ds.name}): expected labels below ${map.length} (label set ` +
          `${ds.labelSet.name}), got ${label} at index ${i}`,
      );
    }
    const target = map[label]!;
    if (target >= 0) {
      keep.push(i);
      newLabels.push(target);
    }
  }
  const subset = subsetDataset(ds, keep);
  const dataset: Dataset = { ...subset, labels: Uint8Array.from(newLabels), labelSet: to };
  return { dataset, dropped: size - keep.length };
}

/**
 * Number of images per class.
 *
 * @throws HcrError BAD_DATA when a label is not in 0..numClasses-1
 * @example
 * classCounts(new Uint8Array([0, 2, 2]), 3); // Uint32Array [1, 0, 2]
 */
export function classCounts(labels: ArrayLike<number>, numClasses: number): Uint32Array {
  const counts = new Uint32Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!(label >= 0 && label < numClasses && Number.isInteger(label))) {
      throw new HcrError(
        'BAD_DATA',
        `classCounts: expected labels in 0..${numClasses - 1}, got ${label} at index ${i}`,
      );
    }
    counts[label]!++;
  }
  return counts;
}
