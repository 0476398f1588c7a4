// The polyfill's reading pipeline in Node, with fake models: lines found and read in order, the
// N best, textContext priming the language model, each grapheme's ink found back from the
// model's frames, and per-character reading by stroke groups.

import { describe, expect, it } from 'vitest';
import type { InkStroke } from '../../src/core/ink/types.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import type { LineImage } from '../../src/core/line/normalize-line.js';
import type { CharacterLanguageModel } from '../../src/core/read/ctc-decode.js';
import type { WordState } from '../../src/core/read/language-model.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import {
  lineReadingCache,
  primeLanguageModel,
  readInk,
  segmentLine,
  type InkModels,
} from '../../src/web/handwriting/read-ink.js';

const CLASSES = LINE_CHARSET.length + 1;
const cls = (ch: string): number => LINE_CHARSET.indexOf(ch) + 1;

/**
 * A line model that writes `text` evenly across the line's ink columns: each character's
 * class wins the frames of its share of the width, blanks between.
 */
function fakeLineModel(texts: string[]): InkModels['runLine'] {
  let call = 0;
  return async (line: LineImage) => {
    const text = texts[call++ % texts.length]!;
    const frames = Math.floor(line.width / 4);
    const logits = new Float32Array(frames * CLASSES);
    for (let t = 0; t < frames; t++) {
      const share = (t + 0.5) / frames;
      const k = Math.min(text.length - 1, Math.floor(share * text.length));
      const within = share * text.length - k;
      const winner = within > 0.25 && within < 0.75 ? cls(text[k]!) : 0;
      logits[t * CLASSES + winner] = 10;
    }
    return { logits, frames, classes: CLASSES };
  };
}

/** Horizontal strokes of one "character" each, 10 units wide, `gap` apart, at height y. */
function row(count: number, y: number, gap = 4): InkStroke[] {
  return Array.from({ length: count }, (_, i) => [
    { x: i * (10 + gap), y },
    { x: i * (10 + gap) + 5, y: y + 10 },
    { x: i * (10 + gap) + 10, y },
  ]);
}

describe('readInk (text)', () => {
  it('reads one line, mapping each grapheme back to its stroke', async () => {
    const strokes = row(3, 0);
    const [best, ...rest] = await readInk(
      strokes,
      { recognitionType: 'text', textContext: '', alternatives: 3 },
      { runLine: fakeLineModel(['abc']) },
    );
    expect(best!.text).toBe('abc');
    expect(rest.length).toBeLessThanOrEqual(2);
    expect(best!.segmentationResult.map((s) => [s.grapheme, s.beginIndex, s.endIndex])).toEqual([
      ['a', 0, 1],
      ['b', 1, 2],
      ['c', 2, 3],
    ]);
    best!.segmentationResult.forEach((s, i) => {
      expect(s.drawingSegments).toEqual([{ strokeIndex: i, beginPointIndex: 0, endPointIndex: 3 }]);
    });
  });

  it('reads lines top to bottom, joined by newlines, graphemes indexed in the whole text', async () => {
    const strokes = [...row(2, 100), ...row(2, 0)];
    const [best] = await readInk(
      strokes,
      { recognitionType: 'text', textContext: '', alternatives: 1 },
      { runLine: fakeLineModel(['up', 'lo']) },
    );
    expect(best!.text).toBe('up\nlo');
    const last = best!.segmentationResult.at(-1)!;
    expect(last).toMatchObject({ grapheme: 'o', beginIndex: 4, endIndex: 5 });
    expect(last.drawingSegments[0]!.strokeIndex).toBe(1);
  });

  it('gives nothing for a drawing without ink', async () => {
    const none = await readInk(
      [[]],
      { recognitionType: 'text', textContext: '', alternatives: 3 },
      { runLine: fakeLineModel(['x']) },
    );
    expect(none).toEqual([]);
  });
});

describe('primeLanguageModel', () => {
  const lm: CharacterLanguageModel & { started: string[] } = {
    started: [],
    wordStart: () => ({ word: '', logs: new Float64Array(0), contexts: [] }) as WordState,
    extend: (state, ch) => ({ state: { ...state, word: state.word + ch }, logProb: -1 }),
    end: () => 0,
  };

  it('starts the first word with the unfinished word of the context, later words fresh', () => {
    const primed = primeLanguageModel(lm, 'say hel');
    expect(primed.wordStart().word).toBe('hel');
    expect(primed.wordStart().word).toBe('');
    expect(primeLanguageModel(lm, 'say ')).toBe(lm);
    expect(primeLanguageModel(lm, '')).toBe(lm);
  });
});

describe('segmentLine', () => {
  it('splits a stroke into runs of points by the nearest grapheme', () => {
    const stroke: InkStroke = [0, 1, 2, 8, 9, 10].map((x) => ({ x, y: 0 }));
    expect(segmentLine([stroke], [0], [{ x: 1 }, { x: 9 }])).toEqual([
      [{ strokeIndex: 0, beginPointIndex: 0, endPointIndex: 3 }],
      [{ strokeIndex: 0, beginPointIndex: 3, endPointIndex: 6 }],
    ]);
  });
});

describe('readInk (per-character)', () => {
  it('reads each group of overlapping strokes as one character, spaces from wide gaps', async () => {
    // "+" (two crossing strokes), then a stroke, then far away another.
    const strokes: InkStroke[] = [
      [
        { x: 0, y: 5 },
        { x: 10, y: 5 },
      ],
      [
        { x: 5, y: 0 },
        { x: 5, y: 10 },
      ],
      [
        { x: 14, y: 0 },
        { x: 14, y: 10 },
      ],
      [
        { x: 40, y: 0 },
        { x: 40, y: 10 },
      ],
    ];
    const seen: number[] = [];
    const classes = ['A', 'B', 'C'];
    const models: InkModels = {
      runLine: fakeLineModel(['x']),
      glyphs: async () => ({
        classes,
        classify: async (pixels, count) => {
          seen.push(count);
          expect(pixels.length).toBe(count * IMAGE_PIXELS);
          // Group g reads as classes[g % 3] at 0.6, the next class at 0.3.
          const probs = new Float32Array(count * 3);
          for (let g = 0; g < count; g++) {
            probs[g * 3 + (g % 3)] = 0.6;
            probs[g * 3 + ((g + 1) % 3)] = 0.3;
            probs[g * 3 + ((g + 2) % 3)] = 0.1;
          }
          return probs;
        },
      }),
    };
    const predictions = await readInk(
      strokes,
      { recognitionType: 'per-character', textContext: '', alternatives: 2 },
      models,
    );
    expect(seen).toEqual([3]);
    expect(predictions.map((p) => p.text)).toEqual(['AB C', 'BB C']);
    expect(predictions[0]!.segmentationResult[0]).toEqual({
      grapheme: 'A',
      beginIndex: 0,
      endIndex: 1,
      drawingSegments: [
        { strokeIndex: 0, beginPointIndex: 0, endPointIndex: 2 },
        { strokeIndex: 1, beginPointIndex: 0, endPointIndex: 2 },
      ],
    });
    expect(predictions[0]!.segmentationResult[2]).toMatchObject({ grapheme: 'C', beginIndex: 3 });
  });
});

describe('readInk (lines read again)', () => {
  it('reads only the lines whose ink changed, with a line reading cache', async () => {
    const lines: number[] = [];
    const run = fakeLineModel(['ab']);
    const models: InkModels = {
      lineReadings: lineReadingCache(),
      runLine: (line) => {
        lines.push(line.width);
        return run(line);
      },
    };
    const hints = { recognitionType: 'text', textContext: '', alternatives: 2 } as const;
    const first = await readInk([...row(2, 0), ...row(2, 100)], hints, models);
    expect(lines).toHaveLength(2);
    // The same drawing again: nothing is read; one more stroke on the second line: that line.
    expect(await readInk([...row(2, 0), ...row(2, 100)], hints, models)).toEqual(first);
    expect(lines).toHaveLength(2);
    await readInk([...row(2, 0), ...row(3, 100)], hints, models);
    expect(lines).toHaveLength(3);
  });
});
