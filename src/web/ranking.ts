// How the page ranks and words the model's answer: the k best classes, percentages, the empty
// message. Pure functions without the DOM, so Node tests import them as they are.

/** One ranked class. */
export interface Ranked {
  readonly label: string;
  readonly probability: number;
}

/** What the results say when there is nothing to read. */
export const EMPTY_MESSAGE = 'Draw a character';

/**
 * The k largest entries of `probs`, best first.
 *
 * @example
 * rank([0.1, 0.9], ['A', 'B'], 1); // [{ label: 'B', probability: 0.9 }]
 */
export function rank(probs: ArrayLike<number>, classes: readonly string[], k: number): Ranked[] {
  return Array.from(probs, (probability, i) => ({ label: classes[i] ?? String(i), probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}

/**
 * A probability as a percentage with one decimal; below 0.1% shows `<0.1%`.
 *
 * @example
 * percent(0.9312); // '93.1%'
 */
export function percent(probability: number): string {
  const p = probability * 100;
  return p > 0 && p < 0.1 ? '<0.1%' : `${p.toFixed(1)}%`;
}
