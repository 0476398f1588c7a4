// A folder source (`folder:PATH`) tells what it leaves out: class folders that are no class of
// the label set and files at its root are named in a warning event and in the provenance, never
// decoded; a folder none of whose class folders is a class is an error. The CLI prints the
// warning on stderr.

import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { dataProgressRenderer } from '../../src/node/cli/progress.js';
import { loadImageFolder } from '../../src/node/data/folder.js';
import { planData, type PlanProgress } from '../../src/node/data/plan.js';

const FOLDER = join(import.meta.dirname, '..', 'fixtures', 'images', 'folder');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hcr-folder-source-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The fixture folder (7/, A/, B/) plus `extra` class folders (each one image) and root files. */
async function folderWith(name: string, extra: string[], rootFiles: string[]): Promise<string> {
  const dir = join(work, name);
  await cp(FOLDER, dir, { recursive: true });
  for (const cls of extra) {
    await mkdir(join(dir, cls));
    await copyFile(join(FOLDER, 'A', 'a1.png'), join(dir, cls, 'x.png'));
  }
  for (const file of rootFiles) await writeFile(join(dir, file), 'not an image');
  return dir;
}

async function plan(dir: string, labelSet = LABEL_SETS.digits, foldCase = false) {
  const events: PlanProgress[] = [];
  const result = await planData({
    dataDir: join(work, 'no-data'),
    cacheDir: join(work, 'cache'),
    labelSet,
    foldCase,
    sources: [`folder:${dir}`],
    onProgress: (p) => events.push(p),
  });
  return { result, warnings: events.filter((e) => e.phase === 'warning') };
}

const total = (counts: { train: number; validation: number; test: number }) =>
  counts.train + counts.validation + counts.test;

describe('a folder source', () => {
  it('names the class folders outside the label set and the files at its root, and reads the rest', async () => {
    const dir = await folderWith('digits', ['X', '10'], ['README.txt', 'stray.png']);
    const { result, warnings } = await plan(dir);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.source).toBe(`folder:${dir}`);
    expect(warnings[0]!.message).toMatch(
      /: left out class folder\(s\) 10, A, B, X \(not classes of label set digits\) and file\(s\) at its root README\.txt, stray\.png \(only class folders are read\)$/,
    );
    const entry = result.provenance[0]!;
    expect(entry.notRead).toEqual({
      folders: ['10', 'A', 'B', 'X'],
      files: ['README.txt', 'stray.png'],
    });
    // Only 7/ is read: its two images; nothing of the others was decoded or counted as dropped.
    expect(total(entry.counts)).toBe(2);
    expect(entry.files.map((f) => f.path).sort()).toEqual(['7/s1.png', '7/s2.jpg']);
    expect(entry.dropped).toBe(0);
  });

  it('warns nothing and records nothing when every class folder is read', async () => {
    const { result, warnings } = await plan(FOLDER, LABEL_SETS.alnum36);
    expect(warnings).toEqual([]);
    expect(result.provenance[0]!.notRead).toBeUndefined();
  });

  it('says when folding case would take a lowercase folder in', async () => {
    const dir = await folderWith('lower', ['a'], []);
    const { warnings } = await plan(dir, LABEL_SETS.alnum36);
    expect(warnings[0]!.message).toMatch(
      /class folder\(s\) a \(not classes of label set alnum36; a would map with foldCase\)$/,
    );
    const folded = await plan(dir, LABEL_SETS.alnum36, true);
    expect(folded.warnings).toEqual([]);
    expect(total(folded.result.provenance[0]!.counts)).toBe(6);
  });

  it('is an error when no class folder is a class of the label set', async () => {
    const dir = join(work, 'none');
    await mkdir(join(dir, 'X'), { recursive: true });
    await mkdir(join(dir, '10'));
    await copyFile(join(FOLDER, 'A', 'a1.png'), join(dir, 'X', 'x.png'));
    await expect(plan(dir)).rejects.toThrow(
      /none: no class folder is a class of label set digits: expected folders named 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, found 10, X$/,
    );
  });

  it('loadImageFolder leaves out the folders `include` rejects, undecoded', async () => {
    const dir = await folderWith('include', ['broken'], []);
    // broken/ holds a file that is not an image: decoding it would throw.
    await writeFile(join(dir, 'broken', 'y.png'), 'not a png');
    const ds = await loadImageFolder(dir, { include: (folder) => folder !== 'broken' });
    expect(ds.excluded).toEqual(['broken']);
    expect(ds.labelSet.classes).toEqual(['7', 'A', 'B']);
    await expect(loadImageFolder(dir)).rejects.toThrow(/broken/);
  });

  it('the CLI prints the warning on stderr', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const render = dataProgressRenderer({ stream });
    render({ phase: 'warning', source: 'folder:x', message: 'x: left out file(s) at its root a' });
    expect(text).toBe('warning: x: left out file(s) at its root a\n');
  });
});
