// Synthetic font lines: texts repeat for a seed and stay in LINE_CHARSET, every kind says what
// it promises, train and test families are disjoint (test = styles-test) and never reserved,
// families without lowercase only write texts without it, and renderings normalize to lines.

import { beforeAll, describe, expect, it } from 'vitest';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { LINE_HEIGHT, normalizeLine } from '../../src/core/line/normalize-line.js';
import { createRandom } from '../../src/core/random.js';
import {
  FONT_LINES_DEFAULTS,
  FONT_LINE_KINDS,
  FONT_LINE_KIND_NAMES,
  FontLineCanvas,
  LOWERCASE_AS_CAPITALS,
  fontLineSource,
  loadLineFamilies,
  renderFontLine,
  resolveFontLineConfig,
  writesCapitalsOnly,
} from '../../src/node/data/lines/fonts.js';
import {
  lineTextGenerator,
  loadLineWords,
  type LineWords,
} from '../../src/node/data/lines/texts.js';
import { FONT_FAMILIES, reservedFamily } from '../../src/node/data/synth/families.js';
import type { LoadedFamily } from '../../src/node/data/synth/fonts.js';

let words: LineWords;
let train: LoadedFamily[];
let test: LoadedFamily[];

beforeAll(async () => {
  [words, train, test] = await Promise.all([
    loadLineWords(),
    loadLineFamilies('train'),
    loadLineFamilies('test'),
  ]);
}, 60_000);

describe('font line texts', () => {
  it('are the same for the same seed and index, and differ across seeds', () => {
    const a = lineTextGenerator(words, { seed: 7, kinds: FONT_LINE_KIND_NAMES });
    const b = lineTextGenerator(words, { seed: 7, kinds: FONT_LINE_KIND_NAMES });
    const c = lineTextGenerator(words, { seed: 8, kinds: FONT_LINE_KIND_NAMES });
    const first = Array.from({ length: 200 }, (_, i) => a(i));
    expect(Array.from({ length: 200 }, (_, i) => b(i))).toEqual(first);
    // Out of order too: item i does not depend on the items drawn before it.
    expect(b(150)).toBe(first[150]);
    expect(Array.from({ length: 200 }, (_, i) => c(i))).not.toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(180);
  });

  it('draw on English words, not on the fragments the word list holds', () => {
    expect(words.words.slice(0, 5)).toEqual(['you', 'the', 'to', 'a', 'it']);
    for (const fragment of ['ll', 're', 's', 't', 'didn', 'th']) {
      expect(words.words).not.toContain(fragment);
    }
    expect(words.names.slice(0, 200)).toContain('John');
  });

  it('hold only LINE_CHARSET characters, no leading, trailing or double spaces', () => {
    const text = lineTextGenerator(words, { seed: 1, kinds: FONT_LINE_KIND_NAMES });
    for (let i = 0; i < 5000; i++) {
      const t = text(i);
      expect(t.length).toBeGreaterThan(0);
      for (const c of t) expect(LINE_CHARSET).toContain(c);
      expect(t).toBe(t.trim());
      expect(t).not.toContain('  ');
    }
  });

  it('mix lowercase, Capitalized and CAPITALS words, names, numbers and codes', () => {
    const text = lineTextGenerator(words, { seed: 2, kinds: FONT_LINE_KIND_NAMES });
    const all = Array.from({ length: 3000 }, (_, i) => text(i));
    expect(all.some((t) => /\b[a-z]{3,}\b/.test(t))).toBe(true);
    expect(all.some((t) => /\b[A-Z][a-z]{2,}\b/.test(t))).toBe(true);
    expect(all.some((t) => /\b[A-Z]{3,}\b/.test(t))).toBe(true);
    expect(all.some((t) => / /.test(t))).toBe(true);
    expect(all.some((t) => /[.,'!?:;()/&"-]/.test(t))).toBe(true);
    expect(all.some((t) => /^\d+$/.test(t))).toBe(true);
    expect(all.some((t) => /\d\d\/\d\d\/\d{4}/.test(t))).toBe(true);
  });

  it('keep each kind to its promise', () => {
    const each = (kind: string): string[] => {
      const text = lineTextGenerator(words, { seed: 3, kinds: [kind] });
      return Array.from({ length: 1000 }, (_, i) => text(i));
    };
    for (const t of each('caps-digits')) expect(t).toMatch(/^[A-Z0-9]+( [A-Z0-9]+)*$/);
    const codes = each('codes');
    for (const t of codes) {
      expect(t).toMatch(/^[A-Za-z0-9-]+( [A-Za-z0-9-]+)?$/);
      expect(t).toMatch(/\d/);
    }
    expect(codes.some((t) => /^[A-Z]\d[A-Z]\d[A-Z]\d$/.test(t))).toBe(true);
    expect(codes.some((t) => /^[a-z]\d[a-z]\d$/.test(t))).toBe(true);
    for (const t of each('numbers')) expect(t).toMatch(/\d/);
    for (const t of each('names')) expect(t).toMatch(/^[A-Z(]|^O'/);
    expect(each('mixed').some((t) => t.includes(' '))).toBe(true);
  });

  it('refuse an unknown kind, listing the known ones', () => {
    expect(() => lineTextGenerator(words, { seed: 1, kinds: ['emoji'] })).toThrow(
      /unknown font line kind 'emoji': expected one of mixed, caps-digits, codes, numbers, names/,
    );
    expect(() => lineTextGenerator(words, { seed: 1, kinds: [] })).toThrow(/got none/);
  });
});

describe('font line families', () => {
  it('split as styles-test: test holds the held-out families, train the rest, disjoint', () => {
    const trainNames = new Set(train.map((f) => f.family.name));
    const testNames = test.map((f) => f.family.name);
    expect(testNames.filter((name) => trainNames.has(name))).toEqual([]);
    expect(testNames.sort()).toEqual(
      FONT_FAMILIES.filter((f) => f.split === 'test')
        .map((f) => f.name)
        .sort(),
    );
    expect(testNames).toContain('Kalam');
    expect(trainNames.size + testNames.length).toBe(FONT_FAMILIES.length);
  });

  it('use no reserved family', () => {
    for (const family of [...train, ...test]) {
      expect(reservedFamily(family.family.name)).toBeUndefined();
      expect(reservedFamily(family.family.package)).toBeUndefined();
    }
  });

  it('know which families have no lowercase', () => {
    const capsOnly = train.filter(writesCapitalsOnly).map((f) => f.family.name);
    expect(capsOnly.sort()).toEqual(['Amatic SC', ...LOWERCASE_AS_CAPITALS].sort());
    expect(test.filter(writesCapitalsOnly)).toEqual([]);
  });
});

describe('fontLineSource', () => {
  it('has its defaults in one object and checks its options', () => {
    expect(resolveFontLineConfig()).toEqual({
      split: 'train',
      count: 50000,
      seed: 1,
      kinds: FONT_LINE_KIND_NAMES,
    });
    expect(FONT_LINES_DEFAULTS.kinds).toEqual(Object.keys(FONT_LINE_KINDS));
    expect(() => resolveFontLineConfig({ count: 0 })).toThrow(
      /expected count to be a positive integer, got 0/,
    );
    expect(() => resolveFontLineConfig({ kinds: ['nope'] })).toThrow(
      /unknown kind 'nope': expected one of mixed, caps-digits/,
    );
    expect(() => resolveFontLineConfig({ split: 'dev' as 'train' })).toThrow(
      /expected split 'train' or 'test', got 'dev'/,
    );
  });

  it('gives item i the same text in every rendering, and images that normalize to lines', async () => {
    const source = await fontLineSource({ split: 'test', count: 40, seed: 5, words });
    expect(source.name).toBe('font-lines-test');
    expect(source.size).toBe(40);
    const rand = createRandom(1);
    for (let i = 0; i < source.size; i++) {
      const { image, text } = source.sample(i, rand);
      expect(text).toBe(source.text(i));
      expect(source.sample(i, rand).text).toBe(text);
      expect(image.data.length).toBe(image.width * image.height);
      expect(image.width).toBeGreaterThan(image.height / 2);
      const line = normalizeLine(image);
      expect(line.empty).toBe(false);
      expect(line.height).toBe(LINE_HEIGHT);
      expect(line.width).toBeGreaterThan(8);
    }
    expect(() => source.sample(40, rand)).toThrow(/expected an item index in 0\.\.39, got 40/);
  });

  it('renders the same image for the same draws', async () => {
    const source = await fontLineSource({ count: 5, seed: 2, words });
    const a = source.sample(3, createRandom(9));
    const b = source.sample(3, createRandom(9));
    expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
  });

  it('builds a set per kind, and writes lowercase only in families that have it', async () => {
    const caps = await fontLineSource({ split: 'test', count: 20, kinds: ['caps-digits'], words });
    expect(caps.name).toBe('font-lines-test/caps-digits');
    for (let i = 0; i < caps.size; i++) expect(caps.text(i)).toMatch(/^[A-Z0-9 ]+$/);

    const source = await fontLineSource({ count: 400, seed: 4, words });
    const capsOnly = new Set(train.filter(writesCapitalsOnly).map((f) => f.family.name));
    const rand = createRandom(3);
    let lowercaseLines = 0;
    const capsFamilyLines = new Set<string>();
    for (let i = 0; i < source.size; i++) {
      const { text, family } = source.sample(i, rand);
      if (/[a-z]/.test(text)) {
        lowercaseLines++;
        expect(capsOnly.has(family), `${family} writes '${text}'`).toBe(false);
      } else if (capsOnly.has(family)) {
        capsFamilyLines.add(family);
      }
    }
    expect(lowercaseLines).toBeGreaterThan(100);
    // ...while lines without lowercase may still be written in them.
    expect(capsFamilyLines.size).toBeGreaterThan(0);
  });

  it('renders a line of a family without lowercase, dark on light or light on dark', () => {
    const amatic = train.find((f) => f.family.name === 'Amatic SC')!;
    const surface = new FontLineCanvas();
    let dark = 0;
    for (let k = 0; k < 40; k++) {
      const image = renderFontLine(surface, amatic, 'R2D2 HELLO', createRandom(k));
      const line = normalizeLine(image);
      expect(line.empty).toBe(false);
      let sum = 0;
      for (const v of image.data) sum += v;
      const mean = sum / image.data.length;
      if (mean > 128) dark++;
    }
    expect(dark).toBeGreaterThan(20);
    expect(dark).toBeLessThan(40);
  });
});
