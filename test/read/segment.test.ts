// Reading synthetic lines whose every box is known, with a template-matching classifier in
// place of a model: spaced lines, touching pairs, broken strokes, specks, two lines, a slanted
// line, spaces, polarity, and the bad inputs (blank, no characters, too many pixels).

import { describe, expect, it } from 'vitest';
import { HcrError } from '../../src/core/errors.js';
import { READ_DEFAULTS, resolveReadOptions } from '../../src/core/read/options.js';
import { chooseCharacters, readText } from '../../src/core/read/read.js';
import type { ReadResult } from '../../src/core/read/read.js';
import { segmentImage } from '../../src/core/read/segment.js';
import type { PixelBox } from '../../src/core/normalize.js';
import { drawPage, glyphWidth, iou, layout, templateClassifier } from './helpers.js';
import type { Placement } from './helpers.js';

const classifier = templateClassifier();

function boxesOf(result: ReadResult): PixelBox[] {
  return result.lines.flatMap((l) => l.characters.map((c) => c.box));
}

function expectBoxes(found: readonly PixelBox[], truth: readonly PixelBox[]): void {
  expect(found).toHaveLength(truth.length);
  truth.forEach((box, k) => expect(iou(found[k]!, box)).toBeGreaterThan(0.7));
}

describe('readText on synthetic lines', () => {
  it('reads a spaced line and finds every box', async () => {
    const page = drawPage(260, 90, layout('HLT47', 40, 14));
    const result = await readText(page.image, classifier);
    expect(result.status).toBe('ok');
    expect(result.text).toBe('HLT47');
    expect(result.inverted).toBe(true);
    expectBoxes(boxesOf(result), page.boxes);
    expect(result.lines[0]!.characters.every((c) => c.top.length === READ_DEFAULTS.top)).toBe(true);
  });

  it('classifies every candidate of the image in one batch', async () => {
    const before = classifier.calls;
    const page = drawPage(300, 160, [...layout('HL7', 40, 14), ...layout('A4X', 40, 14, 20, 95)]);
    const result = await readText(page.image, classifier);
    expect(classifier.calls - before).toBe(1);
    expect(result.candidates).toBeGreaterThanOrEqual(6);
  });

  it.each(['T7', 'TT', 'E7'])(
    'cuts the touching pair %s where the classifier is surest',
    async (pair) => {
      const page = drawPage(200, 90, layout(pair, 40, -2));
      const seg = segmentImage(page.image, resolveReadOptions());
      // The pair is one component, wider than a character: it had to be cut.
      expect(seg.lines[0]!.atoms.every((a) => a.parent === 0)).toBe(true);
      const result = await readText(page.image, classifier);
      expect(result.text).toBe(pair);
      expectBoxes(boxesOf(result), page.boxes);
    },
  );

  it('joins the pieces of a broken stroke into one character', async () => {
    // The stem of the T is broken below its bar; the middle bar of the E is detached.
    const placements = layout('TE1', 40, 14);
    const t = placements[0]!;
    const e = placements[1]!;
    const page = drawPage(260, 90, placements, {
      erase: [
        { x: t.x, y: t.y + 14, width: glyphWidth('T', 40), height: 4 },
        { x: e.x - 3, y: e.y + 14, width: 7, height: 6 },
        { x: e.x - 3, y: e.y + 22, width: 7, height: 6 },
      ],
    });
    const seg = segmentImage(page.image, resolveReadOptions());
    expect(seg.lines[0]!.atoms.length).toBeGreaterThan(3);
    const result = await readText(page.image, classifier);
    expect(result.text).toBe('TE1');
    expectBoxes(boxesOf(result), page.boxes);
  });

  it('drops specks and counts them', async () => {
    const page = drawPage(260, 100, layout('H4L', 40, 14), {
      specks: [
        [8, 8, 1],
        [200, 85, 1.5],
        [90, 10, 1],
        [62, 40, 1],
      ],
    });
    const result = await readText(page.image, classifier);
    expect(result.text).toBe('H4L');
    expect(result.specks).toBeGreaterThanOrEqual(3);
    expectBoxes(boxesOf(result), page.boxes);
  });

  it('reads two lines top to bottom', async () => {
    const page = drawPage(300, 160, [...layout('HL7', 40, 14), ...layout('A4X', 40, 14, 20, 95)]);
    const result = await readText(page.image, classifier);
    expect(result.text).toBe('HL7\nA4X');
    expect(result.lines.map((l) => l.text)).toEqual(['HL7', 'A4X']);
    expectBoxes(boxesOf(result), page.boxes);
  });

  it('separates two slanted lines', async () => {
    // Both lines rise 4 px per character (about 6 degrees), 20 px over the line: the first
    // one's start reaches below the second one's end, so a flat projection sees one band.
    const slope = (labels: string, y: number): Placement[] =>
      layout(labels, 36, 12).map((p, k) => ({ ...p, y: y - 4 * k }));
    const page = drawPage(300, 200, [...slope('HLTA7X', 100), ...slope('X4E1LT', 150)]);
    const result = await readText(page.image, classifier);
    expect(result.lines.map((l) => l.text)).toEqual(['HLTA7X', 'X4E1LT']);
    expect(result.slant).toBeGreaterThan(3);
    expect(result.slant).toBeLessThan(8);
  });

  it('puts a space at a wide gap and none at a narrow one', async () => {
    const page = drawPage(340, 90, layout('HL47A', 40, [8, 50, 16, 36]));
    const result = await readText(page.image, classifier);
    expect(result.text).toBe('HL 47 A');
    expect(result.lines[0]!.characters.map((c) => c.spaceBefore)).toEqual([
      false,
      false,
      true,
      false,
      true,
    ]);
    const tighter = await readText(page.image, classifier, { spaceGap: 2 });
    expect(tighter.text).toBe('HL47A');
  });

  it('reads light ink on dark paper the same way', async () => {
    const placements = layout('H4L', 40, 14);
    const dark = await readText(drawPage(260, 90, placements).image, classifier);
    const light = await readText(
      drawPage(260, 90, placements, { lightOnDark: true }).image,
      classifier,
    );
    expect(light.inverted).toBe(false);
    expect(light.text).toBe(dark.text);
    expect(boxesOf(light)).toEqual(boxesOf(dark));
  });
});

describe('readText on bad input', () => {
  it('gives empty text for a blank image, without calling the classifier', async () => {
    const before = classifier.calls;
    const blank = { width: 120, height: 60, data: new Uint8Array(120 * 60).fill(230) };
    const result = await readText(blank, classifier);
    expect(result).toMatchObject({ status: 'blank', text: '', lines: [], candidates: 0 });
    expect(classifier.calls).toBe(before);
  });

  it('says so when the ink has nothing shaped like a character', async () => {
    const page = drawPage(200, 80, [], {
      specks: [
        [20, 20, 2],
        [100, 40, 1.5],
        [160, 60, 2],
      ],
    });
    const result = await readText(page.image, classifier);
    expect(result.status).toBe('no-characters');
    expect(result.text).toBe('');
    expect(result.message).toMatch(/no character-like components: 3 piece\(s\) of ink.*8 px tall/);
  });

  it('refuses an image over the pixel limit, naming the limit', async () => {
    const page = drawPage(200, 90, layout('H', 40, 0));
    await expect(readText(page.image, classifier, { maxPixels: 10_000 })).rejects.toThrow(
      /200x90 = 18000 px exceeds the limit of 10000/,
    );
    await expect(readText(page.image, classifier, { maxPixels: 10_000 })).rejects.toBeInstanceOf(
      HcrError,
    );
  });

  it('refuses a classifier answer of the wrong shape', async () => {
    const page = drawPage(200, 90, layout('HL', 40, 14));
    const broken = { classes: ['A', 'B'], classify: () => new Float32Array(3) };
    await expect(readText(page.image, broken)).rejects.toThrow(
      /expected \d+ x 2 probabilities from the classifier, got 3/,
    );
  });

  it('rejects options out of range and pins the defaults', () => {
    expect(READ_DEFAULTS).toMatchObject({
      context: true,
      contextScope: 'lookalikes',
      top: 3,
      spaceGap: 0.6,
      inkThreshold: 0.25,
      minCharHeight: 8,
      speckSize: 0.3,
      maxSlant: 8,
      maxPixels: 40_000_000,
      polarity: 'auto',
    });
    expect(resolveReadOptions({ top: undefined }).top).toBe(3);
    expect(() => resolveReadOptions({ top: 0 })).toThrow(/expected top an integer >= 1, got 0/);
    expect(() => resolveReadOptions({ spaceGap: -1 })).toThrow(/spaceGap > 0, got -1/);
    expect(() => resolveReadOptions({ contextScope: 'some' as unknown as 'all' })).toThrow(
      /contextScope 'lookalikes' or 'all', got some/,
    );
    expect(() => resolveReadOptions({ maxSlant: 45 })).toThrow(/maxSlant in 0-30 degrees/);
  });

  it('chooseCharacters is the second half of readText', async () => {
    const page = drawPage(260, 90, layout('HLT47', 40, 14));
    const options = resolveReadOptions();
    const seg = segmentImage(page.image, options);
    const probs = classifier.classify(seg.images, seg.candidates.length);
    const split = chooseCharacters(seg, probs, classifier.classes, options);
    expect(split).toEqual(await readText(page.image, classifier));
  });
});
