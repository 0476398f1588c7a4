// CTC decoding (issue 21 §3): greedy and prefix beam search on hand-made frame tables, checked
// against brute-force enumeration of every path; the language model changing a reading; the
// charset, pattern and lexicon; the N best; the alignment's spans, top classes and word
// confidence; and the work bound under a hostile pattern.

import { describe, expect, it } from 'vitest';
import { parseLexicon, parsePattern } from '../../src/core/read/constraints.js';
import { alignCtc, ctcFramesFromLogits } from '../../src/core/read/ctc-align.js';
import type { CtcFrames } from '../../src/core/read/ctc-align.js';
import {
  CTC_DECODE_DEFAULTS,
  MAX_CTC_FRAMES,
  ctcBeamSearch,
  ctcGreedy,
} from '../../src/core/read/ctc-decode.js';
import { buildLanguageModel } from '../../src/core/read/language-model.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';

/**
 * Frames over `charset` (blank is `_`): each row gives some classes' probabilities; the rest of
 * the mass is shared by the other classes.
 */
function framesOf(charset: string, rows: readonly Record<string, number>[]): CtcFrames {
  const C = charset.length + 1;
  const names = ['_', ...charset];
  const logProbs = new Float32Array(rows.length * C);
  rows.forEach((row, t) => {
    const given = Object.values(row).reduce((a, b) => a + b, 0);
    const rest = names.filter((n) => !(n in row));
    names.forEach((n, c) => {
      const p = row[n] ?? Math.max(1e-6, (1 - given) / Math.max(1, rest.length));
      logProbs[t * C + c] = Math.log(p);
    });
  });
  return { logProbs, frames: rows.length, classes: C };
}

/** Every text's probability, summed over all paths (brute force: C^T paths). */
function bruteForce(frames: CtcFrames, charset: string): Map<string, number> {
  const { frames: T, classes: C, logProbs } = frames;
  const out = new Map<string, number>();
  const path = new Array<number>(T).fill(0);
  const walk = (t: number, logP: number) => {
    if (t === T) {
      let text = '';
      let prev = 0;
      for (const c of path) {
        if (c !== 0 && c !== prev) text += charset[c - 1];
        prev = c;
      }
      out.set(text, (out.get(text) ?? 0) + Math.exp(logP));
      return;
    }
    for (let c = 0; c < C; c++) {
      path[t] = c;
      walk(t + 1, logP + logProbs[t * C + c]!);
    }
  };
  walk(0, 0);
  return out;
}

describe('CTC greedy decoding', () => {
  it('merges repeats, drops blanks and keeps a blank-separated double letter', () => {
    const frames = framesOf('ab', [{ a: 0.9 }, { a: 0.9 }, { _: 0.9 }, { a: 0.8 }, { b: 0.7 }]);
    const reading = ctcGreedy(frames, { charset: 'ab' });
    expect(reading.text).toBe('aab');
    expect(reading.characters.map((c) => [c.label, c.firstFrame, c.lastFrame])).toEqual([
      ['a', 0, 1],
      ['a', 3, 3],
      ['b', 4, 4],
    ]);
    expect(reading.ctcLogProb).toBeCloseTo(Math.log(0.9 ** 3 * 0.8 * 0.7), 5);
  });

  it('refuses frames that do not fit the charset, and too many frames', () => {
    const frames = framesOf('ab', [{ a: 1 }]);
    expect(() => ctcGreedy(frames, { charset: 'abc' })).toThrow(/expected 4 classes .* got 3/);
    const long = {
      logProbs: new Float32Array((MAX_CTC_FRAMES + 1) * 3),
      frames: MAX_CTC_FRAMES + 1,
      classes: 3,
    };
    expect(() => ctcGreedy(long, { charset: 'ab' })).toThrow(/at most 1024 frames/);
  });

  it('takes raw logits through a log-softmax', () => {
    const frames = ctcFramesFromLogits([0, Math.log(3), 0, 5, 0, 0], 2, 3);
    expect(Math.exp(frames.logProbs[1]!)).toBeCloseTo(0.6, 5);
    expect(ctcGreedy(frames, { charset: 'ab' }).text).toBe('a');
    expect(() => ctcFramesFromLogits([1, 2], 2, 3)).toThrow(
      /expected 2 frames x 3 classes = 6 logits, got 2/,
    );
  });
});

describe('CTC prefix beam search', () => {
  it('sums the paths of a text, so it can disagree with the best path', () => {
    // Best path: blank, blank (''); but 'a' has three paths worth 0.4025 against 0.16.
    const frames = framesOf('ab', [
      { _: 0.4, a: 0.35, b: 0.25 },
      { _: 0.4, a: 0.35, b: 0.25 },
    ]);
    expect(ctcGreedy(frames, { charset: 'ab' }).text).toBe('');
    const [best] = ctcBeamSearch(frames, { charset: 'ab' });
    expect(best!.text).toBe('a');
    expect(Math.exp(best!.ctcLogProb)).toBeCloseTo(0.4025, 5);
  });

  it('agrees with greedy on confident frames', () => {
    const frames = framesOf('ab ', [
      { a: 0.95 },
      { _: 0.95 },
      { ' ': 0.9 },
      { b: 0.9 },
      { _: 0.9 },
    ]);
    expect(ctcGreedy(frames, { charset: 'ab ' }).text).toBe('a b');
    expect(ctcBeamSearch(frames, { charset: 'ab ' })[0]!.text).toBe('a b');
  });

  it('finds the most probable text of every path, as brute force does', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 20; trial++) {
      const rows = Array.from({ length: 5 }, () => {
        const w = [rand(), rand(), rand()];
        const s = w[0]! + w[1]! + w[2]!;
        return { _: w[0]! / s, a: w[1]! / s, b: w[2]! / s };
      });
      const frames = framesOf('ab', rows);
      const all = [...bruteForce(frames, 'ab')].sort((x, y) => y[1] - x[1]);
      const readings = ctcBeamSearch(frames, {
        charset: 'ab',
        beamWidth: 64,
        alternatives: 3,
        insertionBonus: 0,
      });
      expect(readings.map((r) => r.text)).toEqual(all.slice(0, 3).map(([t]) => t));
      readings.forEach((r, i) => expect(Math.exp(r.ctcLogProb)).toBeCloseTo(all[i]![1], 5));
    }
  });

  it('lets the language model change a doubtful letter, in proportion to its weight', () => {
    const lm = buildLanguageModel({
      words: [
        ['THE', 1000],
        ['THEN', 200],
      ],
      codes: 100,
      minCount: 1,
    });
    const charset = 'cehnt';
    const frames = framesOf(charset, [
      { t: 0.9 },
      { _: 0.9 },
      { h: 0.9 },
      { _: 0.9 },
      { c: 0.5, e: 0.4 },
    ]);
    expect(ctcBeamSearch(frames, { charset })[0]!.text).toBe('thc');
    const [withLm] = ctcBeamSearch(frames, { charset, languageModel: lm, lmWeight: 1 });
    expect(withLm!.text).toBe('the');
    expect(withLm!.lmLogProb).toBeCloseTo(lm.scoreWord('the'), 5);
    expect(withLm!.score).toBeCloseTo(
      withLm!.ctcLogProb + withLm!.lmLogProb + 3 * CTC_DECODE_DEFAULTS.insertionBonus,
      5,
    );
    // A faint weight leaves the frames' reading.
    expect(ctcBeamSearch(frames, { charset, languageModel: lm, lmWeight: 0.01 })[0]!.text).toBe(
      'thc',
    );
  });

  it('scores each word whole at a space', () => {
    const lm = buildLanguageModel({
      words: [
        ['AB', 1000],
        ['C', 500],
      ],
      codes: 100,
      minCount: 1,
    });
    const charset = 'abc ';
    const frames = framesOf(charset, [{ a: 0.9 }, { b: 0.9 }, { ' ': 0.9 }, { c: 0.9 }]);
    const [best] = ctcBeamSearch(frames, { charset, languageModel: lm, lmWeight: 1 });
    expect(best!.text).toBe('ab c');
    expect(best!.lmLogProb).toBeCloseTo(lm.scoreWord('ab') + lm.scoreWord('c'), 5);
    expect(best!.words.map((w) => w.text)).toEqual(['ab', 'c']);
    expect(best!.characters.map((c) => c.spaceBefore)).toEqual([false, false, true]);
  });

  it('keeps to the charset', () => {
    const frames = framesOf(LINE_CHARSET, [{ O: 0.7, '0': 0.2 }, { _: 0.9 }, { '1': 0.9 }]);
    expect(ctcBeamSearch(frames)[0]!.text).toBe('O1');
    const digits = new Set('0123456789');
    expect(ctcBeamSearch(frames, { allowed: digits })[0]!.text).toBe('01');
  });

  it('keeps to a pattern, its spaces written or not, and gives nothing when none fits', () => {
    const pattern = parsePattern('AA 99');
    const rows: Record<string, number>[] = [
      { A: 0.9 },
      { B: 0.5, '8': 0.4 },
      { _: 0.9 },
      { '1': 0.6, l: 0.3 },
      { '2': 0.9 },
    ];
    const frames = framesOf(LINE_CHARSET, rows);
    expect(ctcBeamSearch(frames)[0]!.text).toBe('AB12');
    expect(ctcBeamSearch(frames, { pattern })[0]!.text).toBe('AB12');
    const spaced = framesOf(LINE_CHARSET, [
      { A: 0.9 },
      { '8': 0.6, B: 0.3 },
      { ' ': 0.9 },
      { l: 0.6, '1': 0.3 },
      { '2': 0.9 },
    ]);
    expect(ctcBeamSearch(spaced)[0]!.text).toBe('A8 l2');
    expect(ctcBeamSearch(spaced, { pattern })[0]!.text).toBe('AB 12');
    expect(ctcBeamSearch(frames, { pattern: parsePattern('999999999') })).toEqual([]);
  });

  it('reads a lexicon entry, whatever its case and spaces', () => {
    const lexicon = parseLexicon('cat\ndog\nNew York', [...LINE_CHARSET]);
    const frames = framesOf(LINE_CHARSET, [{ c: 0.9 }, { o: 0.6, a: 0.3 }, { t: 0.9 }]);
    expect(ctcBeamSearch(frames)[0]!.text).toBe('cot');
    const [match] = ctcBeamSearch(frames, { lexicon });
    expect(match!.text).toBe('cat');
    expect(match!.entry).toBe(0);
    const ny = framesOf(
      LINE_CHARSET,
      [...'NEWYORK'].map((ch) => ({ [ch]: 0.6, [ch.toLowerCase()]: 0.3 })),
    );
    const [city] = ctcBeamSearch(ny, { lexicon });
    expect(city!.entry).toBe(2);
    expect(city!.text).toBe('NEWYORK');
  });

  it('returns the N best distinct readings, best first, with their shares', () => {
    const frames = framesOf('abc', [{ a: 0.5, b: 0.3, c: 0.15 }, { _: 0.95 }]);
    const readings = ctcBeamSearch(frames, { charset: 'abc', alternatives: 3 });
    expect(readings.map((r) => r.text)).toEqual(['a', 'b', 'c']);
    for (let i = 1; i < readings.length; i++) {
      expect(readings[i]!.score).toBeLessThan(readings[i - 1]!.score);
    }
    expect(readings.reduce((s, r) => s + r.probability, 0)).toBeCloseTo(1, 6);
    expect(readings[0]!.probability).toBeGreaterThan(readings[1]!.probability);
  });

  it('bounds the work of a long line under a hostile pattern', () => {
    const pattern = parsePattern('\\w{1,8} \\w{1,8}\\d{50}');
    const C = LINE_CHARSET.length + 1;
    let seed = 3;
    const logits = Float32Array.from(
      { length: 512 * C },
      () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 4,
    );
    const frames = ctcFramesFromLogits(logits, 512, C);
    const start = performance.now();
    ctcBeamSearch(frames, { pattern, beamWidth: CTC_DECODE_DEFAULTS.beamWidth });
    expect(performance.now() - start).toBeLessThan(5000);
    expect(() => ctcBeamSearch(frames, { beamWidth: 5000 })).toThrow(
      /beamWidth an integer 1-1000, got 5000/,
    );
  });

  it('defaults', () => {
    expect(CTC_DECODE_DEFAULTS).toMatchObject({
      charset: LINE_CHARSET,
      lmWeight: 0.65,
      insertionBonus: 2,
      beamWidth: 16,
      alternatives: 1,
      top: 3,
      classesPerFrame: 8,
    });
  });
});

describe('CTC alignment', () => {
  it('gives each character its frames, its top classes and each word its confidence', () => {
    const frames = framesOf('abc ', [
      { _: 0.9 },
      { a: 0.6, c: 0.3 },
      { a: 0.9 },
      { _: 0.9 },
      { ' ': 0.8 },
      { b: 0.8 },
      { _: 0.5, b: 0.4 },
      { b: 0.9 },
    ]);
    const { characters, words } = alignCtc(frames, 'a bb', 'abc ', 2);
    expect(characters.map((c) => [c.label, c.firstFrame, c.lastFrame, c.peakFrame])).toEqual([
      ['a', 1, 2, 2],
      ['b', 5, 5, 5],
      ['b', 7, 7, 7],
    ]);
    expect(characters[0]!.probability).toBeCloseTo(0.9, 5);
    const top = alignCtc(frames, 'a bb', 'abc ', 2).characters[0]!.top;
    expect(top[0]!.label).toBe('a');
    expect(top.length).toBe(2);
    expect(words.map((w) => [w.text, w.start, w.end])).toEqual([
      ['a', 0, 1],
      ['bb', 1, 3],
    ]);
    expect(words[1]!.confidence).toBeCloseTo(Math.sqrt(0.8 * 0.9), 5);
    expect(() => alignCtc(frames, 'aaaaa', 'abc ')).toThrow(/needs more frames than the 8/);
    expect(() => alignCtc(frames, 'x', 'abc ')).toThrow(/'x' is not in the charset/);
  });
});
