// npm run bench:tune -- [--model DIR] [--data-dir DIR] [--family NAME] [--json]
// Adapting a model to one writer (issue "Teach it your handwriting"): finds the held-out font
// family of styles-test that the model reads worst, renders fresh glyphs of it (a pool of
// samples and a separate set of "other samples" of the same style), adapts the model with 1,
// 3, 5 and 10 samples per class (hcr tune's recipe, replaying 50 training images per class),
// and prints the style's accuracy before and after and every dataset test set before and after.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationResult } from '../src/core/metrics.js';
import { IMAGE_PIXELS, type Dataset } from '../src/core/types.js';
import { DEFAULT_MODEL_DIR } from '../src/node/cli/main.js';
import { planData } from '../src/node/data/plan.js';
import { FONT_FAMILIES } from '../src/node/data/synth/families.js';
import { renderFamilyDataset } from '../src/node/data/synth/generate.js';
import { initEngine } from '../src/node/engine/index.js';
import { evaluateModel } from '../src/node/eval/evaluate.js';
import { loadModel } from '../src/node/model/artifact.js';
import { replaySample, tuneModel, TUNE_DEFAULTS } from '../src/node/tune/tune.js';
import { BENCH_DATA_OPTIONS, parseBenchArgs } from './args.js';

const values = parseBenchArgs(
  'bench:tune',
  'Adapting a model to one writer: a held-out font family before and after, with 1 to 10 samples per class.',
  {
    model: { flags: '--model <dir>', description: 'model to adapt', default: DEFAULT_MODEL_DIR },
    ...BENCH_DATA_OPTIONS,
    family: {
      flags: '--family <name>',
      description: 'held-out font family (default: the one the model reads worst)',
    },
    shots: {
      flags: '--shots <list>',
      description: 'samples per class to adapt with',
      default: '1,3,5,10',
    },
    replay: {
      flags: '--replay <n>',
      description: 'replayed training images per class',
      parse: 'non-negative',
      default: TUNE_DEFAULTS.replayPerClass,
    },
    lr: {
      flags: '--lr <rate>',
      description: 'peak learning rate',
      parse: 'number',
      default: TUNE_DEFAULTS.learningRate,
    },
    epochs: {
      flags: '--epochs <n>',
      description: 'passes over the samples and the replay',
      parse: 'positive',
      default: TUNE_DEFAULTS.epochs,
    },
    repeats: {
      flags: '--repeats <n>',
      description: 'times each sample is seen per epoch',
      parse: 'positive',
      default: TUNE_DEFAULTS.repeats,
    },
    json: { flags: '--json', description: 'print machine-readable results', default: false },
  },
);
const shots = values.shots.split(',').map(Number);
const POOL = Math.max(...shots);
const OTHERS = 10;

await initEngine();
const base = await loadModel(values.model);
const labelSet = base.labelSet;
const h = base.metadata.training?.hyperparameters ?? {};
const plan = await planData({
  dataDir: values.dataDir,
  cacheDir: values.cacheDir,
  labelSet,
  foldCase: h.foldCase === true,
  seed: base.metadata.training?.splitSeed ?? 42,
});
const styles = plan.tests.find((t) => t.name === 'styles-test');
const datasetTests = plan.tests.filter((t) => t.name !== 'styles-test');

// The family the model reads worst on styles-test, unless one is named.
let familyName = values.family;
if (!familyName) {
  if (!styles)
    throw new Error('no styles-test in the data folder: run hcr data synth, or pass --family');
  const report = await evaluateModel(base, [styles]);
  const families = report.results.filter(
    (r) => r.name.startsWith('styles-test/') && styles.groupNames?.includes(r.name.slice(12)),
  );
  familyName = families.sort((a, b) => a.accuracy - b.accuracy)[0]!.name.slice(12);
}
base.dispose();
const family = FONT_FAMILIES.find((f) => f.name === familyName);
if (!family) throw new Error(`unknown family ${familyName}`);
if (family.split !== 'test')
  throw new Error(`${familyName} is a training family: pick a held-out one`);

// Fresh renderings of the family (another seed than styles-test's): POOL per class to draw
// samples from, OTHERS per class to measure on.
// ordered by variant: the first k*classes are k per class
const pool = await renderFamilyDataset(family, labelSet, POOL, 101, 'pool');
const others = await renderFamilyDataset(
  family,
  labelSet,
  OTHERS,
  202,
  `${familyName} (other samples)`,
);
const replay = replaySample(plan.train, values.replay, 7);

const rows: {
  shots: number;
  seconds: number;
  before: EvaluationResult[];
  after: EvaluationResult[];
}[] = [];
const work = await mkdtemp(join(tmpdir(), 'hcr-bench-tune-'));
try {
  for (const k of shots) {
    const samples: Dataset = {
      name: 'samples',
      images: pool.images.slice(0, k * labelSet.classes.length * IMAGE_PIXELS),
      labels: pool.labels.slice(0, k * labelSet.classes.length),
      labelSet,
    };
    const started = performance.now();
    const result = await tuneModel({
      modelDir: values.model,
      samples,
      outDir: join(work, `k${k}`),
      replay,
      tests: [others, ...datasetTests],
      heldOut: 0,
      learningRate: values.lr,
      epochs: values.epochs,
      repeats: values.repeats,
    });
    rows.push({
      shots: k,
      seconds: (performance.now() - started) / 1000,
      before: result.before.results,
      after: result.after.results,
    });
    if (!values.json) console.error(`${k} per class done`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const names = [others.name, ...datasetTests.map((t) => t.name)];
if (values.json) {
  console.log(JSON.stringify({ family: familyName, rows }, null, 2));
} else {
  console.log(`model ${values.model}; style: ${familyName} (the held-out family it reads worst)`);
  console.log(
    `${OTHERS} other renderings per class measured; replay ${values.replay} x ${labelSet.classes.length} training images in their class shares, lr ${values.lr}, ${values.epochs} epochs, each sample ${values.repeats} times per epoch\n`,
  );
  console.log(['samples/class', 'seconds', ...names.map((n) => `${n} before → after`)].join(' | '));
  for (const row of rows) {
    const cells = names.map((name) => {
      const b = row.before.find((r) => r.name === name)!;
      const a = row.after.find((r) => r.name === name)!;
      return `${pct(b.accuracy)} → ${pct(a.accuracy)}`;
    });
    console.log([String(row.shots), row.seconds.toFixed(0), ...cells].join(' | '));
  }
  const five = rows.find((r) => r.shots === 5);
  if (five) {
    const gain = (name: string) =>
      five.after.find((r) => r.name === name)!.accuracy -
      five.before.find((r) => r.name === name)!.accuracy;
    const styleGain = gain(others.name);
    const worstDrop = Math.min(...datasetTests.map((t) => gain(t.name)));
    console.log(`\ntargets with 5 samples per class:`);
    console.log(
      `  the style's other samples rise ≥ 15 points: ${(styleGain * 100).toFixed(2)} ${styleGain >= 0.15 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  no dataset test set drops more than 0.5 points: worst ${(worstDrop * 100).toFixed(2)} ${worstDrop >= -0.005 ? 'met' : 'NOT met'}`,
    );
  }
}
