// Connectionist temporal classification (Graves et al., 2006): the loss of a label sequence
// given per-frame class scores, summed over every alignment by the forward-backward algorithm in
// log space, and its gradient with respect to the frames' logits. Plain arrays, so the same
// code serves training (wrapped as a tfjs op in Node) and tests (checked against brute force).

import { CTC_BLANK } from './charset.js';

const NEG_INF = -Infinity;

function logAdd(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Loss and gradient of one sequence: see {@link ctcLossAndGradient}. */
export interface CtcResult {
  /** −log p(labels | frames); `Infinity` when no alignment fits in the frames. */
  readonly loss: number;
  /** d loss / d logits, `frames * classes` (all 0 past `frames` and when the loss is infinite). */
  readonly gradient: Float32Array;
}

/**
 * CTC loss of `labels` (class indices, no blanks) under `logits` (`frames * classes`,
 * row-major; softmax is taken per frame here) and its gradient with respect to the logits:
 * softmax − posterior occupancy of each class at each frame.
 *
 * @param frames - how many leading frames of `logits` belong to this sequence
 * @example
 * const { loss, gradient } = ctcLossAndGradient(logits, 40, 77, encodeLineText('cat')!);
 */
export function ctcLossAndGradient(
  logits: ArrayLike<number>,
  frames: number,
  classes: number,
  labels: ArrayLike<number>,
  blank: number = CTC_BLANK,
): CtcResult {
  const T = frames;
  const C = classes;
  const L = labels.length;
  const S = 2 * L + 1;
  const gradient = new Float32Array(T * C);
  if (T === 0) return { loss: L === 0 ? 0 : Infinity, gradient };
  // Log-softmax per frame.
  const logp = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    let max = NEG_INF;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[t * C + c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(logits[t * C + c]! - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < C; c++) logp[t * C + c] = logits[t * C + c]! - lse;
  }
  // The extended sequence: blank, l1, blank, l2, ..., blank.
  const ext = new Int32Array(S);
  for (let s = 0; s < S; s++) ext[s] = s % 2 === 0 ? blank : labels[(s - 1) >> 1]!;
  const canSkip = (s: number) => s >= 2 && ext[s] !== blank && ext[s] !== ext[s - 2];

  const alpha = new Float64Array(T * S).fill(NEG_INF);
  alpha[0] = logp[ext[0]!]!;
  if (S > 1) alpha[1] = logp[ext[1]!]!;
  for (let t = 1; t < T; t++) {
    // Only states from which the end is still reachable, and reachable from the start.
    const lo = Math.max(0, S - 2 * (T - t));
    const hi = Math.min(S - 1, 2 * t + 1);
    for (let s = lo; s <= hi; s++) {
      let a = alpha[(t - 1) * S + s]!;
      if (s >= 1) a = logAdd(a, alpha[(t - 1) * S + s - 1]!);
      if (canSkip(s)) a = logAdd(a, alpha[(t - 1) * S + s - 2]!);
      alpha[t * S + s] = a === NEG_INF ? NEG_INF : a + logp[t * C + ext[s]!]!;
    }
  }
  const end =
    S > 1 ? logAdd(alpha[(T - 1) * S + S - 1]!, alpha[(T - 1) * S + S - 2]!) : alpha[(T - 1) * S]!;
  if (end === NEG_INF) return { loss: Infinity, gradient };

  const beta = new Float64Array(T * S).fill(NEG_INF);
  beta[(T - 1) * S + S - 1] = logp[(T - 1) * C + ext[S - 1]!]!;
  if (S > 1) beta[(T - 1) * S + S - 2] = logp[(T - 1) * C + ext[S - 2]!]!;
  for (let t = T - 2; t >= 0; t--) {
    for (let s = 0; s < S; s++) {
      let b = beta[(t + 1) * S + s]!;
      if (s + 1 < S) b = logAdd(b, beta[(t + 1) * S + s + 1]!);
      if (s + 2 < S && canSkip(s + 2)) b = logAdd(b, beta[(t + 1) * S + s + 2]!);
      beta[t * S + s] = b === NEG_INF ? NEG_INF : b + logp[t * C + ext[s]!]!;
    }
  }
  // alpha * beta counts the frame's own probability twice: divide it out once.
  const occupancy = new Float64Array(C);
  for (let t = 0; t < T; t++) {
    occupancy.fill(NEG_INF);
    for (let s = 0; s < S; s++) {
      const ab = alpha[t * S + s]! + beta[t * S + s]!;
      if (ab !== NEG_INF) occupancy[ext[s]!] = logAdd(occupancy[ext[s]!]!, ab);
    }
    for (let c = 0; c < C; c++) {
      const lp = logp[t * C + c]!;
      const posterior = occupancy[c] === NEG_INF ? 0 : Math.exp(occupancy[c]! - lp - end);
      gradient[t * C + c] = Math.exp(lp) - posterior;
    }
  }
  return { loss: -end, gradient };
}
