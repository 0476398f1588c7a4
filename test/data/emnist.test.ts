// EMNIST: mapping files (0- and 1-based, merged case), transposition and re-normalization to
// the MNIST convention, and label errors that name the mapping file.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS, mapLabelSet } from '../../src/core/label-sets.js';
import { normalizeMnistImage } from '../../src/core/normalize.js';
import {
  EMNIST_DEFAULTS,
  emnistCacheVariant,
  loadEmnist,
  readEmnistMapping,
} from '../../src/node/data/emnist.js';
import { writeIdx } from '../../src/node/data/idx.js';
import { drawGlyph, GLYPHS } from '../fixtures/make-fixtures.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'data');
const images = join(fixtures, 'letters-images-idx3-ubyte.gz');
const labels = join(fixtures, 'letters-labels-idx1-ubyte.gz');
const mapping = join(fixtures, 'letters-mapping.txt');
const LETTERS = ['A', 'B', 'C', 'A', 'B', 'C'];

// The fixture's glyphs as drawn, upright (make-fixtures stores them transposed).
function upright(i: number): Uint8Array {
  return drawGlyph(GLYPHS[LETTERS[i]!]!, 28, 28, { seed: i + 7, jitter: 0.03, pen: 0.12 });
}

function inkBox(pixels: Uint8Array): { width: number; height: number } {
  let x0 = 28;
  let x1 = -1;
  let y0 = 28;
  let y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x]! > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-emnist-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readEmnistMapping', () => {
  it('reads a 1-based merged-case mapping (EMNIST Letters) keeping label numbers', async () => {
    const set = await readEmnistMapping(mapping);
    expect(set.name).toBe('letters');
    expect(set.classes).toEqual(['', 'Aa', 'Bb', 'Cc']);
    // The placeholder maps to nothing; merged classes map with case folding.
    expect(Array.from(mapLabelSet(set, LABEL_SETS.letters, { foldCase: true }))).toEqual([
      -1, 0, 1, 2,
    ]);
  });

  it('reads a 0-based mapping with CRLF line ends and gaps', async () => {
    const path = join(dir, 'emnist-byclass-mapping.txt');
    await writeFile(path, '0 48\r\n1 49\r\n10 65\r\n36 97\r\n');
    const set = await readEmnistMapping(path);
    expect(set.name).toBe('emnist-byclass');
    expect(set.classes.length).toBe(37);
    expect([
      set.classes[0],
      set.classes[1],
      set.classes[2],
      set.classes[10],
      set.classes[36],
    ]).toEqual(['0', '1', '', 'A', 'a']);
    expect((await readEmnistMapping(path, 'custom')).name).toBe('custom');
  });

  it('rejects malformed lines, duplicates and empty files', async () => {
    const cases: [string, RegExp][] = [
      ['0 48\n1 x\n', /^m\.txt:2: expected 'label ascii \[ascii\]' with a label 0-255, got '1 x'$/],
      ['0 48\n7\n', /^m\.txt:2: expected 'label ascii/],
      ['300 65\n', /^m\.txt:1: expected 'label ascii/],
      ['0 48\n0 49\n', /^m\.txt:2: label 0 is listed twice$/],
      ['\n\n', /^m\.txt: empty mapping/],
    ];
    for (const [text, message] of cases) {
      const path = join(dir, 'm.txt');
      await writeFile(path, text);
      await expect(readEmnistMapping(path), text).rejects.toThrow(message);
    }
    await expect(readEmnistMapping(join(dir, 'none.txt'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('loadEmnist', () => {
  it('transposes and re-normalizes by default', async () => {
    expect(EMNIST_DEFAULTS).toEqual({ transposed: true, renormalize: true });
    const ds = await loadEmnist(images, labels, mapping);
    expect(ds.name).toBe('letters');
    expect(Array.from(ds.labels)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(ds.labelSet.classes).toEqual(['', 'Aa', 'Bb', 'Cc']);
    for (let i = 0; i < LETTERS.length; i++) {
      const got = ds.images.subarray(i * 784, (i + 1) * 784);
      expect(got, `image ${i}`).toEqual(normalizeMnistImage(upright(i)));
      // The glyph filled the frame; now its longer side is the MNIST 20 px.
      const box = inkBox(got);
      expect(Math.max(box.width, box.height), `image ${i}`).toBeGreaterThanOrEqual(19);
      expect(Math.max(box.width, box.height), `image ${i}`).toBeLessThanOrEqual(21);
    }
  });

  it('keeps upright images as they are with transposed: false, and raw pixels without renormalize', async () => {
    const raw = await loadEmnist(images, labels, mapping, { renormalize: false, name: 'raw' });
    expect(raw.name).toBe('raw');
    expect(raw.images.subarray(0, 784)).toEqual(upright(0));
    const notTransposed = await loadEmnist(images, labels, mapping, {
      transposed: false,
      renormalize: false,
    });
    expect(notTransposed.images.subarray(0, 784)).not.toEqual(upright(0));
    // Stored upright (like emnist-partial): transposed: false gives the upright glyph back.
    const uprightPath = join(dir, 'upright-images-idx3-ubyte');
    await writeIdx(uprightPath, [6, 28, 28], raw.images);
    const partial = await loadEmnist(uprightPath, labels, mapping, { transposed: false });
    expect(partial.images.subarray(784, 1568)).toEqual(normalizeMnistImage(upright(1)));
  });

  it('reports progress of re-normalization', async () => {
    const events: { done: number; total: number }[] = [];
    await loadEmnist(images, labels, mapping, { onProgress: (p) => events.push(p) });
    expect(events[events.length - 1]).toEqual({ done: 6, total: 6 });
  });

  it('rejects a label the mapping does not list, naming the mapping and its range', async () => {
    const bad = join(dir, 'bad-labels-idx1-ubyte');
    await writeIdx(bad, [6], Uint8Array.from([1, 2, 0, 1, 2, 3]));
    await expect(loadEmnist(images, bad, mapping)).rejects.toThrow(
      /^bad-labels-idx1-ubyte: label 0 at index 2 is not in letters-mapping\.txt \(1-3\)$/,
    );
    await writeIdx(bad, [6], Uint8Array.from([1, 2, 3, 1, 2, 70]));
    await expect(loadEmnist(images, bad, mapping)).rejects.toThrow(
      /label 70 at index 5 is not in letters-mapping\.txt \(1-3\)$/,
    );
  });

  it('rejects a count mismatch', async () => {
    const five = join(dir, 'five-labels-idx1-ubyte');
    await writeIdx(five, [5], Uint8Array.from([1, 2, 3, 1, 2]));
    await expect(loadEmnist(images, five, mapping)).rejects.toThrow(
      /^letters-images-idx3-ubyte\.gz has 6 images but five-labels-idx1-ubyte has 5 labels$/,
    );
  });

  it('names its cache variant after its options and the normalization version', () => {
    expect(emnistCacheVariant()).toBe('emnist:transposed:renorm:n2:v1');
    expect(emnistCacheVariant({ transposed: false, renormalize: false })).toBe(
      'emnist:upright:raw:v1',
    );
  });
});

const dataDir = process.env.HCR_DATA_DIR;
describe.skipIf(!dataDir)('real EMNIST (HCR_DATA_DIR)', () => {
  it('reads the official ByClass and Letters mappings', async () => {
    const byclass = await readEmnistMapping(join(dataDir!, 'emnist', 'emnist-byclass-mapping.txt'));
    expect(byclass.classes).toEqual(LABEL_SETS.byclass62.classes);
    const letters = await readEmnistMapping(
      join(dataDir!, 'emnist-partial', 'emnist-letters-mapping.txt'),
    );
    expect(letters.classes.length).toBe(27);
    expect(letters.classes[1]).toBe('Aa');
    const balanced = await readEmnistMapping(
      join(dataDir!, 'emnist-partial', 'emnist-balanced-mapping.txt'),
    );
    expect(balanced.classes.length).toBe(47);
    expect(balanced.classes[36]).toBe('a');
  });

  it('loads the upright Letters test piece with 800 images per class', async () => {
    const base = join(dataDir!, 'emnist-partial', 'emnist-letters-test-AtoS');
    const ds = await loadEmnist(
      `${base}-images-idx3-ubyte.gz`,
      `${base}-labels-idx1-ubyte.gz`,
      join(dataDir!, 'emnist-partial', 'emnist-letters-mapping.txt'),
      { transposed: false },
    );
    expect(ds.labels.length).toBe(14800);
    expect(ds.labels.filter((l) => l === 1).length).toBe(800);
    expect(ds.labels.filter((l) => l === 19).length).toBe(400);
  });
});
