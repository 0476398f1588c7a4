// The misclassified images of a test set, by index: the first ones in input order, or grouped
// by (true, predicted) class pair, largest group first. Reports and model cards show them;
// the figures are in src/core/metrics.ts.

import { HcrError } from './errors.js';

/**
 * Indices of the first `limit` misclassified images, in input order; with `pair`, only those
 * of true class `pair.true` predicted as `pair.predicted`. Default limit: 100.
 *
 * @example
 * misclassified([0, 1, 1, 2], [0, 2, 1, 1], 10); // [1, 3]
 * misclassified(labels, predicted, 16, { true: oIndex, predicted: zeroIndex });
 */
export function misclassified(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  limit = 100,
  pair?: { true: number; predicted: number },
): number[] {
  if (labels.length !== predicted.length) {
    throw new HcrError(
      'BAD_DATA',
      `misclassified: expected ${labels.length} predictions (one per label), got ${predicted.length}`,
    );
  }
  const found: number[] = [];
  for (let i = 0; i < labels.length && found.length < limit; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (t === p) continue;
    if (pair && (t !== pair.true || p !== pair.predicted)) continue;
    found.push(i);
  }
  return found;
}

/**
 * Misclassified images grouped by (true, predicted) class pair: up to `perPair` indices per
 * pair (default 10), pairs ordered by how many images they hold, largest first.
 *
 * @example
 * misclassifiedByPair([0, 0, 1], [1, 1, 0], 1);
 * // [{ true: 0, predicted: 1, count: 2, indices: [0] }, { true: 1, predicted: 0, count: 1, indices: [2] }]
 */
export function misclassifiedByPair(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  perPair = 10,
): { true: number; predicted: number; count: number; indices: number[] }[] {
  if (labels.length !== predicted.length) {
    throw new HcrError(
      'BAD_DATA',
      `misclassifiedByPair: expected ${labels.length} predictions (one per label), got ${predicted.length}`,
    );
  }
  const groups = new Map<
    string,
    { true: number; predicted: number; count: number; indices: number[] }
  >();
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (t === p) continue;
    const key = `${t},${p}`;
    let group = groups.get(key);
    if (!group) {
      group = { true: t, predicted: p, count: 0, indices: [] };
      groups.set(key, group);
    }
    group.count++;
    if (group.indices.length < perPair) group.indices.push(i);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
