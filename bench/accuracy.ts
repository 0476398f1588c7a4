// npm run bench:accuracy -- [--model DIR] [--data-dir DIR] [--json]
// Evaluates a model on every held-out test set in the data folder and prints each figure
// twice: raw, and with the look-alike pairs O/0, I/1, S/5, Z/2 counted as correct.

import { parseArgs } from 'node:util';
import { LOOKALIKE_PAIRS } from '../src/core/metrics.js';
import { DEFAULT_MODEL_DIR } from '../src/node/cli/main.js';
import { defaultCacheDir, defaultDataDir } from '../src/node/data/paths.js';
import { planData } from '../src/node/data/sources.js';
import { initEngine } from '../src/node/engine/index.js';
import { evaluateModel } from '../src/node/eval/evaluate.js';
import { formatSummaryTable } from '../src/node/eval/format.js';
import { loadModel } from '../src/node/model/artifact.js';
import { TRAIN_DEFAULTS } from '../src/node/train/config.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_MODEL_DIR },
    'data-dir': { type: 'string', default: defaultDataDir() },
    'cache-dir': { type: 'string', default: defaultCacheDir() },
    json: { type: 'boolean', default: false },
  },
});

const engine = await initEngine();
const loaded = await loadModel(values.model);
const training = loaded.metadata.training;
const started = performance.now();
const plan = await planData({
  dataDir: values['data-dir'],
  cacheDir: values['cache-dir'],
  labelSet: loaded.labelSet,
  seed: training?.splitSeed ?? TRAIN_DEFAULTS.seed,
});
const report = await evaluateModel(loaded, plan.tests);
const seconds = (performance.now() - started) / 1000;
const all = report.combined ? [...report.results, report.combined] : report.results;

if (values.json) {
  console.log(
    JSON.stringify(
      all.map((r) => ({
        name: r.name,
        count: r.count,
        accuracy: r.accuracy,
        accuracyMerged: r.accuracyMerged,
        macroF1: r.macro.f1,
      })),
      null,
      2,
    ),
  );
} else {
  console.log(
    `model ${values.model} (${loaded.labelSet.name}, ${loaded.metadata.architecture.name}), backend ${engine.backend}`,
  );
  console.log(`data ${values['data-dir']}; evaluated in ${seconds.toFixed(1)} s`);
  console.log(
    `"merged" counts ${LOOKALIKE_PAIRS.map(([a, b]) => `${a}/${b}`).join(', ')} as correct\n`,
  );
  console.log(formatSummaryTable(all));
  const lowRecall = all
    .filter((r) => !r.name.includes('/'))
    .flatMap((r) =>
      r.perClass
        .filter((c) => c.support >= 20 && c.recall < 0.85)
        .map((c) => `${r.name}:${c.class} ${(c.recall * 100).toFixed(1)}%`),
    );
  if (lowRecall.length > 0) console.log(`\nclasses with recall under 85%: ${lowRecall.join(', ')}`);
}
loaded.dispose();
