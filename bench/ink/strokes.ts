// bench:ink's drawings, in pad units: UNIPEN words placed on a line of the pad, and scribbled
// words for when the data is not there.

import type { UnipenWord } from '../../src/node/data/lines/unipen-words.js';

/** A stroke in pad units: x and y from 0 to 1 across the pad's box. */
export type PadStrokes = readonly (readonly (readonly [number, number])[])[];
/**
 * UNIPEN words placed on one line of the pad: `top` and `height` (pad units, of the pad's
 * height) for the words' 256 units, side by side with a gap of a third of the height, scaled
 * down if they do not fit across.
 */
export function placeWords(
  words: readonly Pick<UnipenWord, 'strokes' | 'width'>[],
  aspect: number,
  top: number,
  height: number,
): PadStrokes {
  const gap = 256 / 3;
  const total = words.reduce((w, word) => w + word.width, 0) + gap * (words.length - 1);
  // Pad units per UNIPEN unit, across (x is a share of the width) and down.
  const down = Math.min(height / 256, (0.9 * aspect) / Math.max(1, total));
  const across = down / aspect;
  const out: [number, number][][] = [];
  let x = 0.05 / across;
  for (const word of words) {
    for (const s of word.strokes) {
      const stroke: [number, number][] = [];
      for (let i = 0; i + 1 < s.length; i += 2) {
        stroke.push([(x + s[i]!) * across, top + s[i + 1]! * down]);
      }
      out.push(stroke);
    }
    x += word.width + gap;
  }
  return out;
}

/** Scribbled "words" (loops along a line) for the latency bench when no UNIPEN data is there. */
export function scribbleLines(lines: number, wordsPerLine: number, aspect: number): PadStrokes {
  const out: [number, number][][] = [];
  for (let l = 0; l < lines; l++) {
    const base = (l + 0.7) / (lines + 0.4);
    for (let w = 0; w < wordsPerLine; w++) {
      const left = 0.05 + (w * 0.9) / wordsPerLine;
      // Each word: three strokes of two loops.
      for (let s = 0; s < 3; s++) {
        const stroke: [number, number][] = [];
        for (let k = 0; k <= 24; k++) {
          const a = (k / 24) * 4 * Math.PI;
          const x = left + ((s * 0.9) / wordsPerLine / 3) * (1 + k / 24) * 0.9;
          stroke.push([
            x + (0.012 * Math.sin(a)) / aspect,
            base - 0.08 * (0.5 + 0.5 * Math.cos(a)),
          ]);
        }
        out.push(stroke);
      }
    }
  }
  return out;
}
