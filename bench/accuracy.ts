// npm run bench:accuracy -- [--model DIR] [--data-dir DIR] [--baseline DIR] [--json]
// Evaluates a model (default: the shipped one) on every held-out test set in the data folder
// and prints each figure twice: raw, and with the look-alike pairs O/0, I/1, S/5, Z/2 counted
// as correct (and, for a model with lowercase, case-merged and case-and-look-alike-merged);
// then the shipped model's targets, each met or not, the classes under 85% recall, the model's
// size on disk, and the time to load it and make its first prediction. For a model with
// lowercase, the lowercase issue's targets too: EMNIST ByClass raw and case-merged, UNIPEN
// lowercase, and digits and capitals on each test set against the 36-class `--baseline`
// (default: the shipped models/alnum36, from its saved evaluation.json).

import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { pct } from '../src/core/format.js';
import { LOOKALIKE_PAIRS, type EvaluationResult } from '../src/core/metrics.js';
import { hasBothCases } from '../src/core/read/case.js';
import { IMAGE_SIZE } from '../src/core/types.js';
import { DEFAULT_MODEL_DIR } from '../src/node/cli/main.js';
import { initEngine } from '../src/node/engine/index.js';
import { evaluateModel } from '../src/node/eval/evaluate.js';
import { formatSummaryTable } from '../src/node/eval/format.js';
import { loadModel } from '../src/node/model/artifact.js';
import { readSavedEvaluation } from '../src/node/model/evaluation.js';
import { planTestsFor } from '../src/node/model/plan.js';
import { BENCH_DATA_OPTIONS, parseBenchArgs } from './args.js';

const values = parseBenchArgs(
  'bench:accuracy',
  'Accuracy of a model on every held-out test set in the data folder, against the targets.',
  {
    model: { flags: '--model <dir>', description: 'model directory', default: DEFAULT_MODEL_DIR },
    ...BENCH_DATA_OPTIONS,
    baseline: {
      flags: '--baseline <dir>',
      description: 'the 36-class model whose digits and capitals a model with lowercase is held to',
      default: DEFAULT_MODEL_DIR,
    },
    json: { flags: '--json', description: 'print machine-readable results', default: false },
  },
);

const engine = await initEngine();
const loadStarted = performance.now();
const loaded = await loadModel(values.model);
tf.tidy(() =>
  (loaded.model.predict(tf.zeros([1, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor).dataSync(),
);
const loadSeconds = (performance.now() - loadStarted) / 1000;
const modelBytes = (await readdir(values.model, { withFileTypes: true }))
  .filter((e) => e.isFile())
  .reduce((sum, e) => sum + statSync(join(values.model, e.name)).size, 0);
const started = performance.now();
// The model's own test sets, planned as `hcr evaluate` plans them (its foldCase and split seed).
const plan = await planTestsFor(loaded, {
  dataDir: values.dataDir,
  cacheDir: values.cacheDir,
});
const report = await evaluateModel(loaded, plan.tests);
const seconds = (performance.now() - started) / 1000;
const all = report.combined ? [...report.results, report.combined] : report.results;
// A form field of digits: the digit sets read with the digits charset (`hcr read --charset
// digits`, `hcr evaluate --charset digits`), where a 5 can no longer be read as an S.
const digitSets = plan.tests.filter((ds) => ['mnist-test', 'emnist-test'].includes(ds.name));
const withinDigits =
  digitSets.length === 0
    ? []
    : (await evaluateModel(loaded, digitSets, { charset: 'digits' })).results.filter(
        (r) => !r.name.includes('/'),
      );

if (values.json) {
  console.log(
    JSON.stringify(
      [
        ...all.map((r) => ({
          name: r.name,
          count: r.count,
          accuracy: r.accuracy,
          accuracyMerged: r.accuracyMerged,
          ...(r.accuracyCaseMerged === undefined
            ? {}
            : {
                accuracyCaseMerged: r.accuracyCaseMerged,
                accuracyCaseLookalikeMerged: r.accuracyCaseLookalikeMerged,
              }),
          macroF1: r.macro.f1,
        })),
        ...withinDigits.map((r) => ({ name: r.name, count: r.count, accuracy: r.accuracy })),
      ],
      null,
      2,
    ),
  );
} else {
  console.log(
    `model ${values.model} (${loaded.labelSet.name}, ${loaded.metadata.architecture.name}), backend ${engine.backend}`,
  );
  console.log(`data ${values.dataDir}; evaluated in ${seconds.toFixed(1)} s`);
  console.log(
    `"merged" counts ${LOOKALIKE_PAIRS.map(([a, b]) => `${a}/${b}`).join(', ')} as correct\n`,
  );
  console.log(formatSummaryTable(all));
  if (withinDigits.length > 0) {
    console.log('\nwithin the digits charset (a field known to hold digits):');
    console.log(formatSummaryTable(withinDigits));
  }
  const lowRecall = all
    .filter((r) => !r.name.includes('/'))
    .flatMap((r) =>
      r.perClass
        .filter((c) => c.support >= 20 && c.recall < 0.85)
        .map((c) => `${r.name}:${c.class} ${(c.recall * 100).toFixed(1)}%`),
    );
  if (lowRecall.length > 0) console.log(`\nclasses with recall under 85%: ${lowRecall.join(', ')}`);
  // The 36-class model's targets, or the 62-class model's (its own issue's).
  if (hasBothCases(loaded.labelSet.classes)) {
    console.log(`\ntargets of issue "Lowercase too" (a model with both cases):`);
    for (const line of await lowercaseTargetLines(all, values.baseline)) console.log(`  ${line}`);
    console.log(`\ntargets of issue "The character models at the state of the art" (byclass62):`);
    for (const line of stateOfTheArtLines(all, true)) console.log(`  ${line}`);
  } else {
    console.log(`\ntargets of the shipped alnum36 model (issue "Ship a pretrained model"):`);
    for (const line of targetLines(all)) console.log(`  ${line}`);
    console.log(
      `\ntargets of issue "Many writers, many pens" (styles the model never trained on):`,
    );
    for (const line of styleTargetLines(all)) console.log(`  ${line}`);
    console.log(`\ntargets of issue "The character models at the state of the art" (alnum36):`);
    for (const line of stateOfTheArtLines([...all, ...withinDigits], false)) {
      console.log(`  ${line}`);
    }
  }
  console.log(
    `\nmodel size ${(modelBytes / 1e6).toFixed(2)} MB (target < 5 MB); load + first prediction ${loadSeconds.toFixed(2)} s (target < 1 s)`,
  );
}

/** `check(what, test set, field, min)`: one target's line, the figure and met or not. */
function targetCheck(results: readonly EvaluationResult[], missingHint: string) {
  return (
    what: string,
    name: string,
    field: 'accuracy' | 'accuracyMerged' | 'accuracyCaseMerged',
    min: number,
  ) => {
    const r = results.find((x) => x.name === name);
    const value = r?.[field];
    if (value === undefined) return `${what}: no ${name} in this data folder${missingHint}`;
    return `${what} ≥ ${pct(min)}: ${pct(value)} ${value >= min ? 'met' : 'NOT met'}`;
  };
}

/**
 * The state-of-the-art issue's targets: for the 36-class model, the standard digit and capital
 * sets, UNIPEN, Chars74K and the held-out styles (and MNIST within the digits charset, for
 * reference); for a model with both cases, EMNIST ByClass and the styles' lowercase.
 */
function stateOfTheArtLines(results: readonly EvaluationResult[], bothCases: boolean): string[] {
  const check = targetCheck(results, '');
  if (bothCases) {
    const lower = results.find((r) => r.name === 'styles-test/lowercase');
    return [
      check('held-out EMNIST ByClass, raw', 'emnist-test', 'accuracy', 0.86),
      check('held-out EMNIST ByClass, case-merged', 'emnist-test', 'accuracyCaseMerged', 0.94),
      lower
        ? `styles-test lowercase: ${pct(lower.accuracy)} raw, ${pct(lower.accuracyCaseMerged ?? NaN)} case-merged (${lower.count} images)`
        : 'styles-test lowercase: no styles-test in this data folder (run hcr data synth)',
    ];
  }
  const digits = results.find((r) => r.name === 'mnist-test@digits');
  return [
    check('MNIST test, raw', 'mnist-test', 'accuracy', 0.995),
    ...(digits ? [`  (MNIST within the digits charset: ${pct(digits.accuracy)})`] : []),
    check('EMNIST digits, raw', 'emnist-test/digits', 'accuracy', 0.993),
    check('EMNIST capitals, merged', 'emnist-test/capitals', 'accuracyMerged', 0.975),
    check('EMNIST capitals, raw', 'emnist-test/capitals', 'accuracy', 0.85),
    check('UNIPEN, merged', 'unipen-test', 'accuracyMerged', 0.96),
    check('Chars74K, raw', 'chars74k', 'accuracy', 0.936),
    check('styles-test, merged', 'styles-test', 'accuracyMerged', 0.98),
    check('styles-test, raw', 'styles-test', 'accuracy', 0.94),
  ];
}

/** Figures of the styles issue's targets: held-out font families, every test set's floor, O/0/I/1. */
function styleTargetLines(results: readonly EvaluationResult[]): string[] {
  const find = (name: string) => results.find((r) => r.name === name);
  const check = targetCheck(results, ' (run hcr data synth)');
  const lines = [
    check('held-out font families (styles-test), merged', 'styles-test', 'accuracyMerged', 0.97),
    check('held-out font families (styles-test), raw', 'styles-test', 'accuracy', 0.92),
    check('MNIST test, raw', 'mnist-test', 'accuracy', 0.993),
    check('EMNIST digits, raw', 'emnist-test/digits', 'accuracy', 0.985),
    check('EMNIST capitals, merged', 'emnist-test/capitals', 'accuracyMerged', 0.975),
    check('Chars74K, raw', 'chars74k', 'accuracy', 0.93),
    check('UNIPEN, merged', 'unipen-test', 'accuracyMerged', 0.96),
  ];
  const styles = find('styles-test');
  if (styles) {
    const recall = ['O', '0', 'I', '1'].map((c) => {
      const k = styles.perClass.find((m) => m.class === c);
      return `${c} ${k ? pct(k.recall) : '-'}`;
    });
    lines.push(`recall on styles-test of the look-alikes: ${recall.join(', ')}`);
    const families = results.filter(
      (r) =>
        r.name.startsWith('styles-test/') &&
        !['digits', 'capitals', 'lowercase'].includes(r.name.slice(12)),
    );
    for (const r of families) {
      lines.push(
        `  ${r.name.slice(12)}: ${pct(r.accuracy)} raw, ${pct(r.accuracyMerged)} merged (${r.count} images)`,
      );
    }
  }
  return lines;
}

/**
 * Raw and case-merged accuracy of a result on the images of digits and capitals only, from its
 * confusion matrix (a capital read as its lowercase is wrong raw, right case-merged).
 */
function digitsAndCapitals(r: EvaluationResult): { count: number; raw: number; merged: number } {
  const kept = r.perClass.filter((k) => k.class === k.class.toUpperCase());
  const count = kept.reduce((sum, k) => sum + k.support, 0);
  const raw = kept.reduce((sum, k) => sum + k.correct, 0);
  const merged = kept.reduce((sum, k) => sum + (k.recallCaseMerged ?? k.recall) * k.support, 0);
  return { count, raw: count > 0 ? raw / count : 0, merged: count > 0 ? merged / count : 0 };
}

/** Figures of the lowercase issue's targets (a model with both cases). */
async function lowercaseTargetLines(
  results: readonly EvaluationResult[],
  baselineDir: string,
): Promise<string[]> {
  const check = targetCheck(results, '');
  const lines = [
    check('held-out EMNIST ByClass (62 classes), raw', 'emnist-test', 'accuracy', 0.886),
    check('held-out EMNIST ByClass, case-merged', 'emnist-test', 'accuracyCaseMerged', 0.95),
  ];
  const lower = results.find((r) => r.name === 'unipen-test/lowercase');
  lines.push(
    lower
      ? `held-out UNIPEN writers, lowercase: ${pct(lower.accuracy)} raw, ${pct(lower.accuracyCaseMerged ?? NaN)} case-merged (${lower.count} images)`
      : 'held-out UNIPEN writers, lowercase: no unipen-test in this data folder',
  );
  const saved = await readSavedEvaluation(baselineDir);
  if ('reason' in saved) {
    lines.push(`digits and capitals against ${baselineDir}: ${saved.reason}`);
    return lines;
  }
  lines.push(
    `digits and capitals (raw, and case-merged) no worse than 1 point below ${baselineDir} on each test set:`,
  );
  for (const base of saved.report.results) {
    if (base.name.includes('/')) continue;
    const mine = results.find((r) => r.name === base.name);
    if (!mine) continue;
    const dc = digitsAndCapitals(mine);
    const ok = dc.raw >= base.accuracy - 0.01;
    lines.push(
      `  ${base.name}: ${pct(dc.raw)} raw (${pct(dc.merged)} case-merged) vs ${pct(base.accuracy)}, ${ok ? 'met' : 'NOT met'} (${dc.count} images)`,
    );
  }
  return lines;
}

/** Each target with the measured figure and whether it is met. */
function targetLines(results: readonly EvaluationResult[]): string[] {
  const check = targetCheck(results, '');
  const lines = [
    check('MNIST test, raw', 'mnist-test', 'accuracy', 0.996),
    check('EMNIST digits, raw', 'emnist-test/digits', 'accuracy', 0.97),
    check('EMNIST digits, pairs merged', 'emnist-test/digits', 'accuracyMerged', 0.993),
    check('EMNIST capitals, raw', 'emnist-test/capitals', 'accuracy', 0.9),
    check('EMNIST capitals, pairs merged', 'emnist-test/capitals', 'accuracyMerged', 0.97),
  ];
  const combined = results.find((r) => r.name === 'all') ?? results[0];
  if (combined) {
    const paired = new Set(LOOKALIKE_PAIRS.flat());
    const low = combined.perClass.filter((c) => c.support > 0 && c.recall < 0.85);
    const outside = low.filter((c) => !paired.has(c.class));
    lines.push(
      `every class's recall ≥ 85% outside the look-alike pairs (${combined.name}): ${
        outside.length === 0
          ? 'met'
          : `NOT met (${outside.map((c) => `${c.class} ${pct(c.recall)}`).join(', ')})`
      }${
        low.length > outside.length
          ? `; within the pairs: ${low
              .filter((c) => paired.has(c.class))
              .map((c) => `${c.class} ${pct(c.recall)}`)
              .join(', ')}`
          : ''
      }`,
    );
  }
  return lines;
}
loaded.dispose();
