// The words of a reading of the writing area's ink: the best prediction of the polyfill's reader
// (src/web/handwriting) cut into words, each with the strokes it was read from (its graphemes'
// segmentation), the other spellings the N best give it, and the writer's corrections, which are
// kept by the strokes a word was read from so that they survive the strokes written after it.

import type { HandwritingPrediction } from './handwriting/types.js';

/** One word of a reading. */
export interface InkWord {
  /** What the page shows: the writer's correction, else the best reading. */
  readonly text: string;
  /** The best reading, before any correction. */
  readonly read: string;
  /** Which line of the drawing it is on, from 0. */
  readonly line: number;
  /** The ids of the strokes it was read from (pad.ts stroke ids). */
  readonly strokeIds: readonly number[];
  /** Other spellings, most likely first (the writer's correction excluded). */
  readonly alternatives: readonly string[];
  /** True when the writer corrected it. */
  readonly corrected: boolean;
}

/** Most alternatives listed for a word. */
export const WORD_ALTERNATIVES = 5;

/** The key a correction is kept under: the strokes the word was read from. */
export function wordKey(strokeIds: readonly number[]): string {
  return [...strokeIds].sort((a, b) => a - b).join(',');
}

interface Span {
  readonly text: string;
  readonly begin: number;
  readonly end: number;
  readonly line: number;
}

function spans(text: string): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    const begin = m.index;
    out.push({
      text: m[0],
      begin,
      end: begin + m[0].length,
      line: text.slice(0, begin).split('\n').length - 1,
    });
  }
  return out;
}

/** The word with its first letter's case turned: a common correction the N best may lack. */
function otherCase(word: string): string {
  const first = word[0] ?? '';
  const turned = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase();
  return turned + word.slice(1);
}

/**
 * The words of the best of `predictions`, their alternatives from the others (the word at the
 * same place in a prediction with as many words), and the corrections that apply.
 *
 * @param ids - the stroke ids of the drawing read, in the order its strokes were given
 * @param corrections - corrected spellings by {@link wordKey}
 * @example
 * const words = inkWords(predictions, pad.ink.ids, corrections);
 * words.map((w) => w.text).join(' '); // 'hello world'
 */
export function inkWords(
  predictions: readonly HandwritingPrediction[],
  ids: readonly number[],
  corrections: ReadonlyMap<string, string> = new Map(),
): InkWord[] {
  const [best, ...others] = predictions;
  if (!best) return [];
  const words = spans(best.text);
  const otherWords = others.map((p) => spans(p.text)).filter((w) => w.length === words.length);
  return words.map((word, k) => {
    const strokes = new Set<number>();
    for (const g of best.segmentationResult) {
      if (g.beginIndex < word.begin || g.beginIndex >= word.end) continue;
      for (const d of g.drawingSegments) {
        const id = ids[d.strokeIndex];
        if (id !== undefined) strokes.add(id);
      }
    }
    const strokeIds = [...strokes].sort((a, b) => a - b);
    const correction = strokeIds.length > 0 ? corrections.get(wordKey(strokeIds)) : undefined;
    const text = correction ?? word.text;
    const seen = new Set([text]);
    const alternatives: string[] = [];
    for (const candidate of [
      ...(correction !== undefined ? [word.text] : []),
      ...otherWords.map((w) => w[k]!.text),
      otherCase(word.text),
    ]) {
      if (seen.has(candidate) || alternatives.length >= WORD_ALTERNATIVES) continue;
      seen.add(candidate);
      alternatives.push(candidate);
    }
    return {
      text,
      read: word.text,
      line: word.line,
      strokeIds,
      alternatives,
      corrected: correction !== undefined,
    };
  });
}

/**
 * The text the words make: each line's words joined by a space, lines by a newline.
 *
 * @example
 * inkText(words); // 'hello world\nsee you'
 */
export function inkText(words: readonly InkWord[]): string {
  const lines: string[][] = [];
  for (const w of words) (lines[w.line] ??= []).push(w.text);
  return lines
    .filter((l) => l !== undefined)
    .map((l) => l.join(' '))
    .join('\n');
}
