// npm run bench:read -- [--model DIR] [--data-dir DIR] [--cache-dir DIR] [--count N] [--seed N]
//   [--speed-lines N] [--save DIR] [--errors] [--json]
// Reads lines of handwriting composed from the held-out test images (bench/read-set.ts) and
// prints character accuracy (1 - edit distance / length, spaces and line breaks counted) and
// exact-line accuracy, with the line context for look-alikes, with it widened to every class,
// and without it, and the time to read a 10-character line (segment + classify + choose,
// one image at a time, after one warm-up image).

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_MODEL_DIR } from '../src/node/cli/main.js';
import { defaultCacheDir, defaultDataDir } from '../src/node/data/paths.js';
import { planData } from '../src/node/data/sources.js';
import { initEngine } from '../src/node/engine/index.js';
import { isHcrError } from '../src/node/errors.js';
import { loadModel } from '../src/node/model/artifact.js';
import { resolveReadOptions } from '../src/core/read/options.js';
import { chooseCharacters } from '../src/core/read/read.js';
import { segmentImage } from '../src/core/read/segment.js';
import { modelClassifier, readImage } from '../src/node/read/read.js';
import { TRAIN_DEFAULTS } from '../src/node/train/config.js';
import { buildReadSet, editDistance } from './read-set.js';
import type { ReadSample } from './read-set.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_MODEL_DIR },
    'data-dir': { type: 'string', default: defaultDataDir() },
    'cache-dir': { type: 'string', default: defaultCacheDir() },
    count: { type: 'string', default: '400' },
    seed: { type: 'string', default: '1' },
    'speed-lines': { type: 'string', default: '50' },
    save: { type: 'string' },
    errors: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench:read: --${name}: expected a positive integer, got '${value}'`);
    process.exit(2);
  }
  return n;
}

const count = positiveInt('count', values.count);
const seed = positiveInt('seed', values.seed);
const speedLines = positiveInt('speed-lines', values['speed-lines']);

/** Character and line figures of one way of reading (with or without context). */
interface Score {
  chars: number;
  distance: number;
  lines: number;
  exactLines: number;
  exactImages: number;
}

function emptyScore(): Score {
  return { chars: 0, distance: 0, lines: 0, exactLines: 0, exactImages: 0 };
}

function addScore(score: Score, truth: string, read: string): void {
  score.chars += truth.length;
  score.distance += editDistance(truth, read);
  const truthLines = truth.split('\n');
  const readLines = read.split('\n');
  truthLines.forEach((line, i) => {
    score.lines++;
    if (readLines[i] === line) score.exactLines++;
  });
  if (truth === read) score.exactImages++;
}

function summary(score: Score, images: number) {
  return {
    charAccuracy: 1 - score.distance / score.chars,
    exactLineAccuracy: score.exactLines / score.lines,
    exactImageAccuracy: score.exactImages / images,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

async function savePng(path: string, sample: ReadSample): Promise<void> {
  const { width, height, data } = sample.image;
  await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: 1 },
  })
    .png()
    .toFile(path);
}

try {
  const engine = await initEngine();
  const loaded = await loadModel(values.model);
  const plan = await planData({
    dataDir: values['data-dir'],
    cacheDir: values['cache-dir'],
    labelSet: loaded.labelSet,
    seed: loaded.metadata.training?.splitSeed ?? TRAIN_DEFAULTS.seed,
  });
  const built = performance.now();
  const samples = buildReadSet(plan.tests, { count, seed });
  const buildSeconds = (performance.now() - built) / 1000;

  // Each image is segmented and classified once; the three readings differ only in the
  // context applied to the same probabilities (exactly what readImage does with each option).
  const withContext = emptyScore();
  const withAllContext = emptyScore();
  const withoutContext = emptyScore();
  const errors: { index: number; truth: string; read: string; raw: string }[] = [];
  const classifier = modelClassifier(loaded);
  const lookalikes = resolveReadOptions();
  const all = resolveReadOptions({ contextScope: 'all' });
  const started = performance.now();
  for (const [index, sample] of samples.entries()) {
    const segmentation = segmentImage(sample.image, lookalikes);
    const probs = await classifier.classify(segmentation.images, segmentation.candidates.length);
    const result = chooseCharacters(segmentation, probs, classifier.classes, lookalikes);
    const allResult = chooseCharacters(segmentation, probs, classifier.classes, all);
    addScore(withContext, sample.text, result.text);
    addScore(withAllContext, sample.text, allResult.text);
    addScore(withoutContext, sample.text, result.rawText);
    if (result.text !== sample.text) {
      errors.push({ index, truth: sample.text, read: result.text, raw: result.rawText });
    }
  }
  const readSeconds = (performance.now() - started) / 1000;

  // Speed: single lines of exactly 10 characters, no spaces, timed one image at a time.
  const speedSet = buildReadSet(plan.tests, {
    count: speedLines,
    seed: seed + 1000,
    twoLineShare: 0,
    lineLength: [10, 10],
    spaces: false,
  });
  await readImage(loaded, speedSet[0]!.image);
  const times: number[] = [];
  for (const sample of speedSet) {
    const t = performance.now();
    await readImage(loaded, sample.image);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const msMean = times.reduce((a, b) => a + b, 0) / times.length;
  const msMedian = times[Math.floor(times.length / 2)]!;

  if (values.save) {
    await mkdir(values.save, { recursive: true });
    const shown = samples.slice(0, 40);
    await Promise.all(shown.map((s, i) => savePng(join(values.save!, `line-${i}.png`), s)));
    await writeFile(
      join(values.save, 'truth.json'),
      JSON.stringify(
        shown.map((s, i) => ({ file: `line-${i}.png`, text: s.text })),
        null,
        2,
      ),
    );
  }

  const sources = new Map<string, number>();
  for (const s of samples)
    for (const { set } of s.sources) sources.set(set, (sources.get(set) ?? 0) + 1);
  const report = {
    model: values.model,
    backend: engine.backend,
    images: samples.length,
    lines: withContext.lines,
    characters: withContext.chars,
    seed,
    testSets: Object.fromEntries(sources),
    context: summary(withContext, samples.length),
    contextAll: summary(withAllContext, samples.length),
    noContext: summary(withoutContext, samples.length),
    msPer10CharLine: { mean: msMean, median: msMedian, lines: times.length },
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(
      `model ${values.model} (${loaded.labelSet.name}), backend ${engine.backend}; ` +
        `set built in ${buildSeconds.toFixed(1)} s, read in ${readSeconds.toFixed(1)} s`,
    );
    console.log(
      `${samples.length} images, ${withContext.lines} lines, ${withContext.chars} characters ` +
        `(spaces and line breaks included), seed ${seed}, from held-out test sets: ` +
        [...sources].map(([name, n]) => `${name} ${n}`).join(', '),
    );
    console.log('');
    console.log('               char acc   exact line   exact image');
    for (const [name, s] of [
      ['context', report.context],
      ['context all', report.contextAll],
      ['no context', report.noContext],
    ] as const) {
      console.log(
        `${name.padEnd(12)} ${pct(s.charAccuracy).padStart(10)} ${pct(s.exactLineAccuracy).padStart(12)} ${pct(s.exactImageAccuracy).padStart(13)}`,
      );
    }
    console.log(
      'context: look-alike pairs (the default); context all: any class of the wrong kind ' +
        "(--context-scope all); no context: the classifier's labels (--no-context)",
    );
    console.log('');
    console.log(
      `10-character line: ${msMean.toFixed(1)} ms mean, ${msMedian.toFixed(1)} ms median ` +
        `(${times.length} lines, one image at a time, decode excluded)`,
    );
    if (values.errors) {
      console.log('\nmisread images (truth | read | without context):');
      for (const e of errors) {
        console.log(
          `  #${e.index}: ${JSON.stringify(e.truth)} | ${JSON.stringify(e.read)} | ${JSON.stringify(e.raw)}`,
        );
      }
    }
  }
  loaded.dispose();
} catch (error) {
  if (!isHcrError(error)) throw error;
  const hint =
    error.code === 'NOT_FOUND' ? ' (pass --model DIR, a directory written by hcr train)' : '';
  console.error(`bench:read: ${error.message}${hint}`);
  process.exit(1);
}
