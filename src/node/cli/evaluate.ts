// `hcr evaluate`: evaluates a model (default: the shipped one) on the test sets its own
// hcr.json implies, prints each result and a summary (or --json), and records them in the
// model's evaluation.json unless --no-save: beside the test sets it records, replacing them
// only with --replace, and says what it changed. main.ts declares the options and calls this.

import type { BACKENDS } from '../engine/index.js';
import { initEngine } from '../engine/index.js';
import { evaluateModel, saveEvaluation } from '../eval/evaluate.js';
import { formatEvaluation, formatSummaryTable } from '../eval/format.js';
import { loadModel } from '../model/artifact.js';
import { planTestsFor } from '../model/plan.js';
import {
  cacheDirOf,
  dataDirOf,
  note,
  print,
  resolveModelDir,
  workersOf,
  type CommonOptions,
} from './common.js';
import { dataProgressRenderer } from './progress.js';

/** Options of `hcr evaluate` after commander parsed them (main.ts declares them). */
export interface EvaluateCliOptions extends CommonOptions {
  model?: string;
  sources?: string[];
  perClass?: boolean;
  save: boolean;
  replace?: boolean;
}

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
    const report = await evaluateModel(loaded, plan.tests, workersOf(options));
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
