import { describe, expect, it } from 'vitest';
import {
  LOWER_AFTER_CAPITALS,
  UPPER_AFTER_LOWER,
  applyShapeFit,
  caseCost,
  caseMergedReading,
  hasBothCases,
  letterShape,
  measureLine,
  shapeFit,
} from '../../src/core/read/case.js';
import { decodeLine } from '../../src/core/read/decode.js';
import { readText, type Classifier } from '../../src/core/read/read.js';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { drawPage, glyphWidth, templateClassifier, type Placement } from './helpers.js';

const CLASSES = ['A', 'E', 'H', 'L', 'T', 'X', 'O', 'x', 'o', 'n', 'p', 'P'];
const row = (probs: Record<string, number>) => CLASSES.map((c) => probs[c] ?? 0);
const box = (x: number, top: number, bottom: number) => ({
  x,
  y: top,
  width: 20,
  height: bottom - top + 1,
});

describe('the shapes of letters on a line', () => {
  it('knows which letters are short, tall, and which descend', () => {
    expect(letterShape('o')).toEqual({ top: 'short', foot: 'sits' });
    expect(letterShape('O')).toEqual({ top: 'tall', foot: 'sits' });
    expect(letterShape('p')).toEqual({ top: 'short', foot: 'descends' });
    expect(letterShape('h')).toEqual({ top: 'tall', foot: 'sits' });
    expect(letterShape('7')).toEqual({ top: 'tall', foot: 'sits' });
    expect(hasBothCases(LABEL_SETS.byclass62.classes)).toBe(true);
    expect(hasBothCases(LABEL_SETS.alnum36.classes)).toBe(false);
  });
});

describe('measureLine', () => {
  // Baseline at y = 100; capitals 40 tall, x-height 24.
  const line = [
    { box: box(0, 61, 100), probabilities: row({ H: 1 }) },
    { box: box(30, 77, 100), probabilities: row({ n: 1 }) },
    { box: box(60, 77, 100), probabilities: row({ o: 0.5, O: 0.5 }) },
    { box: box(90, 77, 110), probabilities: row({ p: 0.5, P: 0.5 }) },
    { box: box(120, 61, 100), probabilities: row({ E: 0.9, x: 0.1 }) },
  ];

  it('fits the baseline, the x-height and the cap height from the characters it is sure of', () => {
    const guides = measureLine(line, CLASSES)!;
    expect(guides.baseline.at).toBeCloseTo(100, 5);
    expect(guides.baseline.slope).toBeCloseTo(0, 5);
    expect(guides.capHeight).toBeCloseTo(40, 5);
    expect(guides.xHeight).toBeCloseTo(24, 5);
  });

  it('follows a sloping baseline, and guesses the x-height from capitals alone', () => {
    const sloped = [0, 1, 2, 3].map((k) => ({
      box: box(k * 40, 61 + k * 4, 100 + k * 4),
      probabilities: row({ H: 1 }),
    }));
    const guides = measureLine(sloped, CLASSES)!;
    expect(guides.baseline.slope).toBeCloseTo(0.1, 5);
    expect(guides.capHeight).toBeCloseTo(40, 5);
    expect(guides.xHeight).toBeCloseTo(24, 5); // X_HEIGHT_RATIO 0.6
  });

  it('cannot tell from letters whose two cases look the same', () => {
    expect(measureLine(line.slice(2, 4), CLASSES)).toBeUndefined();
  });

  it('scores an x-high box as lowercase, a cap-high one as a capital, a descending one as p', () => {
    const guides = measureLine(line, CLASSES)!;
    const at = (fit: Float64Array, c: string) => fit[CLASSES.indexOf(c)]!;
    const small = shapeFit(box(60, 77, 100), guides, CLASSES);
    expect(at(small, 'o')).toBeGreaterThan(0.9);
    expect(at(small, 'O')).toBeLessThan(0.05);
    const big = shapeFit(box(60, 61, 100), guides, CLASSES);
    expect(at(big, 'O')).toBeGreaterThan(0.9);
    expect(at(big, 'o')).toBeLessThan(0.05);
    const descends = shapeFit(box(90, 77, 110), guides, CLASSES);
    expect(at(descends, 'p')).toBeGreaterThan(0.9);
    expect(at(descends, 'P')).toBeLessThan(0.05);

    const probs = Float32Array.from([...row({ O: 0.6, o: 0.4 }), ...row({ O: 0.6, o: 0.4 })]);
    const adjusted = applyShapeFit(probs, CLASSES, [{ row: 1, box: box(60, 77, 100) }], guides, 1);
    expect(adjusted[CLASSES.length + CLASSES.indexOf('o')]).toBeGreaterThan(0.9);
    expect(adjusted[CLASSES.indexOf('O')]).toBeCloseTo(0.6, 6); // row 0 untouched
  });
});

describe('caseMergedReading', () => {
  it('sums the two cases of c k m o p s u v w x y z, and leaves other classes alone', () => {
    const classes = LABEL_SETS.byclass62.classes;
    const probs = new Float32Array(classes.length);
    probs[classes.indexOf('a')] = 0.4;
    probs[classes.indexOf('o')] = 0.35;
    probs[classes.indexOf('O')] = 0.25;
    expect(caseMergedReading(probs, classes)).toEqual({
      classes: ['o', 'O'],
      probability: expect.closeTo(0.6, 6) as number,
    });
    probs[classes.indexOf('a')] = 0.7;
    expect(caseMergedReading(probs, classes)?.classes).toEqual(['a']);
    expect(caseMergedReading(probs.subarray(0, 36), LABEL_SETS.alnum36.classes)).toBeUndefined();
  });
});

describe('the case model of a word', () => {
  it('lets words be lowercase, Capitalized or in capitals, and charges the rest', () => {
    expect(caseCost('', 'H')).toBe(0);
    expect(caseCost('H', 'e')).toBe(0);
    expect(caseCost('he', 'l')).toBe(0);
    expect(caseCost('HE', 'L')).toBe(0);
    expect(caseCost('he', 'L')).toBe(UPPER_AFTER_LOWER);
    expect(caseCost('HE', 'l')).toBe(LOWER_AFTER_CAPITALS);
    expect(caseCost('AB1', '2')).toBe(0);
  });

  it('moves the search from heLLO to hello when the glyphs cannot tell', () => {
    const classes = ['h', 'e', 'l', 'L', 'o', 'O'];
    const probs = Float32Array.from([
      ...[1, 0, 0, 0, 0, 0],
      ...[0, 1, 0, 0, 0, 0],
      ...[0, 0, 0.45, 0.55, 0, 0],
      ...[0, 0, 0.45, 0.55, 0, 0],
      ...[0, 0, 0, 0, 0.45, 0.55],
    ]);
    const line = {
      atoms: 5,
      candidates: [0, 1, 2, 3, 4].map((k) => ({ first: k, last: k, penalty: 0, row: k })),
      wordBreaks: [],
    };
    const settings = {
      probs,
      classes,
      lmWeight: 0,
      beamWidth: 8,
      classesPerCandidate: 6,
      nBest: 1,
    };
    expect(decodeLine(line, settings)[0]!.text).toBe('heLLO');
    expect(decodeLine(line, { ...settings, caseWeight: 1 })[0]!.text).toBe('hello');
  });
});

describe('reading case from the line', () => {
  // The template classifier's ring and cross, each split between its cases (the capital a
  // little ahead, as a classifier trained on more capitals would be): only the line can tell.
  function caseClassifier(): Classifier {
    const inner = templateClassifier();
    const classes = ['H', 'L', 'T', 'E', 'O', 'o', 'X', 'x'];
    const split: Record<string, Record<string, number>> = {
      H: { H: 1 },
      L: { L: 1 },
      T: { T: 1 },
      E: { E: 1 },
      O: { O: 0.55, o: 0.45 },
      '0': { O: 0.55, o: 0.45 },
      X: { X: 0.55, x: 0.45 },
    };
    return {
      classes,
      classify(images, count) {
        const p = inner.classify(images, count);
        const n = inner.classes.length;
        const out = new Float32Array(count * classes.length);
        for (let i = 0; i < count; i++) {
          inner.classes.forEach((c, k) => {
            for (const [to, share] of Object.entries(split[c] ?? {})) {
              const at = i * classes.length + classes.indexOf(to);
              out[at] = out[at]! + share * p[i * n + k]!;
            }
          });
        }
        return out;
      },
    };
  }
  const word = (glyphs: string, small: string): Placement[] => {
    let x = 20;
    return [...glyphs].map((label, k) => {
      const height = small[k] === 's' ? 24 : 40;
      const placement = { label, x, y: 80 - height, height };
      x += glyphWidth(label, height) + 10;
      return placement;
    });
  };

  it('reads the small ring and cross of a Capitalized word as lowercase', async () => {
    const { image } = drawPage(260, 110, word('HOXO', 'tsss'));
    const classifier = caseClassifier();
    const on = await readText(image, classifier);
    expect(on.text).toBe('Hoxo');
    expect(on.lines[0]!.characters[1]!.changedBy).toBe('case');
    expect(on.lines[0]!.guides?.capHeight).toBeGreaterThan(35);
    const off = await readText(image, classifier, { caseWeight: 0 });
    expect(off.text).toBe('HOXO');
  });

  it('keeps the capitals of a word in capitals', async () => {
    const { image } = drawPage(260, 110, word('HOXO', 'tttt'));
    expect((await readText(image, caseClassifier())).text).toBe('HOXO');
  });
});
