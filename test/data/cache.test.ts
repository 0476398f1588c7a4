// The parsed-dataset cache: round trip, keys from source content, corrupt files rebuilt, and
// the source-hash memory that makes a second run fast.

import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LABEL_SETS, sourceLabelSet } from '../../src/core/label-sets.js';
import type { Dataset } from '../../src/core/types.js';
import {
  cachedDataset,
  datasetCachePath,
  readDatasetCache,
  writeDatasetCache,
  type DatasetCacheEvent,
} from '../../src/node/data/cache.js';
import { clearSha256Memo, sha256File } from '../../src/node/data/sha256.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => clearSha256Memo());

function sample(count: number, withGroups: boolean): Dataset {
  const images = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 13) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  const base = { name: 'sample', images, labels, labelSet: sourceLabelSet('abc', ['a', 'b', 'c']) };
  return withGroups
    ? { ...base, groups: Int32Array.from({ length: count }, (_, i) => i * 1000 - 7) }
    : base;
}

describe('writeDatasetCache / readDatasetCache', () => {
  it('round-trips a dataset with and without groups', async () => {
    for (const [count, groups] of [
      [5, true],
      [3, false],
      [0, false],
      [1, true],
    ] as const) {
      const file = join(dir, `rt-${count}-${groups}.hcrds`);
      const ds = sample(count, groups);
      const bytes = await writeDatasetCache(file, ds);
      expect((await stat(file)).size).toBe(bytes);
      const back = await readDatasetCache(file);
      expect(back?.name).toBe('sample');
      expect(back?.images).toEqual(ds.images);
      expect(back?.labels).toEqual(ds.labels);
      expect(back?.labelSet).toEqual({ name: 'abc', classes: ['a', 'b', 'c'] });
      expect(back?.groups).toEqual(ds.groups);
    }
  });

  it('gives back the registered label set object for a named set', async () => {
    const file = join(dir, 'letters.hcrds');
    await writeDatasetCache(file, { ...sample(2, false), labelSet: LABEL_SETS.letters });
    expect((await readDatasetCache(file))?.labelSet).toBe(LABEL_SETS.letters);
  });

  it('returns undefined for a missing file', async () => {
    expect(await readDatasetCache(join(dir, 'none.hcrds'))).toBeUndefined();
  });

  it('refuses truncated, bit-flipped and foreign files', async () => {
    const file = join(dir, 'good.hcrds');
    await writeDatasetCache(file, sample(4, true));
    const good = await readFile(file);
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'truncated',
        good.subarray(0, good.length - 3),
        /expected \d+ bytes of data for 4 images, file has \d+$/,
      ],
      [
        'flipped',
        Buffer.from(good).fill(9, good.length - 40, good.length - 39),
        /checksum .* does not match/,
      ],
      [
        'foreign',
        Buffer.from('PK\x03\x04 not a cache at all'),
        /expected a dataset cache starting with/,
      ],
      ['cut-header', good.subarray(0, 20), /header of \d+ bytes runs past the end/],
      ['empty', new Uint8Array(0), /expected a dataset cache/],
    ];
    for (const [label, bytes, message] of cases) {
      const path = join(dir, `${label}.hcrds`);
      await writeFile(path, bytes);
      await expect(readDatasetCache(path), label).rejects.toThrow(message);
    }
  });
});

describe('cachedDataset', () => {
  it('loads once, then serves from the cache; a changed source changes the key', async () => {
    const cacheDir = join(dir, 'c1');
    const source = join(dir, 'source.csv');
    await writeFile(source, 'v1');
    let loads = 0;
    const load = async (): Promise<Dataset> => {
      loads++;
      return sample(3, false);
    };
    const events: DatasetCacheEvent['kind'][] = [];
    const onEvent = (e: DatasetCacheEvent): void => void events.push(e.kind);
    const key = { sources: [source], variant: 'test:v1' };
    await cachedDataset(key, cacheDir, load, { onEvent });
    const second = await cachedDataset(key, cacheDir, load, { onEvent });
    expect(loads).toBe(1);
    expect(second.labels).toEqual(sample(3, false).labels);
    expect(events).toEqual(['miss', 'written', 'hit']);
    expect(await readdir(join(cacheDir, 'datasets'))).toHaveLength(1);

    await cachedDataset({ ...key, variant: 'test:v2' }, cacheDir, load);
    expect(loads).toBe(2);
    await writeFile(source, 'v2');
    await cachedDataset(key, cacheDir, load);
    expect(loads).toBe(3);
    expect(await readdir(join(cacheDir, 'datasets'))).toHaveLength(3);
  });

  it('keys by content, not by path', async () => {
    const a = join(dir, 'same-a.bin');
    const b = join(dir, 'same-b.bin');
    await writeFile(a, 'same bytes');
    await writeFile(b, 'same bytes');
    const cacheDir = join(dir, 'c2');
    expect(await datasetCachePath({ sources: [a], variant: 'x' }, cacheDir)).toBe(
      await datasetCachePath({ sources: [b], variant: 'x' }, cacheDir),
    );
    expect(await datasetCachePath({ sources: [a, b], variant: 'x' }, cacheDir)).not.toBe(
      await datasetCachePath({ sources: [a], variant: 'x' }, cacheDir),
    );
  });

  it('rebuilds a corrupt cache file instead of trusting it', async () => {
    const cacheDir = join(dir, 'c3');
    const source = join(dir, 'src3.bin');
    await writeFile(source, 'data');
    const key = { sources: [source], variant: 'v' };
    await cachedDataset(key, cacheDir, async () => sample(2, true));
    const file = await datasetCachePath(key, cacheDir);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 1));
    const events: DatasetCacheEvent[] = [];
    let loads = 0;
    const ds = await cachedDataset(
      key,
      cacheDir,
      async () => {
        loads++;
        return sample(2, true);
      },
      { onEvent: (e) => events.push(e) },
    );
    expect(loads).toBe(1);
    expect(ds.groups).toEqual(sample(2, true).groups);
    expect(events.map((e) => e.kind)).toEqual(['corrupt', 'written']);
    expect(events[0]).toMatchObject({ reason: expect.stringMatching(/file has/) });
    expect(await readDatasetCache(file)).toBeDefined();
  });

  it('still returns the data when the cache cannot be written', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'file where the cache folder should be');
    const source = join(dir, 'src4.bin');
    await writeFile(source, 'x');
    const events: DatasetCacheEvent['kind'][] = [];
    const ds = await cachedDataset(
      { sources: [source], variant: 'v' },
      join(blocker, 'sub'),
      async () => sample(1, false),
      { onEvent: (e) => void events.push(e.kind) },
    );
    expect(ds.labels.length).toBe(1);
    expect(events).toEqual(['miss', 'write-failed']);
  });
});

describe('sha256File', () => {
  it('hashes a file and remembers the hash across runs in hashes.json', async () => {
    const file = join(dir, 'abc.txt');
    await writeFile(file, 'abc');
    const cacheDir = join(dir, 'h1');
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await sha256File(file, { cacheDir })).toBe(abc);
    const store = JSON.parse(await readFile(join(cacheDir, 'hashes.json'), 'utf8'));
    expect(Object.values(store)).toEqual([expect.objectContaining({ sha256: abc, size: 3 })]);

    // A "second run": the memo is cleared, the store answers. Prove it by planting a hash.
    clearSha256Memo();
    const [path] = Object.keys(store) as [string];
    store[path].sha256 = 'f'.repeat(64);
    await writeFile(join(cacheDir, 'hashes.json'), JSON.stringify(store));
    expect(await sha256File(file, { cacheDir })).toBe('f'.repeat(64));

    // A changed mtime (same size) is hashed again.
    clearSha256Memo();
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    expect(await sha256File(file, { cacheDir })).toBe(abc);
  });

  it('sees a file replaced by one of the same size and mtime (issue 13)', async () => {
    const file = join(dir, 'forged.txt');
    const cacheDir = join(dir, 'h3');
    const when = new Date('2024-01-02T03:04:05Z');
    await writeFile(file, 'abc');
    await utimes(file, when, when);
    const before = await stat(file);
    expect(await sha256File(file, { cacheDir })).toMatch(/^ba7816bf/);
    // Same size, content changed, mtime set back: only the ctime (and maybe the inode) moves.
    // Wait for the ctime clock to tick past the first write's.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(file, 'xyz');
    await utimes(file, when, when);
    const after = await stat(file);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    const xyz = '3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282';
    // In the same process (the memo) and in a later one (hashes.json).
    expect(await sha256File(file, { cacheDir })).toBe(xyz);
    clearSha256Memo();
    expect(await sha256File(file, { cacheDir })).toBe(xyz);
  });

  it('ignores an unreadable hashes.json and reports a missing file as NOT_FOUND', async () => {
    const cacheDir = join(dir, 'h2');
    await expect(sha256File(join(dir, 'missing.bin'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const file = join(dir, 'empty.bin');
    await writeFile(file, '');
    await mkdir(cacheDir, { recursive: true });
    await writeFile(join(cacheDir, 'hashes.json'), '{ not json');
    expect(await sha256File(file, { cacheDir })).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
