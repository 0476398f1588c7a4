// The synthetic-styles source: reserved families refused (library and CLI), generation
// reproducible from a seed, held-out families only in styles-test (per family), UNIPEN
// trajectories re-inked only for UNIPEN's training writers, provenance in the plan.

import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import { planData } from '../../src/node/data/plan.js';
import { unipenTrainRows } from '../../src/node/data/sources/index.js';
import {
  FONT_FAMILIES,
  RESERVED_FAMILIES,
  assertNotReserved,
  selectFamilies,
} from '../../src/node/data/synth/families.js';
import { SYNTH_FILES, UNIPEN_STROKE_FILES } from '../../src/node/data/synth/files.js';
import { generateSynth } from '../../src/node/data/synth/generate.js';
import { runCli } from '../helpers/cli.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/sources');
const CATEGORIES = ['1a-digits', '1b-uppercase', '1c-lowercase'];

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hcr-synth-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A data folder with the fixture's UNIPEN and a stroke file per category (one short stroke per image). */
async function dataDirWithStrokes(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(join(FIXTURES, 'unipen'), join(dir, 'unipen'), { recursive: true });
  for (const [k, category] of CATEGORIES.entries()) {
    const csv = gunzipSync(
      await readFile(join(FIXTURES, 'unipen', `unipen-${category}-metadata.csv.gz`)),
    )
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const rows = csv.map(([index, char, contributor, writerId]) =>
      JSON.stringify({
        index: Number(index),
        label: char,
        contributor,
        writer_id: writerId,
        strokes: [
          [0, 0, 300, 500, 0, 1000],
          [600, 0, 600, 1000],
        ],
      }),
    );
    await mkdir(join(dir, 'unipen-strokes'), { recursive: true });
    await writeFile(join(dir, UNIPEN_STROKE_FILES[k]!), gzipSync(`${rows.join('\n')}\n`));
  }
  return dir;
}

describe('reserved families', () => {
  it('refuses each reserved family by name or package, naming the reserved list', () => {
    for (const name of [
      ...RESERVED_FAMILIES,
      'comic neue',
      '@fontsource/comic-neue',
      'fonts-bwht',
      'fonts-dkg-handwriting',
      'fonts-sjfonts',
      'Yusei Magic',
    ]) {
      expect(() => assertNotReserved(name), name).toThrow(/reserved for evaluation.*Comic Neue/);
    }
    expect(() => selectFamilies(['Caveat', 'Humor Sans'])).toThrow(/Humor Sans.*reserved/);
    expect(() => assertNotReserved('Caveat')).not.toThrow();
  });

  it('has none of them among the families it renders', () => {
    for (const family of FONT_FAMILIES) expect(() => assertNotReserved(family.name)).not.toThrow();
  });

  it('hcr data synth --families with a reserved family exits 2 with the list', async () => {
    const run = await runCli(
      'data',
      'synth',
      '--data-dir',
      join(work, 'refused'),
      '--families',
      'Caveat,Rufscript',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Rufscript.*reserved for evaluation.*Because We Had To/);
  });

  it('holds whole families out, never split across train and test', () => {
    const test = FONT_FAMILIES.filter((f) => f.split === 'test');
    expect(test.length).toBeGreaterThanOrEqual(6);
    expect(new Set(FONT_FAMILIES.map((f) => f.name)).size).toBe(FONT_FAMILIES.length);
  });
});

describe('generateSynth', () => {
  const options = {
    families: ['Caveat', 'Kalam'],
    trainVariants: 2,
    testVariants: 1,
  };

  it('is reproducible from its seed and different for another seed', async () => {
    const a = join(work, 'a');
    const b = join(work, 'b');
    const c = join(work, 'c');
    await generateSynth({ dataDir: a, seed: 3, penVariants: 0, ...options });
    await generateSynth({ dataDir: b, seed: 3, penVariants: 0, ...options });
    await generateSynth({ dataDir: c, seed: 4, penVariants: 0, ...options });
    const images = (dir: string) => readFile(join(dir, SYNTH_FILES.images));
    expect((await images(a)).equals(await images(b))).toBe(true);
    expect((await images(a)).equals(await images(c))).toBe(false);
    const manifest = JSON.parse(await readFile(join(a, SYNTH_FILES.manifest), 'utf8'));
    expect(manifest.counts).toEqual({ train: 62 * 2, test: 62 });
    const caveat = manifest.families.find((f: { name: string }) => f.name === 'Caveat');
    expect(caveat).toMatchObject({ package: '@fontsource/caveat', split: 'train' });
    expect(caveat.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(caveat.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('re-inks UNIPEN trajectories of training writers only, and the plan reads it all', async () => {
    const dataDir = await dataDirWithStrokes('pens');
    const cacheDir = join(work, 'cache');
    const manifest = await generateSynth({
      dataDir,
      seed: 1,
      penVariants: 1,
      penRows: await unipenTrainRows({ dataDir, cacheDir }),
      ...options,
    });
    const plan = await planData({
      dataDir,
      cacheDir,
      labelSet: LABEL_SETS.byclass62,
      sources: ['unipen', 'synth'],
      validationFraction: 0,
    });
    // Which writers UNIPEN trains on, from the plan's own split of the fixture.
    const trainRows = await unipenTrainRows({ dataDir, cacheDir });
    let trainWriterRows = 0;
    for (const file of UNIPEN_STROKE_FILES) trainWriterRows += (await trainRows(file)).size;
    expect(manifest.pens.trajectories).toBe(trainWriterRows);
    expect(manifest.pens.images).toBe(trainWriterRows);
    const metadata = gunzipSync(await readFile(join(dataDir, SYNTH_FILES.metadata)))
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const penWriters = new Set(metadata.filter((r) => r[1] === 'pen').map((r) => r[3]!));
    const testWriters = new Set<string>();
    for (const [k, category] of CATEGORIES.entries()) {
      const rows = await trainRows(UNIPEN_STROKE_FILES[k]!);
      const csv = await readFile(join(dataDir, 'unipen', `unipen-${category}-metadata.csv.gz`));
      gunzipSync(csv)
        .toString('utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .filter((cells) => !rows.has(Number(cells[0])))
        .forEach((cells) => testWriters.add(`${cells[2]}/${cells[3]}`));
    }
    expect(testWriters.size).toBeGreaterThan(0);
    expect(penWriters.size).toBeGreaterThan(0);
    for (const writer of penWriters) expect(testWriters.has(writer), writer).toBe(false);

    const styles = plan.tests.find((t) => t.name === 'styles-test')!;
    expect(styles.labels.length).toBe(62);
    expect(styles.groupNames).toEqual(['Kalam']);
    const synth = plan.provenance.find((p) => p.source === 'synth')!;
    expect(synth.counts.test).toBe(62);
    expect(synth.counts.train).toBe(62 * 2 + trainWriterRows - synth.droppedDuplicates);
    expect(synth.synthesis?.families.map((f) => f.name)).toEqual(['Caveat', 'Kalam']);
    expect(synth.files.map((f) => f.path)).toEqual(Object.values(SYNTH_FILES));
    // Every image holds ink in the MNIST convention.
    for (let i = 0; i < styles.labels.length; i++) {
      const pixels = styles.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      expect(Math.max(...pixels)).toBeGreaterThan(128);
    }
  });
});
