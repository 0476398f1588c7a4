// The data plan on the fixture data directory (test/fixtures/sources, built by
// make-source-fixtures.ts): disjoint splits, writer-disjoint UNIPEN, duplicates of EMNIST test
// images dropped, Chars74K test only, counts that add up, provenance, determinism, Kaggle
// sources, official EMNIST train. With HCR_DATA_DIR set, also the real data.

import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import type { Dataset } from '../../src/core/types.js';
import { loadEmnist } from '../../src/node/data/emnist.js';
import { writeIdx } from '../../src/node/data/idx.js';
import { planData } from '../../src/node/data/plan.js';
import type { DataPlan, PlanOptions } from '../../src/node/data/plan.js';
import {
  AZ_SPLIT_SEED,
  DATA_SOURCES,
  EMNIST_SPLIT_SEED,
  UNIPEN_SPLIT_SEED,
  listSources,
} from '../../src/node/data/sources/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/sources');

/** Source image counts of the fixture (see make-source-fixtures.ts). */
const FIXTURE_IMAGES = {
  mnist: 60,
  emnist: 80,
  unipen: 112,
  chars74k: 30,
  'emnist-partial': 90,
} as const;

let work: string;
let cacheDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hcr-sources-'));
  cacheDir = join(work, 'cache');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const plan = (options: Partial<PlanOptions> = {}): Promise<DataPlan> =>
  planData({ dataDir: FIXTURES, cacheDir, labelSet: LABEL_SETS.byclass62, ...options });

function keys(ds: Dataset): string[] {
  return Array.from({ length: ds.labels.length }, (_, i) =>
    Buffer.from(ds.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS)).toString('base64'),
  );
}

function provenanceOf(p: DataPlan, source: string) {
  const entry = p.provenance.find((e) => e.source === source);
  if (!entry) throw new Error(`no provenance for ${source}`);
  return entry;
}

describe('listSources', () => {
  it('finds the five sources of the fixture and not the Kaggle ones', async () => {
    const listing = await listSources(FIXTURES);
    expect(listing.map((s) => [s.name, s.present])).toEqual([
      ['mnist', true],
      ['emnist', true],
      ['unipen', true],
      ['chars74k', true],
      ['emnist-partial', true],
      ['az-csv', false],
      ['mnist-csv', false],
      ['synth', false],
    ]);
    const emnist = listing.find((s) => s.name === 'emnist')!;
    expect(emnist.files.filter((f) => f.optional).map((f) => [f.path, f.present])).toEqual([
      ['emnist/emnist-byclass-train-images-idx3-ubyte.gz', false],
      ['emnist/emnist-byclass-train-labels-idx1-ubyte.gz', false],
    ]);
    expect(emnist.files[0]!.bytes).toBeGreaterThan(100);
  });
});

describe('planData on the fixture', () => {
  it('uses every present source, with one test set each, and counts that add up', async () => {
    const p = await plan();
    expect(p.provenance.map((e) => e.source)).toEqual(Object.keys(FIXTURE_IMAGES));
    expect(p.tests.map((t) => t.name)).toEqual([
      'mnist-test',
      'emnist-test',
      'unipen-test',
      'chars74k',
    ]);
    for (const entry of p.provenance) {
      const { train, validation, test } = entry.counts;
      expect(train + validation + test + entry.dropped, entry.source).toBe(
        FIXTURE_IMAGES[entry.source as keyof typeof FIXTURE_IMAGES],
      );
    }
    const sum = (part: 'train' | 'validation') =>
      p.provenance.reduce((total, e) => total + e.counts[part], 0);
    expect(p.train.labels.length).toBe(sum('train'));
    expect(p.validation.labels.length).toBe(sum('validation'));
    for (const test of p.tests) {
      const source = Object.values(DATA_SOURCES).find((s) => s.testName === test.name)!;
      expect(test.labels.length).toBe(provenanceOf(p, source.name).counts.test);
    }
    expect(p.train.images.length).toBe(p.train.labels.length * IMAGE_PIXELS);
    expect(p.train.labelSet).toBe(LABEL_SETS.byclass62);
  });

  it('keeps official test sets, splits the others once with fixed seeds, holds out validation with seed', async () => {
    const p = await plan({ seed: 5 });
    const mnist = provenanceOf(p, 'mnist');
    expect(mnist.counts).toEqual({ train: 36, validation: 4, test: 20 });
    expect([mnist.splitSeed, mnist.validationSeed]).toEqual([null, 5]);
    const emnist = provenanceOf(p, 'emnist');
    expect([emnist.splitSeed, emnist.validationSeed]).toEqual([EMNIST_SPLIT_SEED, null]);
    expect(emnist.counts.test).toBeGreaterThanOrEqual(6);
    expect(emnist.counts.train).toBeGreaterThan(emnist.counts.test);
    expect(provenanceOf(p, 'unipen').splitSeed).toBe(UNIPEN_SPLIT_SEED);
    const chars = provenanceOf(p, 'chars74k');
    expect(chars.counts).toEqual({ train: 0, validation: 0, test: 30 });
    const partial = provenanceOf(p, 'emnist-partial');
    expect(partial.counts.test).toBe(0);
    expect(partial.validationSeed).toBe(5);

    const noValidation = await plan({ validationFraction: 0 });
    expect(provenanceOf(noValidation, 'mnist').counts).toEqual({
      train: 40,
      validation: 0,
      test: 20,
    });
  });

  it('puts no image in two splits and drops the emnist-partial duplicates of EMNIST test images', async () => {
    // foldCase keeps the merged-case EMNIST Letters classes, so that the duplicates are in play.
    const p = await plan({ foldCase: true, labelSet: LABEL_SETS.alnum36 });
    const partial = provenanceOf(p, 'emnist-partial');
    expect(partial.droppedDuplicates).toBe(5);
    const seen = new Map<string, string>();
    for (const ds of [p.train, p.validation, ...p.tests]) {
      for (const key of keys(ds)) {
        expect(seen.get(key), `image in ${ds.name} and ${seen.get(key)}`).toBeUndefined();
        seen.set(key, ds.name);
      }
    }
    // The duplicate really is in the fixture: image 4 of the letters test piece, as the plan
    // would read it, is an EMNIST ByClass test image and appears in the plan once.
    const piece = await loadEmnist(
      join(FIXTURES, 'emnist-partial/emnist-letters-test-AtoS-images-idx3-ubyte.gz'),
      join(FIXTURES, 'emnist-partial/emnist-letters-test-AtoS-labels-idx1-ubyte.gz'),
      join(FIXTURES, 'emnist-partial/emnist-letters-mapping.txt'),
      { transposed: false, renormalize: true },
    );
    const duplicate = keys(piece)[4]!;
    expect(seen.has(duplicate)).toBe(true);
  });

  it('never trains on Chars74K', async () => {
    const p = await plan({ foldCase: true, labelSet: LABEL_SETS.alnum36 });
    const chars = new Set(keys(p.tests.find((t) => t.name === 'chars74k')!));
    expect(chars.size).toBeGreaterThan(20);
    for (const key of [...keys(p.train), ...keys(p.validation)]) expect(chars.has(key)).toBe(false);
  });

  it('keeps each UNIPEN writer (contributor + writer id) in one split', async () => {
    const writerOf = new Map<string, string>();
    for (const category of ['1a-digits', '1b-uppercase', '1c-lowercase']) {
      const prefix = join(FIXTURES, `unipen/unipen-${category}`);
      const ds = await loadEmnist(
        `${prefix}-images-idx3-ubyte.gz`,
        `${prefix}-labels-idx1-ubyte.gz`,
        join(FIXTURES, 'unipen/unipen-byclass-mapping.txt'),
        { transposed: false, renormalize: false },
      );
      const rows = gunzipSync(await readFile(`${prefix}-metadata.csv.gz`))
        .toString('utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','));
      keys(ds).forEach((key, i) => writerOf.set(key, `${rows[i]![2]}/${rows[i]![3]}`));
    }
    const p = await plan();
    const writers = [p.train, p.validation, p.tests.find((t) => t.name === 'unipen-test')!].map(
      (ds) => new Set(keys(ds).flatMap((key) => writerOf.get(key) ?? [])),
    );
    const [train, validation, test] = writers as [Set<string>, Set<string>, Set<string>];
    expect(train.size).toBeGreaterThan(0);
    expect(validation.size + test.size).toBeGreaterThan(0);
    for (const writer of train) expect(validation.has(writer) || test.has(writer)).toBe(false);
    for (const writer of validation) expect(test.has(writer)).toBe(false);
    // aga/w02 and app/w02 are different writers: 10 in all.
    expect(train.size + validation.size + test.size).toBe(10);
  });

  it('maps into the label set, dropping and counting other classes', async () => {
    const p = await plan({ labelSet: LABEL_SETS.alnum36 });
    for (const ds of [p.train, p.validation, ...p.tests]) {
      expect(Math.max(...ds.labels)).toBeLessThan(36);
    }
    // Lowercase EMNIST and UNIPEN 1c, and the merged-case Letters classes, are dropped.
    expect(provenanceOf(p, 'unipen').dropped).toBe(30);
    const folded = await plan({ labelSet: LABEL_SETS.alnum36, foldCase: true });
    expect(provenanceOf(folded, 'unipen').dropped).toBe(0);
    const digits = await plan({ labelSet: LABEL_SETS.digits });
    // Chars74K has no digits: its test set is left out, its images counted as dropped.
    expect(digits.tests.map((t) => t.name)).toEqual(['mnist-test', 'emnist-test', 'unipen-test']);
    expect(provenanceOf(digits, 'chars74k').dropped).toBe(30);
  });

  it('records each file with its SHA-256 and size, relative to the data directory', async () => {
    const p = await plan({ sources: ['unipen'] });
    const files = provenanceOf(p, 'unipen').files;
    expect(files.map((f) => f.path)).toEqual(DATA_SOURCES.unipen.files);
    for (const file of files) {
      const bytes = await readFile(join(FIXTURES, file.path));
      expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(file.bytes).toBe(bytes.length);
    }
  });

  it('is deterministic across runs and caches the parsed sources', async () => {
    const freshCache = join(work, 'cache-determinism');
    const first = await plan({ cacheDir: freshCache });
    const cached = await readdir(join(freshCache, 'datasets'));
    expect(cached.length).toBeGreaterThanOrEqual(5);
    const second = await plan({ cacheDir: freshCache });
    for (const pick of [(q: DataPlan) => q.train, (q: DataPlan) => q.validation]) {
      expect(Buffer.from(pick(second).images).equals(Buffer.from(pick(first).images))).toBe(true);
      expect([...pick(second).labels]).toEqual([...pick(first).labels]);
    }
    expect(second.tests.map((t) => [...t.labels])).toEqual(first.tests.map((t) => [...t.labels]));
    expect(second.provenance).toEqual(first.provenance);
    const otherSeed = await plan({ cacheDir: freshCache, seed: 2 });
    expect(
      Buffer.from(otherSeed.validation.images).equals(Buffer.from(first.validation.images)),
    ).toBe(false);
  });

  it('names the files expected where when a source asked for is missing', async () => {
    await expect(plan({ sources: ['mnist', 'az-csv'] })).rejects.toThrow(
      /data source az-csv: expected kaggle\/A_Z Handwritten Data\.csv in .*fixtures\/sources; missing: kaggle\/A_Z Handwritten Data\.csv\naz-csv: [^]*kaggle\.com\/datasets\/sachinpatel21/,
    );
    const empty = join(work, 'empty');
    await mkdir(empty, { recursive: true });
    const error = await planData({
      dataDir: empty,
      cacheDir,
      labelSet: LABEL_SETS.alnum36,
      sources: ['mnist'],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect(String(error)).toMatch(
      /data source mnist: expected mnist\/train-images-idx3-ubyte\.gz, .* in .*empty; missing: .*run 'hcr data download mnist'/,
    );
    await expect(plan({ sources: ['nist'] })).rejects.toThrow(
      /unknown data source 'nist': expected one of mnist, emnist, unipen, chars74k, emnist-partial, az-csv, mnist-csv, synth/,
    );
    const none = await planData({ dataDir: empty, cacheDir, labelSet: LABEL_SETS.digits });
    expect([none.train.labels.length, none.tests.length, none.provenance.length]).toEqual([
      0, 0, 0,
    ]);
  });
});

/** A CSV of `rows` images: label, then 784 pixels, each image distinct. */
function csv(rows: number, classes: number, header: boolean, seed: number): string {
  const lines = header
    ? [['label', ...Array.from({ length: 784 }, (_, i) => `p${i}`)].join(',')]
    : [];
  for (let r = 0; r < rows; r++) {
    const pixels = new Array<number>(784).fill(0);
    pixels[(r * 37 + seed) % 784] = 255;
    pixels[(r * 11 + 3 * seed + 400) % 784] = 128;
    lines.push([r % classes, ...pixels].join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('planData with a folder of images per class', () => {
  it('reads folder:PATH as a source, maps its class folders and records every file', async () => {
    const folder = join(
      dirname(fileURLToPath(import.meta.url)),
      '..',
      'fixtures',
      'images',
      'folder',
    );
    const p = await plan({ sources: [`folder:${folder}`], labelSet: LABEL_SETS.alnum36 });
    const entry = provenanceOf(p, `folder:${folder}`);
    const total = entry.counts.train + entry.counts.validation + entry.counts.test;
    expect(total).toBe(5); // 6 files, one of them blank
    expect(entry.files.map((f) => f.path).sort()).toEqual([
      '7/s1.png',
      '7/s2.jpg',
      'A/a1.png',
      'A/a2.png',
      'B/b1.png',
    ]);
    for (const f of entry.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    const labels = [...p.train.labels, ...p.validation.labels, ...(p.tests[0]?.labels ?? [])];
    expect(new Set(labels.map((y) => LABEL_SETS.alnum36.classes[y]))).toEqual(
      new Set(['7', 'A', 'B']),
    );
  });
});

describe('planData with Kaggle CSVs and official EMNIST train', () => {
  it('splits az-csv once, reads mnist-csv, and leaves mnist-csv out by default when mnist is present', async () => {
    const dataDir = join(work, 'with-kaggle');
    await cp(FIXTURES, dataDir, { recursive: true });
    await mkdir(join(dataDir, 'kaggle'), { recursive: true });
    await writeFile(join(dataDir, 'kaggle/A_Z Handwritten Data.csv'), csv(52, 26, false, 1));
    await writeFile(join(dataDir, 'kaggle/mnist_train.csv'), csv(20, 10, true, 2));
    await writeFile(join(dataDir, 'kaggle/mnist_test.csv'), csv(10, 10, true, 3));
    const options = { dataDir, cacheDir, labelSet: LABEL_SETS.alnum36 };

    const byDefault = await planData(options);
    expect(byDefault.provenance.map((e) => e.source)).toContain('az-csv');
    expect(byDefault.provenance.map((e) => e.source)).not.toContain('mnist-csv');

    const p = await planData({ ...options, sources: ['az-csv', 'mnist-csv'] });
    expect(p.tests.map((t) => t.name)).toEqual(['az-csv-test', 'mnist-csv-test']);
    const az = provenanceOf(p, 'az-csv');
    expect(az.splitSeed).toBe(AZ_SPLIT_SEED);
    expect(az.counts.train + az.counts.validation + az.counts.test).toBe(52);
    expect(az.counts.test).toBeGreaterThanOrEqual(4);
    expect(provenanceOf(p, 'mnist-csv').counts).toEqual({ train: 18, validation: 2, test: 10 });
    // A-Z labels 0-25 are letters: A is class 10 of alnum36.
    const azTest = p.tests[0]!;
    expect(Math.min(...azTest.labels)).toBeGreaterThanOrEqual(10);
  });

  it('uses official EMNIST train and test when the train files are present', async () => {
    const dataDir = join(work, 'with-emnist-train');
    await cp(FIXTURES, dataDir, { recursive: true });
    const count = 12;
    const images = new Uint8Array(count * IMAGE_PIXELS);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < 40; k++) images[i * IMAGE_PIXELS + 200 + ((i * 13 + k * 7) % 300)] = 255;
    }
    const prefix = join(dataDir, 'emnist/emnist-byclass-train');
    await writeIdx(`${prefix}-images-idx3-ubyte.gz`, [count, 28, 28], images);
    await writeIdx(
      `${prefix}-labels-idx1-ubyte.gz`,
      [count],
      Uint8Array.from({ length: count }, (_, i) => i % 10),
    );
    const p = await planData({
      dataDir,
      cacheDir,
      labelSet: LABEL_SETS.byclass62,
      sources: ['emnist'],
      validationFraction: 0.25,
    });
    const emnist = provenanceOf(p, 'emnist');
    expect(emnist.splitSeed).toBeNull();
    expect(emnist.counts).toEqual({ train: 9, validation: 3, test: 80 });
    expect(emnist.files.map((f) => f.path)).toContain(
      'emnist/emnist-byclass-train-labels-idx1-ubyte.gz',
    );
  });
});

const realDataDir = process.env.HCR_DATA_DIR;

describe.skipIf(!realDataDir)('planData on the real data (HCR_DATA_DIR)', () => {
  it('plans alnum36 with the counts of docs/DATA.md', async () => {
    const p = await planData({
      dataDir: realDataDir!,
      cacheDir: join(tmpdir(), 'hcr-sources-real-cache'),
      labelSet: LABEL_SETS.alnum36,
    });
    const mnist = provenanceOf(p, 'mnist');
    expect(mnist.counts).toEqual({ train: 54000, validation: 6000, test: 10000 });
    const emnist = provenanceOf(p, 'emnist');
    // 57,918 digits + 31,346 uppercase kept, 27,059 lowercase dropped.
    expect(emnist.counts.train + emnist.counts.validation + emnist.counts.test).toBe(89264);
    expect(emnist.dropped).toBe(27059);
    expect(emnist.counts.test).toBeGreaterThan(8900);
    expect(emnist.counts.test).toBeLessThan(9000);
    const unipen = provenanceOf(p, 'unipen');
    // 15,953 digits + 28,069 uppercase, less the 246 training images that equal a UNIPEN test
    // image pixel for pixel (dropped since duplicates are dropped across every pair of sources);
    // the 61,360 lowercase are dropped as outside the label set.
    expect(unipen.droppedDuplicates).toBe(246);
    expect(unipen.duplicatesOf).toEqual({ 'unipen-test': 246 });
    expect(unipen.counts.train + unipen.counts.validation + unipen.counts.test).toBe(
      15953 + 28069 - 246,
    );
    expect(unipen.dropped).toBe(61360 + 246);
    expect(provenanceOf(p, 'chars74k').counts).toEqual({ train: 0, validation: 0, test: 26 * 55 });
    expect(provenanceOf(p, 'emnist-partial').droppedDuplicates).toBe(2061 + 496 + 1277 + 42);
    expect(provenanceOf(p, 'mnist').files[0]).toEqual({
      path: 'mnist/train-images-idx3-ubyte.gz',
      sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      bytes: 9912422,
    });
  }, 600_000);
});
