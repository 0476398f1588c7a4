// `hcr evaluate`: evaluates a model (default: the shipped one) on the test sets its own
// hcr.json implies, prints each result and a summary (or --json), and records them in the
// model's evaluation.json unless --no-save: beside the test sets it records, replacing them
// only with --replace, and says what it changed.

import type { BACKENDS } from '../engine/index.js';
import { initEngine } from '../engine/index.js';
import { evaluateModel, saveEvaluation } from '../eval/evaluate.js';
import { formatEvaluation, formatSummaryTable } from '../eval/format.js';
import { loadModel } from '../model/artifact.js';
import { planTestsFor } from '../model/plan.js';
import { defineCommand } from './command.js';
import {
  DATA_OPTIONS,
  RUN_OPTIONS,
  cacheDirOf,
  dataDirOf,
  note,
  print,
  resolveModelDir,
  workersOf,
} from './common.js';
import { defineOptions, type OptionValues } from './options.js';
import { dataProgressRenderer } from './progress.js';

/** The options of `hcr evaluate`. */
export const EVALUATE_OPTIONS = defineOptions({
  model: { flags: '--model <dir>', description: 'model directory (default: the shipped model)' },
  sources: {
    flags: '--sources <list>',
    description: 'comma-separated sources to test on (default: every source present)',
    parse: 'list',
  },
  charset: {
    flags: '--charset <set>',
    description:
      "read each test set's images of these classes only, choosing among them (as hcr read --charset: digits, letters, or the characters); sets are named <set>@<charset>",
  },
  perClass: { flags: '--per-class', description: 'print the per-class table of every test set' },
  save: {
    flags: '--no-save',
    description:
      "do not record the results in the model's evaluation.json and hcr.json (by default they are added beside the test sets recorded there)",
  },
  replace: {
    flags: '--replace',
    description:
      "replace the model's recorded results with these (test sets not run are dropped; says what it replaced)",
  },
  ...DATA_OPTIONS,
  ...RUN_OPTIONS,
});

/** Options of `hcr evaluate` after commander parsed them. */
export type EvaluateCliOptions = OptionValues<typeof EVALUATE_OPTIONS>;

/** `hcr evaluate`: evaluates and prints; records the results unless `save` is false. */
export async function evaluateCommand(options: EvaluateCliOptions): Promise<void> {
  await initEngine({ backend: options.backend as keyof typeof BACKENDS });
  const dir = resolveModelDir(options.model);
  const loaded = await loadModel(dir);
  try {
    const plan = await planTestsFor(loaded, {
      dataDir: dataDirOf(options),
      cacheDir: cacheDirOf(options),
      ...(options.sources ? { sources: options.sources } : {}),
      ...(options.json ? {} : { onProgress: dataProgressRenderer({ stream: process.stderr }) }),
    });
    const report = await evaluateModel(loaded, plan.tests, {
      ...workersOf(options),
      ...(options.charset === undefined ? {} : { charset: options.charset }),
    });
    if (options.save) {
      const change = await saveEvaluation(dir, report, { replace: Boolean(options.replace) });
      note(`${dir}: ${change.message}`);
    }
    if (options.json) {
      print(JSON.stringify(report, null, 2));
      return;
    }
    const all = report.combined ? [...report.results, report.combined] : report.results;
    for (const result of all) {
      print(
        formatEvaluation(result, {
          perClass: Boolean(options.perClass) || result === report.combined,
        }),
      );
      print('');
    }
    print(formatSummaryTable(all));
  } finally {
    loaded.dispose();
  }
}

/** `hcr evaluate` in the command registry. */
export const EVALUATE_COMMAND = defineCommand({
  name: 'evaluate',
  description:
    'evaluate a model on every test set in the data folder (official tests, held-out splits)',
  options: EVALUATE_OPTIONS,
  run: (options) => evaluateCommand(options),
});
