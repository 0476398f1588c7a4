// `hcr train`: plans the data, trains with a progress bar (or --json), saves the best model,
// evaluates it on the test sets, and with --report keeps a report up to date. Ctrl-C saves a
// checkpoint and exits 130. Its options are hcr train's table (src/node/train/flags.ts), which the
// model card also reads, followed by the options shared by every command that runs a model.

import { HcrError } from '../../core/errors.js';
import { assertCovered, getLabelSet } from '../../core/label-sets.js';
import { classCounts } from '../../core/split.js';
import { planData } from '../data/plan.js';
import type { BACKENDS } from '../engine/index.js';
import { initEngine } from '../engine/index.js';
import { evaluateModel, saveEvaluation } from '../eval/evaluate.js';
import { formatSummaryTable } from '../eval/format.js';
import { loadModel, readMetadata } from '../model/artifact.js';
import { MODEL_FILES } from '../model/files.js';
import type { SCHEDULES } from '../train/config.js';
import { resolveTrainConfig } from '../train/config.js';
import { TRAIN_FLAGS } from '../train/flags.js';
import { trainModel } from '../train/trainer.js';
import { defineCommand } from './command.js';
import {
  DATA_OPTIONS,
  RUN_OPTIONS,
  cacheDirOf,
  dataDirOf,
  note,
  print,
  workersOf,
  type RunState,
} from './common.js';
import { defineOptions, type OptionValues } from './options.js';
import { dataProgressRenderer, trainProgressRenderer } from './progress.js';
import { trainReportWatcher } from './report.js';

/** The options of `hcr train`: its own table, then the data and run options. */
export const TRAIN_OPTIONS = defineOptions({ ...TRAIN_FLAGS, ...DATA_OPTIONS, ...RUN_OPTIONS });

/** Options of `hcr train` after commander parsed them (typed from {@link TRAIN_OPTIONS}). */
export type TrainCliOptions = OptionValues<typeof TRAIN_OPTIONS>;

/**
 * `hcr train`: trains and saves a model in `options.out`; sets `state.exitCode` to 130 when
 * interrupted (after saving a checkpoint).
 */
export async function trainCommand(options: TrainCliOptions, state: RunState): Promise<void> {
  const engine = await initEngine({ backend: options.backend as keyof typeof BACKENDS });
  const config = resolveTrainConfig({
    architecture: options.arch,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.lr,
    schedule: options.schedule as keyof typeof SCHEDULES,
    seed: options.seed,
    augment: options.augment,
    classWeights: options.classWeights === true ? 1 : (options.classWeights ?? 0),
    patience: options.patience,
    maxMinutes: options.maxMinutes,
    checkpointSeconds: options.checkpointMinutes * 60,
    dropout: options.dropout,
  });
  const labelSet = getLabelSet(options.labelSet);
  if (!options.json) note(`backend ${engine.backend}; loading data from ${dataDirOf(options)}`);
  const plan = await planData({
    dataDir: dataDirOf(options),
    cacheDir: cacheDirOf(options),
    labelSet,
    ...(options.sources ? { sources: options.sources } : {}),
    foldCase: Boolean(options.foldCase),
    validationFraction: options.validation,
    seed: config.seed,
    ...(options.json ? {} : { onProgress: dataProgressRenderer({ stream: process.stderr }) }),
  });
  assertCovered(
    labelSet,
    classCounts(plan.train.labels, labelSet.classes.length),
    plan.provenance.map((p) => p.source),
  );
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    note('\ninterrupted: saving a checkpoint (press Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const renderer = trainProgressRenderer({ stream: process.stderr });
  const watcher = options.report
    ? await trainReportWatcher({
        modelDir: options.out,
        resume: Boolean(options.resume),
        io: { print, note },
        json: Boolean(options.json),
      })
    : null;
  try {
    const result = await trainModel({
      ...workersOf(options),
      train: plan.train,
      validation: plan.validation,
      labelSet,
      config,
      outDir: options.out,
      resume: Boolean(options.resume),
      provenance: plan.provenance,
      dataOptions: {
        sources: plan.provenance.map((p) => p.source),
        foldCase: Boolean(options.foldCase),
        validationFraction: options.validation,
        ...(options.init
          ? {
              init: options.init,
              initWeightsSha256:
                (await readMetadata(options.init)).files[MODEL_FILES.weights]?.sha256 ?? null,
            }
          : {}),
      },
      ...(options.init ? { init: options.init } : {}),
      splitSeed: config.seed,
      backend: engine.backend,
      signal: controller.signal,
      onProgress: (event) => {
        if (!options.json) renderer.onEvent(event);
        watcher?.onEvent(event);
      },
    });
    if (result.reason === 'interrupted') {
      note(
        `checkpoint saved in ${result.checkpointDir}; continue with the same command and --resume`,
      );
      state.exitCode = 130;
      return;
    }
    if (result.bestEpoch < 0)
      throw new HcrError('ENGINE', 'training ended before any epoch finished');
    const loaded = await loadModel(options.out);
    try {
      const report = await evaluateModel(loaded, plan.tests, workersOf(options));
      await saveEvaluation(options.out, report);
      if (options.json) print(JSON.stringify({ result, evaluation: report }, null, 2));
      else {
        print(`\nmodel: ${options.out} (best epoch ${result.bestEpoch}, ${result.reason})`);
        print(
          formatSummaryTable(
            report.combined ? [...report.results, report.combined] : report.results,
          ),
        );
      }
    } finally {
      loaded.dispose();
    }
    await watcher?.finish({ dataDir: dataDirOf(options), cacheDir: cacheDirOf(options), plan });
  } finally {
    renderer.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `hcr train` in the command registry. */
export const TRAIN_COMMAND = defineCommand({
  name: 'train',
  description: 'train a model on the datasets in the data folder',
  options: TRAIN_OPTIONS,
  run: (options, _args: [], state) => trainCommand(options, state),
});
