// Benchmark of the dataset loaders on the biggest source: a CSV of the size and shape of
// Kaggle's `A_Z Handwritten Data.csv` (372,450 rows of a label and 784 pixels, mostly zeros,
// ~700 MB), generated once into the OS temp folder, parsed by parseCsvDataset; then the load
// time of the parsed-dataset cache for 442k images (A-Z plus MNIST's 70k).
// Run: `npm run bench:csv` (options: --rows N, --keep-cache).

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createRandom } from '../src/core/random.js';
import { LABEL_SETS } from '../src/core/label-sets.js';
import type { Dataset } from '../src/core/types.js';
import { cachedDataset, readDatasetCache, writeDatasetCache } from '../src/node/data/cache.js';
import { parseCsvDataset } from '../src/node/data/csv.js';
import { parseBenchArgs } from './args.js';

const AZ_ROWS = 372_450;
const CACHE_IMAGES = 442_450;
const TEMPLATES = 997;

const options = parseBenchArgs(
  'bench:csv',
  "Parse time of a CSV the size of Kaggle's A-Z set, and the load time of the parsed-dataset cache.",
  {
    rows: {
      flags: '--rows <n>',
      description: 'rows of the CSV',
      parse: 'positive',
      default: AZ_ROWS,
    },
    keepCache: { flags: '--keep-cache', description: 'keep the cache folder afterwards' },
  },
);

// A glyph like the Kaggle ones: 2-4 anti-aliased strokes of ~2.5 px pen in the 20x20 box,
// so ~20% of the pixels are ink with edge values of 1-3 digits.
function templateRow(rand: () => number): string {
  const strokes: [number, number][][] = [];
  const count = 2 + Math.floor(rand() * 3);
  for (let s = 0; s < count; s++) {
    const points: [number, number][] = [];
    const n = 2 + Math.floor(rand() * 3);
    for (let k = 0; k < n; k++) points.push([4 + rand() * 20, 4 + rand() * 20]);
    strokes.push(points);
  }
  const cells: number[] = [];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      let best = Infinity;
      for (const points of strokes) {
        for (let k = 0; k + 1 < points.length; k++) {
          const [ax, ay] = points[k]!;
          const [bx, by] = points[k + 1]!;
          const dx = bx - ax;
          const dy = by - ay;
          const t = Math.max(
            0,
            Math.min(1, ((x + 0.5 - ax) * dx + (y + 0.5 - ay) * dy) / (dx * dx + dy * dy)),
          );
          best = Math.min(best, Math.hypot(x + 0.5 - ax - t * dx, y + 0.5 - ay - t * dy));
        }
      }
      cells.push(Math.round(255 * Math.max(0, Math.min(1, 1.6 - best))));
    }
  }
  return cells.join(',');
}

async function ensureCsv(path: string, rows: number): Promise<number> {
  const rand = createRandom(42);
  const templates = Array.from({ length: TEMPLATES }, () => templateRow(rand));
  const line = (i: number): string => `${i % 26},${templates[i % TEMPLATES]}\n`;
  let expected = 0;
  for (let i = 0; i < rows; i++) expected += line(i).length;
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === expected) return expected;
  console.log(`writing ${(expected / 1e6).toFixed(0)} MB of CSV to ${path} (once) ...`);
  const out = createWriteStream(path);
  let batch: string[] = [];
  for (let i = 0; i < rows; i++) {
    batch.push(line(i));
    if (batch.length === 2000 || i === rows - 1) {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch = [];
    }
  }
  out.end();
  await once(out, 'finish');
  return expected;
}

async function main(): Promise<void> {
  const rows = options.rows;
  const csvPath = join(tmpdir(), `hcr-bench-az-${rows}.csv`);
  const bytes = await ensureCsv(csvPath, rows);

  const start = performance.now();
  const az = await parseCsvDataset(csvPath, { labelSet: LABEL_SETS.letters });
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `parseCsvDataset: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s = ` +
      `${(bytes / 1e6 / seconds).toFixed(0)} MB/s, ${Math.round(rows / seconds)} rows/s`,
  );

  // The cache of a 442k-image training set (A-Z + MNIST's 70k): write once, then time loads.
  const total = Math.max(CACHE_IMAGES, rows);
  const images = new Uint8Array(total * 784);
  for (let offset = 0; offset < images.length; offset += az.images.length) {
    images.set(az.images.subarray(0, Math.min(az.images.length, images.length - offset)), offset);
  }
  const labels = new Uint8Array(total).map((_, i) => az.labels[i % az.labels.length]!);
  const combined: Dataset = { name: 'bench-442k', images, labels, labelSet: LABEL_SETS.letters };
  const cacheDir = await mkdtemp(join(tmpdir(), 'hcr-bench-cache-'));
  try {
    const file = join(cacheDir, 'bench.hcrds');
    let t = performance.now();
    await writeDatasetCache(file, combined);
    console.log(`cache write: ${total} images in ${((performance.now() - t) / 1000).toFixed(2)} s`);
    for (let k = 0; k < 3; k++) {
      t = performance.now();
      const loaded = await readDatasetCache(file);
      const ms = performance.now() - t;
      if (loaded?.labels.length !== total) throw new Error('cache did not load');
      console.log(
        `cache load: ${total} images (${(images.length / 1e6).toFixed(0)} MB) in ${(ms / 1000).toFixed(2)} s`,
      );
    }
    // Through cachedDataset, as a second run sees it: source hashes remembered, file read.
    const key = { sources: [csvPath], variant: 'bench:v1' };
    await cachedDataset(key, cacheDir, async () => az);
    t = performance.now();
    await cachedDataset(key, cacheDir, async () => {
      throw new Error('the cache was not used');
    });
    console.log(
      `cachedDataset (hit, source hash remembered): ${rows} images in ${((performance.now() - t) / 1000).toFixed(2)} s`,
    );
  } finally {
    if (!options.keepCache) await rm(cacheDir, { recursive: true, force: true });
  }
}

await main();
