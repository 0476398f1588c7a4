// What a line model's frames say about a text they were decoded into: the best alignment of the
// text to the frames (Viterbi over CTC's blank-interleaved sequence), hence where each character
// was written (its first and last frame, and the frame where it is surest), the classes it could
// also be, and how sure each word is. Used by the CTC decoders (ctc-decode.ts) for every reading
// they return, so greedy and beam readings are described alike.

import { HcrError } from '../errors.js';
import { CTC_BLANK } from '../line/charset.js';

/** Per-frame log-probabilities of a line model's classes (blank first), `frames` rows. */
export interface CtcFrames {
  /** `frames * classes` natural-log probabilities (each row a log-softmax), row-major. */
  readonly logProbs: Float32Array;
  readonly frames: number;
  /** Classes per frame: the charset's characters plus the blank (class 0). */
  readonly classes: number;
}

/** A class and its probability. */
export interface CtcRankedClass {
  readonly label: string;
  readonly probability: number;
}

/** One character of a CTC reading (spaces are not characters: see `spaceBefore`). */
export interface CtcCharacter {
  readonly label: string;
  /** First and last frame where the best alignment emits it (inclusive). */
  readonly firstFrame: number;
  readonly lastFrame: number;
  /** The frame of its span where its class is most probable. */
  readonly peakFrame: number;
  /** Its class's probability at the peak frame. */
  readonly probability: number;
  /**
   * The most probable characters at the peak frame, best first, with their probabilities among
   * the characters (the blank's share set aside), so they read as "what else it could be".
   */
  readonly top: readonly CtcRankedClass[];
  /** True when a space precedes it in the reading. */
  readonly spaceBefore: boolean;
}

/** One word of a CTC reading: a run of characters between spaces. */
export interface CtcWord {
  readonly text: string;
  /** Index of its first character in the reading's `characters`, and one past its last. */
  readonly start: number;
  readonly end: number;
  /**
   * How sure the frames are of it, 0-1: the geometric mean of its characters' peak
   * probabilities (one doubtful letter makes a doubtful word).
   */
  readonly confidence: number;
}

/** Where a text sits in the frames, character by character. */
export interface CtcAlignment {
  readonly characters: readonly CtcCharacter[];
  readonly words: readonly CtcWord[];
  /** log-probability of the best alignment (one path, not the sum over paths). */
  readonly bestPathLogProb: number;
}

/**
 * Log-softmax of each frame of raw logits (what a line model outputs), as {@link CtcFrames}.
 *
 * @throws HcrError BAD_MODEL when `logits` does not hold `frames * classes` values
 * @example
 * const frames = ctcFramesFromLogits(await model.predict(line).data(), 40, 77);
 */
export function ctcFramesFromLogits(
  logits: ArrayLike<number>,
  frames: number,
  classes: number,
): CtcFrames {
  if (!(classes > 1) || logits.length !== frames * classes) {
    throw new HcrError(
      'BAD_MODEL',
      `ctc: expected ${frames} frames x ${classes} classes = ${frames * classes} logits, got ${logits.length}`,
    );
  }
  const logProbs = new Float32Array(frames * classes);
  for (let t = 0; t < frames; t++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[t * classes + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[t * classes + c]! - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < classes; c++) logProbs[t * classes + c] = logits[t * classes + c]! - lse;
  }
  return { logProbs, frames, classes };
}

/**
 * Checks that `frames` is a consistent table for `charset` (one class per character plus the
 * blank).
 *
 * @throws HcrError BAD_MODEL naming what was expected and what arrived
 */
export function checkCtcFrames(frames: CtcFrames, charset: string): void {
  if (frames.classes !== charset.length + 1) {
    throw new HcrError(
      'BAD_MODEL',
      `ctc: expected ${charset.length + 1} classes (the charset and the blank), got ${frames.classes}`,
    );
  }
  if (!(frames.frames >= 0) || frames.logProbs.length !== frames.frames * frames.classes) {
    throw new HcrError(
      'BAD_MODEL',
      `ctc: expected ${frames.frames} x ${frames.classes} log-probabilities, got ${frames.logProbs.length}`,
    );
  }
}

/**
 * The best alignment of `text` (characters of `charset`, spaces included when the charset has
 * one) to the frames, and what it says of each character and word.
 *
 * @param top - classes listed per character
 * @throws HcrError BAD_OPTION when `text` holds a character outside the charset or needs more
 *   frames than there are (one per character, plus a blank between equal neighbours)
 * @example
 * alignCtc(frames, 'Hi there', LINE_CHARSET).characters[0]; // { label: 'H', firstFrame: 2, ... }
 */
export function alignCtc(frames: CtcFrames, text: string, charset: string, top = 3): CtcAlignment {
  const { logProbs, frames: T, classes: C } = frames;
  const labels: number[] = [];
  for (const ch of text) {
    const k = charset.indexOf(ch);
    if (k < 0) throw new HcrError('BAD_OPTION', `ctc: '${ch}' is not in the charset '${charset}'`);
    labels.push(k + 1);
  }
  const L = labels.length;
  if (L === 0) return { characters: [], words: [], bestPathLogProb: pathOfBlanks(frames) };
  const S = 2 * L + 1;
  const ext = (s: number) => (s % 2 === 0 ? CTC_BLANK : labels[(s - 1) >> 1]!);
  // Viterbi in log space, back-pointers as the step taken (0 stay, 1 from s-1, 2 from s-2).
  const back = new Uint8Array(T * S);
  let prev = new Float64Array(S).fill(-Infinity);
  let cur = new Float64Array(S);
  prev[0] = logProbs[0 * C + CTC_BLANK] ?? -Infinity;
  if (S > 1) prev[1] = logProbs[ext(1)] ?? -Infinity;
  for (let t = 1; t < T; t++) {
    for (let s = 0; s < S; s++) {
      let best = prev[s]!;
      let step = 0;
      if (s >= 1 && prev[s - 1]! > best) {
        best = prev[s - 1]!;
        step = 1;
      }
      if (s >= 2 && ext(s) !== CTC_BLANK && ext(s) !== ext(s - 2) && prev[s - 2]! > best) {
        best = prev[s - 2]!;
        step = 2;
      }
      cur[s] = best + logProbs[t * C + ext(s)]!;
      back[t * S + s] = step;
    }
    [prev, cur] = [cur, prev];
  }
  let s = S - 1;
  if (S >= 2 && prev[S - 2]! > prev[S - 1]!) s = S - 2;
  const bestPathLogProb = prev[s]!;
  if (!(bestPathLogProb > -Infinity)) {
    throw new HcrError('BAD_OPTION', `ctc: '${text}' needs more frames than the ${T} there are`);
  }
  const first = new Int32Array(L).fill(-1);
  const last = new Int32Array(L).fill(-1);
  for (let t = T - 1; t >= 0; t--) {
    if (s % 2 === 1) {
      const i = (s - 1) >> 1;
      first[i] = t;
      if (last[i] === -1) last[i] = t;
    }
    if (t > 0) s -= back[t * S + s]!;
  }
  const characters: CtcCharacter[] = [];
  const words: CtcWord[] = [];
  let spaceBefore = false;
  let wordStart = 0;
  let wordLog = 0;
  const closeWord = () => {
    const n = characters.length - wordStart;
    if (n > 0) {
      words.push({
        text: characters
          .slice(wordStart)
          .map((c) => c.label)
          .join(''),
        start: wordStart,
        end: characters.length,
        confidence: Math.exp(wordLog / n),
      });
    }
    wordStart = characters.length;
    wordLog = 0;
  };
  for (let i = 0; i < L; i++) {
    const label = charset[labels[i]! - 1]!;
    if (label === ' ') {
      closeWord();
      spaceBefore = characters.length > 0;
      continue;
    }
    let peak = first[i]!;
    for (let t = first[i]!; t <= last[i]!; t++) {
      if (logProbs[t * C + labels[i]!]! > logProbs[peak * C + labels[i]!]!) peak = t;
    }
    const logP = logProbs[peak * C + labels[i]!]!;
    wordLog += logP;
    characters.push({
      label,
      firstFrame: first[i]!,
      lastFrame: last[i]!,
      peakFrame: peak,
      probability: Math.exp(logP),
      top: rankFrame(logProbs.subarray(peak * C, (peak + 1) * C), charset, top),
      spaceBefore,
    });
    spaceBefore = false;
  }
  closeWord();
  return { characters, words, bestPathLogProb };
}

function pathOfBlanks(frames: CtcFrames): number {
  let sum = 0;
  for (let t = 0; t < frames.frames; t++) sum += frames.logProbs[t * frames.classes + CTC_BLANK]!;
  return sum;
}

/** The `top` most probable non-blank classes of one frame, their shares among non-blanks. */
function rankFrame(row: Float32Array, charset: string, top: number): CtcRankedClass[] {
  let rest = 0;
  for (let c = 1; c < row.length; c++) rest += Math.exp(row[c]!);
  const order = Array.from({ length: row.length - 1 }, (_, i) => i + 1)
    .sort((a, b) => row[b]! - row[a]!)
    .slice(0, top);
  return order.map((c) => ({
    label: charset[c - 1]!,
    probability: rest > 0 ? Math.exp(row[c]!) / rest : 0,
  }));
}
