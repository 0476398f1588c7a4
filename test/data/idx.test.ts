// IDX reading: gzip detection by content, header checks, the error messages that name the
// file, and the speed on real MNIST when HCR_DATA_DIR is set.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import {
  loadIdxPair,
  readIdx,
  readIdxImages,
  readIdxLabels,
  writeIdx,
} from '../../src/node/data/idx.js';
import { digitFixture } from '../fixtures/make-fixtures.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'data');
const imagesGz = join(fixtures, 'digits-images-idx3-ubyte.gz');
const labelsGz = join(fixtures, 'digits-labels-idx1-ubyte.gz');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-idx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readIdx', () => {
  it('reads the gzip fixture: 20 images of 28x28 and 20 labels', async () => {
    const { count, rows, cols, images } = await readIdxImages(imagesGz);
    expect([count, rows, cols, images.length]).toEqual([20, 28, 28, 20 * 784]);
    expect(images).toEqual(digitFixture().images);
    const labels = await readIdxLabels(labelsGz);
    expect(Array.from(labels)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('detects gzip from the content, not the name', async () => {
    const plainNamedGz = join(dir, 'plain-but-named.gz');
    await writeFile(plainNamedGz, gunzipSync(await readFile(labelsGz)));
    const gzNamedPlain = join(dir, 'gzip-but-named.idx1');
    await writeFile(gzNamedPlain, await readFile(labelsGz));
    expect(await readIdxLabels(plainNamedGz)).toEqual(await readIdxLabels(labelsGz));
    expect(await readIdxLabels(gzNamedPlain)).toEqual(await readIdxLabels(labelsGz));
  });

  it('returns magic and dimensions', async () => {
    const idx = await readIdx(imagesGz);
    expect(idx.magic).toBe(2051);
    expect(idx.dims).toEqual([20, 28, 28]);
  });

  it('round-trips writeIdx, compressed and not', async () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
    for (const file of ['t.idx', 't.idx.gz']) {
      await writeIdx(join(dir, file), [2, 3, 4], data);
      const idx = await readIdx(join(dir, file));
      expect(idx).toEqual({ magic: 0x0803, dims: [2, 3, 4], data });
    }
    const raw = await readFile(join(dir, 't.idx'));
    expect(raw.length).toBe(16 + 24);
    expect((await readFile(join(dir, 't.idx.gz')))[0]).toBe(0x1f);
  });

  it('reports a truncated gzip file as truncated or corrupt, naming it', async () => {
    const bytes = await readFile(imagesGz);
    const truncated = join(dir, 'cut-images-idx3-ubyte.gz');
    await writeFile(truncated, bytes.subarray(0, bytes.length - 100));
    await expect(readIdxImages(truncated)).rejects.toThrow(
      /^cut-images-idx3-ubyte\.gz: gzip stream is truncated or corrupt \(unexpected end of file\)$/,
    );
    await expect(readIdxImages(truncated)).rejects.toMatchObject({ code: 'BAD_DATA' });
  });

  it('reports a corrupt gzip file', async () => {
    const bytes = Buffer.from(await readFile(imagesGz));
    bytes.fill(0xff, 40, 200);
    const corrupt = join(dir, 'bad.gz');
    await writeFile(corrupt, bytes);
    await expect(readIdx(corrupt)).rejects.toThrow(
      /^bad\.gz: gzip stream is truncated or corrupt \(/,
    );
  });

  it('rejects the wrong magic', async () => {
    await expect(readIdxImages(labelsGz)).rejects.toThrow(
      /^digits-labels-idx1-ubyte\.gz: expected IDX magic 2051, got 2049$/,
    );
    await expect(readIdxLabels(imagesGz)).rejects.toThrow(/expected IDX magic 2049, got 2051$/);
  });

  it('rejects a file that is not IDX at all', async () => {
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'hello world, not idx');
    await expect(readIdx(text)).rejects.toThrow(
      /^notes\.txt: expected IDX magic 0x0000080N \(unsigned bytes, N dimensions\), got 0x68656c6c$/,
    );
  });

  it('rejects data that does not match the header size', async () => {
    const raw = gunzipSync(await readFile(imagesGz));
    const short = join(dir, 'short-images.idx3');
    await writeFile(short, raw.subarray(0, 16 + 15000));
    await expect(readIdxImages(short)).rejects.toThrow(
      /^short-images\.idx3: header says 20 images of 28x28 = 15680 bytes, file has 15000$/,
    );
    const long = join(dir, 'long-labels.idx1');
    const labels = gunzipSync(await readFile(labelsGz));
    await writeFile(long, Buffer.concat([labels, Buffer.from([1, 2])]));
    await expect(readIdxLabels(long)).rejects.toThrow(
      /header says 20 labels = 20 bytes, file has 22$/,
    );
    const tiny = join(dir, 'tiny.idx');
    await writeFile(tiny, Buffer.from([0, 0, 8, 3, 0, 0]));
    await expect(readIdx(tiny)).rejects.toThrow(
      /^tiny\.idx: header of 3 dimensions needs 16 bytes, file has 6$/,
    );
  });

  it('requires 28x28 images', async () => {
    const path = join(dir, 'big-images.idx3');
    await writeIdx(path, [1, 32, 32], new Uint8Array(32 * 32));
    await expect(readIdxImages(path)).rejects.toThrow(
      /^big-images\.idx3: expected 28x28 images, got 32x32$/,
    );
  });

  it('reports a missing file as NOT_FOUND', async () => {
    await expect(readIdx(join(dir, 'nope.gz'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/nope\.gz: no such file$/),
    });
  });
});

describe('loadIdxPair', () => {
  it('loads images and labels as a dataset', async () => {
    const ds = await loadIdxPair(imagesGz, labelsGz, LABEL_SETS.digits, 'fixture-digits');
    expect(ds.name).toBe('fixture-digits');
    expect(ds.labelSet).toBe(LABEL_SETS.digits);
    expect(ds.labels.length).toBe(20);
    expect(ds.images.length).toBe(20 * 784);
    expect(ds.groups).toBeUndefined();
  });

  it('rejects a count mismatch, naming both files', async () => {
    const labels19 = join(dir, 'labels19-idx1-ubyte');
    await writeIdx(labels19, [19], new Uint8Array(19));
    await expect(loadIdxPair(imagesGz, labels19, LABEL_SETS.digits, 'x')).rejects.toThrow(
      /^digits-images-idx3-ubyte\.gz has 20 images but labels19-idx1-ubyte has 19 labels$/,
    );
  });

  it('rejects a label outside the label set', async () => {
    const labels = new Uint8Array(20);
    labels[12] = 10;
    const path = join(dir, 'labels-bad-idx1-ubyte');
    await writeIdx(path, [20], labels);
    await expect(loadIdxPair(imagesGz, path, LABEL_SETS.digits, 'x')).rejects.toThrow(
      /^labels-bad-idx1-ubyte: label 10 at index 12 is not in label set digits \(0-9\)$/,
    );
  });
});

const dataDir = process.env.HCR_DATA_DIR;
describe.skipIf(!dataDir)('real MNIST (HCR_DATA_DIR)', () => {
  it('loads train (60000) in well under a second', async () => {
    const start = performance.now();
    const ds = await loadIdxPair(
      join(dataDir!, 'mnist', 'train-images-idx3-ubyte.gz'),
      join(dataDir!, 'mnist', 'train-labels-idx1-ubyte.gz'),
      LABEL_SETS.digits,
      'mnist-train',
    );
    const ms = performance.now() - start;
    expect(ds.labels.length).toBe(60000);
    expect(ds.labels.filter((l) => l === 1).length).toBe(6742);
    expect(ms).toBeLessThan(1000);
  });
});
