// No training or validation image equals a test image, across every pair of sources: fixtures
// that share an image between one source's training part and another's test set.

import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import type { Dataset } from '../../src/core/types.js';
import { planData } from '../../src/node/data/plan.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/sources');

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hcr-duplicates-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function image(ds: Dataset, i: number): number[] {
  return Array.from(ds.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS));
}

function csvRow(label: number, pixels: readonly number[]): string {
  return [label, ...pixels].join(',');
}

/** A distinct image per row: two lit pixels at places no fixture digit has alone. */
function ownImage(r: number): number[] {
  const pixels = new Array<number>(IMAGE_PIXELS).fill(0);
  pixels[(r * 37 + 5) % IMAGE_PIXELS] = 255;
  pixels[(r * 11 + 400) % IMAGE_PIXELS] = 130;
  return pixels;
}

describe('planData drops training images that equal another source’s test images', () => {
  it('drops them from training and validation, in both directions, and reports them', async () => {
    const dataDir = join(work, 'data');
    await cp(join(FIXTURES, 'mnist'), join(dataDir, 'mnist'), { recursive: true });
    const base = await planData({
      dataDir,
      cacheDir: join(work, 'cache'),
      labelSet: LABEL_SETS.digits,
      sources: ['mnist'],
    });
    const mnistTest = base.tests[0]!;
    const mnistTrainCount = base.train.labels.length + base.validation.labels.length;
    // mnist-csv trains on three MNIST test images; its own test set holds a MNIST training image.
    const header = ['label', ...Array.from({ length: IMAGE_PIXELS }, (_, i) => `p${i}`)].join(',');
    const train = [header];
    for (let r = 0; r < 20; r++) train.push(csvRow(r % 10, ownImage(r)));
    for (const i of [0, 1, 2]) train.push(csvRow(mnistTest.labels[i]!, image(mnistTest, i)));
    const test = [header];
    for (let r = 20; r < 30; r++) test.push(csvRow(r % 10, ownImage(r)));
    test.push(csvRow(base.train.labels[0]!, image(base.train, 0)));
    await mkdir(join(dataDir, 'kaggle'), { recursive: true });
    await writeFile(join(dataDir, 'kaggle/mnist_train.csv'), `${train.join('\n')}\n`);
    await writeFile(join(dataDir, 'kaggle/mnist_test.csv'), `${test.join('\n')}\n`);

    const plan = await planData({
      dataDir,
      cacheDir: join(work, 'cache'),
      labelSet: LABEL_SETS.digits,
      sources: ['mnist', 'mnist-csv'],
    });
    const csvSource = plan.provenance.find((p) => p.source === 'mnist-csv')!;
    const mnistSource = plan.provenance.find((p) => p.source === 'mnist')!;
    expect(csvSource.duplicatesOf).toEqual({ 'mnist-test': 3 });
    expect(csvSource.counts.train + csvSource.counts.validation).toBe(20);
    expect(csvSource.droppedDuplicates).toBe(3);
    expect(mnistSource.duplicatesOf).toEqual({ 'mnist-csv-test': 1 });
    expect(mnistSource.counts.train + mnistSource.counts.validation).toBe(mnistTrainCount - 1);
    // Nothing that trains or validates equals anything that tests.
    const tested = new Set(
      plan.tests.flatMap((t) => Array.from(t.labels, (_, i) => image(t, i).join(','))),
    );
    for (const ds of [plan.train, plan.validation]) {
      for (let i = 0; i < ds.labels.length; i++) {
        expect(tested.has(image(ds, i).join(','))).toBe(false);
      }
    }
  });
});
