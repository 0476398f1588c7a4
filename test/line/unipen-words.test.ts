// The unipen-words line source on a small synthetic file in the dataset's format: decoding of
// the delta-coded strokes, the writer split, filtering, composed lines, rendering, and errors.

import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { normalizeLine } from '../../src/core/line/normalize-line.js';
import { createRandom } from '../../src/core/random.js';
import {
  fitsCtc,
  loadUnipenWords,
  unipenWordsPart,
  unipenWordsSource,
  UNIPEN_WORDS_FILE,
} from '../../src/node/data/lines/unipen-words.js';
import { writeWordsFile } from '../helpers/words-file.js';

describe('unipen-words', () => {
  const dir = writeWordsFile(40, ['cat', 'Dog', 'naïve', 'a  b', '', 'fine']);

  it('decodes the strokes by a running sum and keeps only labels the line charset can write', async () => {
    const words = await loadUnipenWords(dir);
    expect(new Set(words.map((w) => w.label))).toEqual(new Set(['cat', 'Dog', 'fine']));
    const cat = words.find((w) => w.label === 'cat')!;
    expect([...cat.strokes[0]!.subarray(0, 6)]).toEqual([0, 200, 20, 50, 40, 200]);
    expect(cat.mm === 6 || cat.mm === null).toBe(true);
  });

  it('splits by writer: every word of a writer is in that writer’s part', async () => {
    const parts = { train: 0, validation: 0, test: 0 };
    for (let w = 0; w < 1000; w++) parts[unipenWordsPart(`c/w${w}`)]++;
    expect(parts.test).toBeGreaterThan(70);
    expect(parts.test).toBeLessThan(130);
    expect(parts.validation).toBeGreaterThan(25);
    const test = await loadUnipenWords(dir, { parts: ['test'] });
    const train = await loadUnipenWords(dir, { parts: ['train'] });
    const testWriters = new Set(test.map((w) => w.writer));
    expect(train.some((w) => testWriters.has(w.writer))).toBe(false);
    expect([...testWriters].every((w) => unipenWordsPart(w) === 'test')).toBe(true);
  });

  it('composes lines of one writer’s words with spaces, the same text for the same item', async () => {
    const words = await loadUnipenWords(dir);
    const source = unipenWordsSource(words, { name: 't', composed: 10 });
    expect(source.size).toBe(words.length + 10);
    const text = source.text(words.length + 3);
    expect(text).toMatch(/^\S+( \S+){1,3}$/);
    expect(source.text(words.length + 3)).toBe(text);
    const sample = source.sample(words.length + 3, createRandom(1));
    expect(sample.text).toBe(text);
    const line = normalizeLine(sample.image);
    expect(line.empty).toBe(false);
    expect(line.height).toBe(32);
  });

  it('renders a word, and a plain rendering is the same every time', async () => {
    const words = await loadUnipenWords(dir, { limit: 2 });
    const plain = unipenWordsSource(words, { name: 't', plain: true });
    const a = plain.sample(0, createRandom(1));
    const b = plain.sample(0, createRandom(2));
    expect([...a.image.data]).toEqual([...b.image.data]);
    expect(fitsCtc(normalizeLine(a.image).width, a.text)).toBe(true);
    expect(fitsCtc(8, 'hello')).toBe(false);
  });

  it('says which file is missing', async () => {
    await expect(loadUnipenWords(join(dir, 'nowhere'))).rejects.toThrow(
      /unipen-words: cannot read .*nowhere.*unipen-words-strokes\.jsonl\.gz/,
    );
  });

  it('says which line of the file is broken', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'hcr-words-'));
    mkdirSync(join(bad, 'unipen-words'));
    writeFileSync(join(bad, UNIPEN_WORDS_FILE), gzipSync('{"label":"a","strokes":[]}\n{oops\n'));
    await expect(loadUnipenWords(bad)).rejects.toThrow(/jsonl\.gz:2: expected a JSON object/);
  });
});
