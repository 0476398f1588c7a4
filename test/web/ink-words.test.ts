// The writing area's ink in Node: the stroke history (undo, redo, erase, clear), palm rejection,
// the stroke under a tap, strokes as core's ink, and a reading's words with their strokes,
// alternatives and corrections.

import { describe, expect, it } from 'vitest';
import type { HandwritingPrediction } from '../../src/web/handwriting/types.js';
import {
  INK_UNITS,
  PALM,
  StrokeHistory,
  hitStroke,
  inkOf,
  isPalm,
  type PadStroke,
} from '../../src/web/ink-pad.js';
import { inkText, inkWords, wordKey } from '../../src/web/ink-words.js';

const stroke = (id: number, ...xy: [number, number][]): PadStroke => ({
  id,
  width: 0.02,
  points: xy.map(([x, y], i) => ({ x, y, t: 100 + 16 * i })),
});

describe('StrokeHistory', () => {
  it('undoes and redoes adding, erasing and clearing, one edit a step', () => {
    const h = new StrokeHistory();
    const ids = () => h.strokes.map((s) => s.id);
    h.add(stroke(h.newId(), [0, 0]));
    h.add(stroke(h.newId(), [1, 0]));
    h.add(stroke(h.newId(), [2, 0]));
    expect(ids()).toEqual([1, 2, 3]);
    expect(h.erase([2])).toBe(true);
    expect(h.erase([9])).toBe(false);
    expect(h.clear()).toBe(true);
    expect(ids()).toEqual([]);
    expect(h.undo()).toBe(true);
    expect(ids()).toEqual([1, 3]);
    expect(h.undo()).toBe(true);
    expect(ids()).toEqual([1, 2, 3]);
    expect(h.redo()).toBe(true);
    expect(ids()).toEqual([1, 3]);
    // A new edit forgets what could be redone.
    h.add(stroke(h.newId(), [3, 0]));
    expect(h.canRedo).toBe(false);
    expect(ids()).toEqual([1, 3, 4]);
    h.reset([stroke(7, [0, 0])]);
    expect(h.canUndo).toBe(false);
    expect(h.newId()).toBe(8);
  });
});

describe('palm rejection and erasing', () => {
  it('ignores touches while a pen is down, and large ones while a pen was near', () => {
    const touch = (width: number, timeStamp = 1000) => ({
      pointerType: 'touch',
      width,
      height: width,
      timeStamp,
    });
    expect(isPalm(touch(10), true, 1000)).toBe(true);
    expect(isPalm(touch(PALM.palmContact), false, 900)).toBe(true);
    expect(isPalm(touch(10), false, 900)).toBe(false); // a finger
    expect(isPalm(touch(60, 1000 + PALM.penNearMs), false, 0)).toBe(false); // no pen near
    expect(isPalm({ ...touch(60), pointerType: 'pen' }, true, 900)).toBe(false);
  });

  it('finds the newest stroke under a tap', () => {
    const strokes = [stroke(1, [0, 0.5], [1, 0.5]), stroke(2, [0.5, 0], [0.5, 1])];
    expect(hitStroke(strokes, { x: 0.5, y: 0.5, t: 0 }, 0.01)).toBe(2);
    expect(hitStroke(strokes, { x: 0.2, y: 0.51, t: 0 }, 0.01)).toBe(1);
    expect(hitStroke(strokes, { x: 0.2, y: 0.8, t: 0 }, 0.01)).toBeUndefined();
  });

  it('gives the strokes as ink: INK_UNITS a pad unit, time from the first point', () => {
    expect(inkOf([stroke(1, [0.1, 0.2], [0.3, 0.4])])).toEqual([
      [
        { x: 0.1 * INK_UNITS, y: 0.2 * INK_UNITS, t: 0 },
        { x: 0.3 * INK_UNITS, y: 0.4 * INK_UNITS, t: 16 },
      ],
    ]);
  });
});

/** A prediction whose each grapheme sits on the stroke of the same index in `strokeOf`. */
function prediction(text: string, strokeOf: number[]): HandwritingPrediction {
  let k = 0;
  return {
    text,
    segmentationResult: [...text]
      .map((grapheme, i) => ({ grapheme, i }))
      .filter(({ grapheme }) => /\S/.test(grapheme))
      .map(({ grapheme, i }) => ({
        grapheme,
        beginIndex: i,
        endIndex: i + 1,
        drawingSegments: [{ strokeIndex: strokeOf[k++]!, beginPointIndex: 0, endPointIndex: 1 }],
      })),
  };
}

describe('inkWords', () => {
  // "hi yo" on two lines: h i (strokes 0, 1) and y o (strokes 2, 3); ids 10-13.
  const ids = [10, 11, 12, 13];
  const best = prediction('hi\nyo', [0, 1, 2, 3]);
  const second = prediction('hi\nyou', [0, 1, 2, 3, 3]);
  const third = prediction('lo\nyo', [0, 1, 2, 3]);

  it('cuts the best reading into words with their strokes, lines and alternatives', () => {
    const words = inkWords([best, second, third], ids);
    expect(words.map((w) => [w.text, w.line, w.strokeIds])).toEqual([
      ['hi', 0, [10, 11]],
      ['yo', 1, [12, 13]],
    ]);
    expect(words[0]!.alternatives).toEqual(['lo', 'Hi']);
    expect(words[1]!.alternatives).toEqual(['you', 'Yo']);
    expect(inkText(words)).toBe('hi\nyo');
    expect(inkWords([], ids)).toEqual([]);
  });

  it('applies a correction to the word read from the same strokes, and offers the reading back', () => {
    const corrections = new Map([[wordKey([13, 12]), 'yes']]);
    const words = inkWords([best, second, third], ids, corrections);
    expect(words[1]).toMatchObject({ text: 'yes', read: 'yo', corrected: true });
    expect(words[1]!.alternatives[0]).toBe('yo');
    expect(inkText(words)).toBe('hi\nyes');
    // Strokes written after it do not undo it; other strokes under the word do.
    expect(inkWords([best], [10, 11, 12, 14], corrections)[1]!.text).toBe('yo');
  });
});
