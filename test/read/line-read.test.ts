// Reading with a line model (issue 21 §4) on synthetic pages, with a stub line model that
// writes each line's expected text at the frames of its ink's column runs (so the alignment,
// hence the boxes, are known): lines found as the glyph reader finds them, character boxes
// from the alignment, words with confidence, the constraints, the language model, and the
// errors of a recognizer that returns the wrong shape.

import { describe, expect, it } from 'vitest';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { LINE_FRAME_STRIDE } from '../../src/core/line/architectures.js';
import type { LineImage } from '../../src/core/line/normalize-line.js';
import { buildLanguageModel } from '../../src/core/read/language-model.js';
import { buildLineLanguageModel } from '../../src/core/read/line-language-model.js';
import { readTextByLines, type LineRecognizer } from '../../src/core/read/line-read.js';
import { CTC_DECODE_DEFAULTS } from '../../src/core/read/ctc-decode.js';
import { READ_DEFAULTS, resolveReadOptions } from '../../src/core/read/options.js';
import { segmentLines } from '../../src/core/read/segment-lines.js';
import { drawPage, layout } from './helpers.js';

/** Column runs of ink in a normalized line: [first, last] columns. */
function inkRuns(line: LineImage): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let x = 0; x <= line.width; x++) {
    let ink = false;
    if (x < line.width)
      for (let y = 0; y < line.height; y++) ink ||= line.data[y * line.width + x]! > 40;
    if (ink && start < 0) start = x;
    if (!ink && start >= 0) {
      runs.push([start, x - 1]);
      start = -1;
    }
  }
  return runs;
}

/**
 * A line model that writes `texts[i]` on the i-th line it sees: each non-space character at the
 * frame of the centre of the next run of ink (probability `sure`, its `doubt` beside it), a
 * space in the widest gaps, blanks elsewhere.
 */
function stubRecognizer(
  texts: readonly string[],
  doubt: Readonly<Record<string, string>> = {},
  sure = 0.9,
): LineRecognizer & { calls: number } {
  const C = LINE_CHARSET.length + 1;
  const stub = {
    charset: LINE_CHARSET,
    frameStride: LINE_FRAME_STRIDE,
    calls: 0,
    recognize(line: LineImage): Float32Array {
      const text = texts[stub.calls++] ?? '';
      const T = Math.floor(line.width / LINE_FRAME_STRIDE);
      const probs = Array.from({ length: T }, () => {
        const row = new Float64Array(C).fill(0.001);
        row[0] = 1;
        return row;
      });
      const runs = inkRuns(line);
      const chars = [...text];
      let run = 0;
      chars.forEach((ch, i) => {
        if (ch === ' ') {
          const gapFrame = Math.floor((runs[run - 1]![1] + runs[run]![0]) / 2 / LINE_FRAME_STRIDE);
          probs[gapFrame]![0] = 0.05;
          probs[gapFrame]![1] = sure;
          return;
        }
        const [a, b] = runs[run++]!;
        const t = Math.min(T - 1, Math.floor((a + b) / 2 / LINE_FRAME_STRIDE));
        probs[t]![0] = Math.max(0.001, (1 - sure) / 2);
        probs[t]![LINE_CHARSET.indexOf(ch) + 1] = sure;
        const other = doubt[ch];
        if (other) probs[t]![LINE_CHARSET.indexOf(other) + 1] = 1 - sure;
        void i;
      });
      const logits = new Float32Array(T * C);
      probs.forEach((row, t) => row.forEach((p, c) => (logits[t * C + c] = Math.log(p))));
      return logits;
    },
  };
  return stub;
}

describe('reading with a line model', () => {
  const hello = layout('HELLO', 40, 10, 20, 20);
  const second = layout('TE', 40, 10, 20, 100);
  const a = layout('A', 40, 0, second.at(-1)!.x + 80, 100);
  const page = drawPage(400, 170, [...hello, ...second, ...a]);

  it('reads each line whole, with character boxes from the alignment and words with confidence', async () => {
    const stub = stubRecognizer(['HELLO', 'TE A']);
    const result = await readTextByLines(page.image, stub, { context: false });
    expect(result.status).toBe('ok');
    expect(result.reader).toBe('line');
    expect(result.decoder).toBe('none');
    expect(result.text).toBe('HELLO\nTE A');
    expect(result.rawText).toBe('HELLO\nTE A');
    expect(stub.calls).toBe(2);
    const [first, last] = result.lines;
    expect(first!.characters.map((c) => c.label).join('')).toBe('HELLO');
    // Each box is the drawn glyph's, within a few pixels.
    first!.characters.forEach((c, k) => {
      const drawn = page.boxes[k]!;
      expect(Math.abs(c.box.x - drawn.x)).toBeLessThanOrEqual(3);
      expect(Math.abs(c.box.x + c.box.width - (drawn.x + drawn.width))).toBeLessThanOrEqual(3);
      expect(Math.abs(c.box.y - drawn.y)).toBeLessThanOrEqual(3);
      expect(c.top[0]!.label).toBe(c.label);
      expect(c.raw).toBe(c.label);
    });
    expect(last!.characters.map((c) => c.spaceBefore)).toEqual([false, false, true]);
    expect(last!.words!.map((w) => w.text)).toEqual(['TE', 'A']);
    for (const w of last!.words!) {
      expect(w.confidence).toBeGreaterThan(0.8);
      expect(w.confidence).toBeLessThanOrEqual(1);
    }
    expect(last!.words![1]!.box.x).toBeGreaterThan(
      last!.words![0]!.box.x + last!.words![0]!.box.width,
    );
  });

  it('decodes with the line reader’s language model, and says what it changed', async () => {
    const line = buildLineLanguageModel({
      words: [
        ['hello', 1000],
        ['tea', 50],
      ],
      codes: 100,
      minCount: 1,
    });
    const languageModel = buildLanguageModel({
      words: [['HELLO', 10]],
      codes: 100,
      minCount: 1,
      line,
    });
    const doubtful = stubRecognizer(['HELL0', 'TE A'], { '0': 'O' }, 0.55);
    const plain = await readTextByLines(page.image, doubtful, { context: false });
    expect(plain.lines[0]!.text).toBe('HELL0');
    const withLm = await readTextByLines(
      page.image,
      stubRecognizer(['HELL0', 'TE A'], { '0': 'O' }, 0.55),
      {
        languageModel,
        lmWeight: 1,
      },
    );
    expect(withLm.decoder).toBe('language-model');
    expect(withLm.lines[0]!.text).toBe('HELLO');
    expect(withLm.lines[0]!.rawText).toBe('HELL0');
    const o = withLm.lines[0]!.characters[4]!;
    expect(o).toMatchObject({ label: 'O', raw: '0', changedBy: 'language-model' });
    expect(o.alternatives).toContain('0');
    expect(typeof o.languageModel).toBe('number');
  });

  it('keeps to a charset, a pattern and a lexicon, and gives the N best', async () => {
    const digits = await readTextByLines(
      page.image,
      stubRecognizer(['HELLO', 'TE A'], { O: '0' }, 0.6),
      {
        charset: 'digits',
        context: false,
      },
    );
    expect(digits.lines[0]!.text).toMatch(/^[0-9]+$/);
    expect(digits.lines[0]!.characters.find((c) => c.raw === 'O')).toMatchObject({
      label: '0',
      changedBy: 'charset',
    });
    const lexicon = await readTextByLines(page.image, stubRecognizer(['HELLO', 'TE A']), {
      lexicon: 'HELL\nYELLOW\nTEA',
      context: false,
    });
    expect(lexicon.lines[1]!.text).toBe('TEA');
    expect(lexicon.lines[1]!.lexicon).toMatchObject({ entry: 'TEA', reading: 'TE A', distance: 0 });
    expect(lexicon.lines[0]!.lexicon).toMatchObject({ reading: 'HELLO' });
    const pattern = await readTextByLines(page.image, stubRecognizer(['HELLO', 'TE A'], {}, 0.99), {
      pattern: 'AA A',
      context: false,
    });
    expect(pattern.lines[1]!.patternMatched).toBe(true);
    expect(pattern.lines[0]!.patternMatched).toBe(false);
    expect(pattern.lines[0]!.text).toBe('HELLO');
    const n = await readTextByLines(
      page.image,
      stubRecognizer(['HELLO', 'TE A'], { O: '0' }, 0.6),
      {
        alternatives: 3,
        context: false,
      },
    );
    const alts = n.lines[0]!.alternatives!;
    expect(alts.map((x) => x.text).slice(0, 2)).toEqual(['HELLO', 'HELL0']);
    expect(alts[0]!.probability).toBeGreaterThan(alts[1]!.probability);
  });

  it("decodes with the line reader's own default weight unless one is given", async () => {
    const line = buildLineLanguageModel({ words: [['hello', 1000]], codes: 100, minCount: 1 });
    const languageModel = buildLanguageModel({
      words: [['HELLO', 10]],
      codes: 100,
      minCount: 1,
      line,
    });
    expect(READ_DEFAULTS.insertionBonus).toBe(CTC_DECODE_DEFAULTS.insertionBonus);
    const given = await readTextByLines(
      page.image,
      stubRecognizer(['HELL0', 'TE A'], { '0': 'O' }, 0.55),
      {
        languageModel,
        lmWeight: 0,
      },
    );
    expect(given.lines[0]!.text).toBe('HELL0');
    expect(() => resolveReadOptions({ insertionBonus: -1 })).toThrow(
      /insertionBonus in 0-10, got -1/,
    );
  });

  it('says blank for a blank page and refuses a recognizer of the wrong shape', async () => {
    const blank = drawPage(100, 60, []);
    const result = await readTextByLines(blank.image, stubRecognizer([]));
    expect(result).toMatchObject({ status: 'blank', text: '', lines: [] });
    const wrong: LineRecognizer = {
      charset: LINE_CHARSET,
      frameStride: LINE_FRAME_STRIDE,
      recognize: () => new Float32Array(7),
    };
    await expect(readTextByLines(page.image, wrong)).rejects.toThrow(
      /expected \d+ frames x 77 classes = \d+ logits from the line model for a line \d+ columns wide, got 7/,
    );
  });
});

describe('lines for a line model', () => {
  it("keeps a full stop with its line, and leaves each line the others' ink", () => {
    const placements = [...layout('HE', 40, 10, 20, 20), ...layout('T', 40, 10, 20, 100)];
    const page = drawPage(300, 170, placements);
    // A full stop after E: a 5x5 dot on the baseline, far too small to be a character.
    const stopX = page.boxes[1]!.x + page.boxes[1]!.width + 6;
    const data = Uint8Array.from(page.image.data);
    for (let y = 56; y < 61; y++) for (let x = stopX; x < stopX + 5; x++) data[y * 300 + x] = 0;
    const { status, lines } = segmentLines({ ...page.image, data }, resolveReadOptions());
    expect(status).toBe('ok');
    expect(lines).toHaveLength(2);
    const [first, second] = lines;
    expect(first!.box.x + first!.box.width).toBeGreaterThanOrEqual(stopX + 5);
    expect(second!.box.x + second!.box.width).toBeLessThan(stopX);
    // Each line's image holds its own ink only: the first's rows are its 40 px, not the page's.
    const ruled = Uint8Array.from(data);
    // An underline below the first line: a rule, not writing.
    for (let y = 64; y < 67; y++) for (let x = 15; x < 200; x++) ruled[y * 300 + x] = 0;
    const withRule = segmentLines({ ...page.image, data: ruled }, resolveReadOptions());
    expect(withRule.lines[0]!.box).toEqual(first!.box);
    expect(withRule.specks).toBeGreaterThan(0);
    for (const line of lines) {
      let inked = 0;
      for (const v of line.image.data) if (v > 0) inked++;
      expect(inked).toBeGreaterThan(100);
      expect(line.box.height).toBeLessThan(60);
    }
  });
});
