// Image folders: one sub-folder per class, decoded and normalized like predict's input, blank
// images skipped, dotfiles ignored, and errors for unknown classes and non-images.

import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { FOLDER_DEFAULTS, loadImageFolder } from '../../src/node/data/folder.js';
import { loadImageForModel } from '../../src/node/image/decode.js';

const folder = join(import.meta.dirname, '..', 'fixtures', 'images', 'folder');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-folder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function copyFixture(name: string): Promise<string> {
  const target = join(dir, name);
  await cp(folder, target, { recursive: true });
  return target;
}

describe('loadImageFolder', () => {
  it('uses the sorted folder names as classes without a label set', async () => {
    expect(FOLDER_DEFAULTS.concurrency).toBe(4);
    const ds = await loadImageFolder(folder);
    expect(ds.name).toBe('folder');
    expect(ds.labelSet).toEqual({ name: 'folder', classes: ['7', 'A', 'B'] });
    expect(ds.files).toEqual(['7/s1.png', '7/s2.jpg', 'A/a1.png', 'A/a2.png', 'B/b1.png']);
    expect(Array.from(ds.labels)).toEqual([0, 0, 1, 1, 2]);
    expect(ds.skipped).toEqual(['B/blank.png']);
    expect(ds.ignored).toEqual([]);
    expect(ds.images.length).toBe(5 * 784);
  });

  it('gives each image exactly what predict would give the model', async () => {
    const ds = await loadImageFolder(folder, { concurrency: 1 });
    const { normalized } = await loadImageForModel(join(folder, 'A', 'a2.png'));
    expect(ds.images.subarray(3 * 784, 4 * 784)).toEqual(normalized.pixels);
  });

  it('labels by a given label set, in its class order', async () => {
    const events: { done: number; total: number; skipped: number }[] = [];
    const ds = await loadImageFolder(folder, {
      labelSet: LABEL_SETS.alnum36,
      name: 'mine',
      concurrency: 2,
      onProgress: (p) => events.push(p),
    });
    expect(ds.name).toBe('mine');
    expect(ds.labelSet).toBe(LABEL_SETS.alnum36);
    expect(ds.files).toEqual(['7/s1.png', '7/s2.jpg', 'A/a1.png', 'A/a2.png', 'B/b1.png']);
    expect(Array.from(ds.labels)).toEqual([7, 7, 10, 10, 11]);
    expect(events.length).toBe(6);
    expect(events[events.length - 1]).toEqual({ done: 6, total: 6, skipped: 1 });
  });

  it('rejects a folder that is not a class of the label set, listing the valid ones', async () => {
    await expect(loadImageFolder(folder, { labelSet: LABEL_SETS.digits })).rejects.toThrow(
      /folder 'A' is not a class of label set digits: expected one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9$/,
    );
  });

  it('rejects a file that is not an image, naming it', async () => {
    const copy = await copyFixture('with-text');
    await writeFile(join(copy, 'A', 'notes.txt'), 'not an image');
    await expect(loadImageFolder(copy)).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message: 'A/notes.txt: not an image that can be decoded (PNG, JPEG, WebP, GIF, TIFF, SVG)',
    });
  });

  it('ignores top-level files and rejects nested folders', async () => {
    const copy = await copyFixture('with-readme');
    await writeFile(join(copy, 'README.md'), '# my letters');
    expect((await loadImageFolder(copy)).ignored).toEqual(['README.md']);
    await mkdir(join(copy, 'B', 'more'));
    await expect(loadImageFolder(copy)).rejects.toThrow(
      /more: nested folder in class folder 'B', expected image files only$/,
    );
  });

  it('rejects a missing folder, a file and a folder without class folders', async () => {
    await expect(loadImageFolder(join(dir, 'none'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const file = join(dir, 'file.png');
    await writeFile(file, 'x');
    await expect(loadImageFolder(file)).rejects.toThrow(/not a folder/);
    const flat = join(dir, 'flat');
    await mkdir(flat);
    await writeFile(join(flat, 'a.png'), 'x');
    await expect(loadImageFolder(flat)).rejects.toThrow(
      /flat: no class folders, expected one sub-folder per class/,
    );
  });
});
