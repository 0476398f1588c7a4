// Reading as decoding (issue 15): the beam search on small hand-made probability tables, the
// character language model's scores, the parsing of patterns and lexicons with the positions
// of their mistakes, the spacing of a line, and readText with the template classifier and a
// tiny language model.

import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseLexicon, parsePattern } from '../../src/core/read/constraints.js';
import { CHARACTER_BONUS, decodeLine } from '../../src/core/read/decode.js';
import type { DecodeLine, DecodeSettings } from '../../src/core/read/decode.js';
import type { LanguageModel } from '../../src/core/read/language-model.js';
import {
  LANGUAGE_MODEL_FILE,
  buildLanguageModel,
  parseLanguageModel,
  serializeLanguageModel,
} from '../../src/core/read/language-model.js';
import { READ_DEFAULTS, resolveReadOptions } from '../../src/core/read/options.js';
import { lineSpacing, readText, shareLookalikes } from '../../src/core/read/read.js';
import { DEFAULT_LANGUAGE_MODEL_DIR } from '../../src/node/read/language-model.js';
import { drawPage, layout, templateClassifier } from './helpers.js';

const CLASSES = ['A', 'B', 'C', '0', 'O'];

/** Probability rows, one per candidate, over CLASSES (missing classes get what is left, shared). */
function table(rows: readonly Record<string, number>[]): Float32Array {
  const out = new Float32Array(rows.length * CLASSES.length);
  rows.forEach((row, r) => {
    const given = Object.values(row).reduce((a, b) => a + b, 0);
    const rest = CLASSES.filter((c) => !(c in row));
    CLASSES.forEach((c, k) => {
      out[r * CLASSES.length + k] = row[c] ?? (1 - given) / rest.length;
    });
  });
  return out;
}

/** What the search adds for `words` at weight 1: each character's cost against a uniform guess, capped at 0, and each word's end. */
function lmCost(lm: LanguageModel, words: readonly string[]): number {
  let total = 0;
  for (const word of words) {
    let state = lm.wordStart();
    for (const ch of word) {
      const next = lm.extend(state, ch);
      total += Math.min(0, next.logProb + Math.log(CLASSES.length));
      state = next.state;
    }
    total += lm.end(state);
  }
  return total;
}

const settings = (probs: Float32Array, extra: Partial<DecodeSettings> = {}): DecodeSettings => ({
  probs,
  classes: CLASSES,
  lmWeight: 0,
  beamWidth: 8,
  classesPerCandidate: 5,
  nBest: 1,
  ...extra,
});

/** Three atoms; each alone is a candidate, and atoms 0-1 together are one more. */
const line: DecodeLine = {
  atoms: 3,
  candidates: [
    { first: 0, last: 0, penalty: 0, row: 0 },
    { first: 1, last: 1, penalty: 0, row: 1 },
    { first: 2, last: 2, penalty: 0, row: 2 },
    { first: 0, last: 1, penalty: 0.5, row: 3 },
  ],
  wordBreaks: [],
};

describe('decodeLine (beam search)', () => {
  it('finds the best cover and labels, with the score they add up to', () => {
    const probs = table([{ A: 0.9 }, { B: 0.8 }, { C: 0.7 }, { O: 0.2 }]);
    const [best] = decodeLine(line, settings(probs));
    expect(best!.text).toBe('ABC');
    const expected = Math.log(0.9) + Math.log(0.8) + Math.log(0.7) + 3 * CHARACTER_BONUS;
    expect(best!.score).toBeCloseTo(expected, 5);
    expect(best!.steps.map((s) => s.candidate)).toEqual([0, 1, 2]);
  });

  it('takes the merged candidate when the classifier is surer of it than of its pieces', () => {
    const probs = table([{ A: 0.3 }, { B: 0.3 }, { C: 0.9 }, { O: 0.99 }]);
    const [best] = decodeLine(line, settings(probs));
    expect(best!.text).toBe('OC');
    expect(best!.score).toBeCloseTo(Math.log(0.99) - 0.5 + Math.log(0.9) + 2 * CHARACTER_BONUS, 5);
  });

  it('returns the N best distinct readings, best first, and is exact with a beam of 1', () => {
    const probs = table([{ A: 0.6, B: 0.3 }, { B: 0.8 }, { C: 0.7 }, { O: 0.01 }]);
    const readings = decodeLine(line, settings(probs, { nBest: 3 }));
    // ABC, then BBC; then the merged pair (A at 0.2475, less its shape penalty) beats AAC.
    expect(readings.map((r) => r.text)).toEqual(['ABC', 'BBC', 'AC']);
    expect(readings[0]!.score).toBeGreaterThan(readings[1]!.score);
    expect(readings[1]!.score).toBeGreaterThan(readings[2]!.score);
    const [narrow] = decodeLine(line, settings(probs, { beamWidth: 1 }));
    expect(narrow!.text).toBe('ABC');
  });

  it('lets the language model overrule a doubtful glyph, in proportion to its weight', () => {
    const lm = buildLanguageModel({ words: [['AB', 1000]], codes: 100, minCount: 1 });
    // The first glyph is C by a little; "AB" is a word, "CB" is not.
    const probs = table([{ C: 0.5, A: 0.4 }, { B: 0.9 }, { C: 0.9 }, { O: 0.01 }]);
    const two: DecodeLine = { ...line, atoms: 2, candidates: line.candidates.slice(0, 2) };
    expect(decodeLine(two, settings(probs))[0]!.text).toBe('CB');
    const [withLm] = decodeLine(two, settings(probs, { languageModel: lm, lmWeight: 1 }));
    expect(withLm!.text).toBe('AB');
    expect(withLm!.steps[0]!.lmLogProb).toBeLessThan(0);
    // The score is the classifier's plus the language model's cost against a uniform guess.
    const gain = lmCost(lm, ['AB']);
    expect(gain).toBeLessThan(0);
    expect(withLm!.score).toBeCloseTo(
      Math.log(0.4) + Math.log(0.9) + 2 * CHARACTER_BONUS + gain,
      4,
    );
  });

  it('closes a word at each word break, so each word is scored alone', () => {
    const lm = buildLanguageModel({
      words: [
        ['AB', 1000],
        ['C', 10],
      ],
      codes: 100,
    });
    const probs = table([{ A: 0.9 }, { B: 0.9 }, { C: 0.9 }, { O: 0.01 }]);
    const spaced = { ...line, wordBreaks: [false, false, true, false] };
    const [best] = decodeLine(spaced, settings(probs, { languageModel: lm, lmWeight: 1 }));
    expect(best!.text).toBe('AB C');
    expect(best!.steps.map((s) => s.spaceBefore)).toEqual([false, false, true]);
    const classifier = 3 * Math.log(0.9) + 3 * CHARACTER_BONUS;
    const words = lmCost(lm, ['AB', 'C']);
    expect(best!.score).toBeCloseTo(classifier + words, 4);
  });

  it('keeps to a charset, a pattern and a lexicon', () => {
    const probs = table([{ O: 0.6, 0: 0.3 }, { B: 0.8 }, { C: 0.7 }, { A: 0.5 }]);
    expect(decodeLine(line, settings(probs))[0]!.text).toBe('OBC');
    const digits = decodeLine(line, settings(probs, { allowed: new Set(['0', 'C']) }))[0]!;
    // Within {0, C}: the merged pair read as C beats 0 + a doubtful C.
    expect(digits.text).toBe('CC');
    // Two characters: the pattern forces the merged candidate.
    const [two] = decodeLine(line, settings(probs, { pattern: parsePattern('AA') }));
    expect(two!.text).toBe('AC');
    expect(decodeLine(line, settings(probs, { pattern: parsePattern('AAAA') }))).toEqual([]);
    const lexicon = parseLexicon('ABC\nCAB\nBAC', CLASSES);
    const [entry] = decodeLine(line, settings(probs, { lexicon }));
    expect(entry!.entry).toBe(0);
    expect(entry!.text).toBe('ABC');
  });
});

describe('character language model', () => {
  const lm = buildLanguageModel({
    words: [
      ['DOG', 500],
      ['DOGS', 100],
      ['GOOD', 300],
      ['GOD', 50],
      ['CODE', 80],
    ],
    codes: 2000,
  });

  it('gives probabilities that sum to 1 over every character and the word end', () => {
    for (const prefix of ['', 'D', 'DO', 'A1', '12']) {
      let state = lm.wordStart();
      for (const ch of prefix) state = lm.extend(state, ch).state;
      let total = Math.exp(lm.end(state));
      for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') {
        total += Math.exp(lm.extend(state, ch).logProb);
      }
      expect(total).toBeCloseTo(1, 5);
    }
  });

  it('scores a word as the sum of its steps, folds case, and prefers words and consistent codes', () => {
    let state = lm.wordStart();
    let sum = 0;
    for (const ch of 'DOG') {
      const next = lm.extend(state, ch);
      sum += next.logProb;
      state = next.state;
    }
    expect(lm.scoreWord('DOG')).toBeCloseTo(sum + lm.end(state), 10);
    expect(lm.scoreWord('dog')).toBeCloseTo(lm.scoreWord('DOG'), 10);
    expect(lm.scoreWord('DOG')).toBeGreaterThan(lm.scoreWord('D0G'));
    expect(lm.scoreWord('4096')).toBeGreaterThan(lm.scoreWord('4O96'));
    expect(lm.kindOf('DOG')).toBe('words');
    expect(lm.kindOf('A1B2')).toBe('codes');
  });

  it('reads back what it writes, and names the field of a broken file', () => {
    const again = parseLanguageModel(serializeLanguageModel(lm));
    expect(again.scoreWord('GOOD')).toBeCloseTo(lm.scoreWord('GOOD'), 10);
    expect(() => parseLanguageModel('{')).toThrow(/language model: not JSON/);
    expect(() => parseLanguageModel('{"format":"x"}')).toThrow(/expected format 'hcr-char-lm'/);
    const file = JSON.parse(serializeLanguageModel(lm)) as { components: { weight: number }[] };
    file.components[0]!.weight = 0.9;
    expect(() => parseLanguageModel(JSON.stringify(file))).toThrow(/weights summing to 1, got 1.4/);
  });

  it('ships as a small file that knows English words and codes', async () => {
    const path = `${DEFAULT_LANGUAGE_MODEL_DIR}/${LANGUAGE_MODEL_FILE}`;
    expect((await stat(path)).size).toBeLessThan(3 * 1024 * 1024);
    const shipped = parseLanguageModel(await readFile(path, 'utf8'));
    expect(shipped.scoreWord('HELLO')).toBeGreaterThan(shipped.scoreWord('HELL0'));
    expect(shipped.scoreWord('NODE')).toBeGreaterThan(shipped.scoreWord('N0DE'));
    expect(shipped.scoreWord('A1B2C3')).toBeGreaterThan(shipped.scoreWord('AIB2C3'));
    expect(shipped.kindOf('A1B2C3')).toBe('codes');
  });
});

describe('patterns and lexicons', () => {
  it('reads masks and the small regex subset, classes as ranges', () => {
    const mask = parsePattern('AA99 9AA');
    expect(mask.items.map((s) => [s.min, s.max])).toEqual(Array(7).fill([1, 1]));
    expect(mask.items.map((s) => s.chars)).toEqual([
      ...Array(2).fill([
        [65, 90],
        [97, 122],
      ]),
      ...Array(3).fill([[48, 57]]),
      ...Array(2).fill([
        [65, 90],
        [97, 122],
      ]),
    ]);
    expect(mask.items.map((s) => s.spaceBefore)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
    ]);
    const regex = parsePattern('[A-Z]{2}\\d{1,2} \\d[A-Z]{2}');
    expect(regex.items.map((s) => [s.min, s.max])).toEqual([
      [2, 2],
      [1, 2],
      [1, 1],
      [2, 2],
    ]);
    expect([regex.minLength, regex.maxLength, regex.positions]).toEqual([6, 7, 7]);
    expect(regex.items[1]!.chars).toEqual([[48, 57]]);
    expect(regex.items[2]!.spaceBefore).toBe(true);
    const optional = parsePattern('X?9').items;
    expect(optional.map((s) => [s.chars, s.min])).toEqual([
      [[[88, 88]], 0],
      [[[57, 57]], 1],
    ]);
    expect(parsePattern('[^0-9A-Y]').items[0]!.chars).toEqual([
      [90, 90],
      [97, 122],
    ]);
    // A class of 65,535 characters is one range.
    expect(parsePattern('[\u0001-\uffff]').items[0]!.chars).toEqual([[1, 0xffff]]);
    expect(parsePattern('[b-dA-Ca-c]').items[0]!.chars).toEqual([
      [65, 67],
      [97, 100],
    ]);
  });

  it('names the position of a mistake in a pattern', () => {
    const cases: [string, RegExp][] = [
      ['[A-Z', /position 1: expected '\]' to close this class/],
      ['AB{2', /position 3: expected '\}' to close this repeat/],
      ['A+', /position 2: '\+' is not supported/],
      ['(AB)', /position 1: '\(' is not supported/],
      ['\\q', /position 1: unknown escape \\q/],
      ['[Z-A]', /position 2: range Z-A is backwards/],
      ['A{3,1}', /position 3: expected m <= n/],
      ['', /expected a pattern, got nothing/],
    ];
    for (const [pattern, message] of cases) {
      expect(() => parsePattern(pattern), pattern).toThrow(message);
    }
    // The message shows the pattern with a caret under the position.
    expect(() => parsePattern('AB{2')).toThrow(/\n {2}AB\{2\n {4}\^/);
  });

  it('reads a lexicon one entry a line and names the line and column of a mistake', () => {
    const lexicon = parseLexicon('  LONDON\r\n\nparis\nLONDON\nNEW YORK\n', [
      'A',
      'D',
      'E',
      'I',
      'K',
      'L',
      'N',
      'O',
      'P',
      'R',
      'S',
      'W',
      'Y',
    ]);
    expect(lexicon.entries).toEqual(['LONDON', 'paris', 'NEW YORK']);
    expect(() => parseLexicon('OK\n  BAD é', ['A', 'B', 'D', 'K', 'O'], 'towns.txt')).toThrow(
      /towns\.txt: line 2, column 7: 'é' is not a character the model reads/,
    );
    expect(() => parseLexicon('\n \n', ['A'])).toThrow(/expected at least one entry/);
  });
});

describe('spacing of a line', () => {
  it('keeps a letter-spaced word whole and breaks words at gaps wide for the line', () => {
    expect(lineSpacing([40, 44, 38], 40, 0.6, 2)).toEqual({
      wide: [true, true, true],
      word: [false, false, false],
    });
    expect(lineSpacing([3, 45, 0, 5], 40, 0.6, 2).word).toEqual([false, true, false, false]);
    // Letter-spaced words, set apart by three times their spacing.
    expect(lineSpacing([40, 40, 130, 42, 38], 40, 0.6, 2).word).toEqual([
      false,
      false,
      true,
      false,
      false,
    ]);
  });

  it('shares the probability of look-alikes when asked', () => {
    const partners = new Map([
      ['0', ['O']],
      ['O', ['0']],
    ]);
    const shared = shareLookalikes(Float32Array.of(0.7, 0.2, 0.1), ['0', 'O', 'X'], partners, 0.5);
    expect([...shared].map((p) => Number(p.toFixed(3)))).toEqual([0.8, 0.55, 0.1]);
  });
});

describe('readText decoding with a language model', () => {
  const classifier = templateClassifier();
  // A tiny language model in the template classifier's alphabet.
  const languageModel = buildLanguageModel({
    words: [
      ['HOLE', 200],
      ['HOLT', 100],
      ['HALL', 100],
      ['HOT', 100],
      ['TALE', 50],
    ],
    codes: 2000,
  });
  // The template classifier cannot tell the ring O from 0: only the line can.
  const page = drawPage(380, 90, layout('HOL7O4', 40, [14, 14, 50, 14, 14]));

  it('reads the ring as O in a word and as 0 in a number, and says why', async () => {
    const result = await readText(page.image, classifier, { languageModel });
    expect(result.decoder).toBe('language-model');
    expect(result.text).toBe('HOL 704');
    expect(result.rawText).toBe('H0L 704');
    const ring = result.lines[0]!.characters[1]!;
    expect(ring).toMatchObject({ label: 'O', raw: '0', changedBy: 'language-model' });
    expect(ring.languageModel).toBeLessThan(0);
    // Without the language model the search keeps the classifier's labels.
    expect((await readText(page.image, classifier)).text).toBe('H0L 704');
  });

  it('reads a letter-spaced word as one word, or keeps its spaces when asked', async () => {
    const spaced = drawPage(400, 90, layout('HOLE', 40, 40));
    const result = await readText(spaced.image, classifier, { languageModel });
    expect(result.text).toBe('HOLE');
    const kept = await readText(spaced.image, classifier, { languageModel, keepSpacing: true });
    expect(kept.text).toBe('H O L E');
  });

  it('answers the N best readings with their shares', async () => {
    const result = await readText(page.image, classifier, { languageModel, alternatives: 3 });
    const alternatives = result.lines[0]!.alternatives!;
    expect(alternatives).toHaveLength(3);
    expect(alternatives[0]!.text).toBe('HOL 704');
    const total = alternatives.reduce((s, a) => s + a.probability, 0);
    expect(total).toBeCloseTo(1, 5);
    expect(alternatives[0]!.probability).toBeGreaterThan(alternatives[1]!.probability);
  });

  it('keeps to a charset and a pattern, and reads the nearest lexicon entry', async () => {
    const digits = await readText(page.image, classifier, { languageModel, charset: '0147' });
    expect(digits.text).toMatch(/^[0147 ]+$/);
    const ring = await readText(page.image, classifier, { pattern: 'AAA 999' });
    expect(ring.text).toBe('HOL 704');
    expect(ring.lines[0]!.patternMatched).toBe(true);
    expect(ring.lines[0]!.characters[1]!.changedBy).toBe('pattern');
    const lex = await readText(page.image, classifier, { lexicon: 'HAL 701\nHOL 704\nTOT 444' });
    expect(lex.lines[0]!.lexicon).toMatchObject({
      entry: 'HOL 704',
      reading: 'H0L 704',
      distance: 1,
    });
    expect(lex.text).toBe('HOL 704');
  });

  it('refuses a pattern or lexicon the model cannot read before it reads', async () => {
    const before = classifier.calls;
    await expect(readText(page.image, classifier, { pattern: '99Q' })).rejects.toThrow(
      /pattern '99Q', position 3: allows no character the model reads/,
    );
    await expect(readText(page.image, classifier, { lexicon: 'HOLZ' })).rejects.toThrow(
      /lexicon: line 1, column 4: 'Z'/,
    );
    expect(classifier.calls).toBe(before);
    expect(() => resolveReadOptions({ pattern: 'A{2' })).toThrow(/position 2/);
    expect(() => resolveReadOptions({ decoder: 'rules', pattern: 'AAA' })).toThrow(
      /need the 'language-model' decoder/,
    );
    expect(READ_DEFAULTS).toMatchObject({
      decoder: 'language-model',
      lmWeight: 0.5,
      lookalikeShare: 0.25,
      alternatives: 1,
    });
  });
});
