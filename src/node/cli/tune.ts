// `hcr tune`: adapts a model to one writer from a folder of samples (one sub-folder per
// class) and prints what it gained on the samples' held-out part and what it cost on the
// dataset test sets.

import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadImageFolder } from '../data/folder.js';
import { sha256File } from '../data/sha256.js';
import { planData } from '../data/plan.js';
import { listSources } from '../data/sources/index.js';
import type { EvaluationResult } from '../../core/metrics.js';
import { readMetadata, type SourceRecord } from '../model/artifact.js';
import { replaySample, tuneModel, type TuneResult } from '../tune/tune.js';
import { getLabelSet } from '../../core/label-sets.js';
import { initEngine, type BackendName } from '../engine/index.js';
import { TUNE_DEFAULTS } from '../tune/tune.js';
import { defineCommand } from './command.js';
import {
  DATA_OPTIONS,
  RUN_OPTIONS,
  cacheDirOf,
  dataDirOf,
  note,
  print,
  resolveModelDir,
} from './common.js';
import { defineOptions } from './options.js';

/** Options of `hcr tune` after commander parsed them. */
export interface TuneCliOptions {
  readonly model: string;
  readonly samples: string;
  readonly out: string;
  readonly dataDir: string;
  readonly cacheDir: string;
  readonly replay: number;
  readonly epochs: number;
  readonly lr: number;
  readonly repeats: number;
  readonly heldOut: number;
  readonly seed: number;
  readonly workers?: number;
  readonly json?: boolean;
}

/** Where the command's text goes: results on `print` (stdout), progress on `note` (stderr). */
export interface TuneIo {
  readonly print: (text: string) => void;
  readonly note: (text: string) => void;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/**
 * Loads the samples (in the model's label set), a replay sample and the test sets of the data
 * folder when it holds any, adapts the model, and prints before and after.
 *
 * @example
 * await tuneCommand({ model: 'models/alnum36', samples: 'my-hand', out: 'runs/mine', ... }, io);
 */
export async function tuneCommand(options: TuneCliOptions, io: TuneIo): Promise<TuneResult> {
  const metadata = await readMetadata(options.model);
  const labelSet = getLabelSet(metadata.labelSet.name);
  const samples = await loadImageFolder(options.samples, { labelSet, name: 'samples' });
  for (const file of samples.skipped) {
    io.note(`skipped ${join(options.samples, file)}: no ink after normalization`);
  }
  const present = (await listSources(options.dataDir)).some((s) => s.present);
  let replay;
  let tests;
  const provenance: SourceRecord[] = [await samplesRecord(options.samples, samples)];
  if (present) {
    if (!options.json) io.note(`replay and test sets from ${options.dataDir}`);
    const h = metadata.training?.hyperparameters ?? {};
    const plan = await planData({
      dataDir: options.dataDir,
      cacheDir: options.cacheDir,
      labelSet,
      foldCase: h.foldCase === true,
      seed: metadata.training?.splitSeed ?? 42,
    });
    replay =
      options.replay > 0 ? replaySample(plan.train, options.replay, options.seed) : undefined;
    tests = plan.tests;
    if (replay) {
      provenance.push({
        source: `replay:${plan.provenance.map((p) => p.source).join('+')}`,
        files: [],
        counts: { train: replay.labels.length, validation: 0, test: 0 },
        dropped: 0,
        droppedDuplicates: 0,
        splitSeed: null,
        validationSeed: options.seed,
      });
    }
  } else if (!options.json) {
    io.note(
      `no datasets in ${options.dataDir}: tuning without a replay sample (the model may forget other writers) and without dataset test sets`,
    );
  }
  const result = await tuneModel({
    modelDir: options.model,
    samples,
    outDir: options.out,
    ...(replay ? { replay } : {}),
    ...(tests ? { tests } : {}),
    epochs: options.epochs,
    learningRate: options.lr,
    repeats: options.repeats,
    heldOut: options.heldOut,
    seed: options.seed,
    provenance,
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    onProgress: (event) => {
      if (!options.json && event.phase === 'epoch') {
        io.note(
          `epoch ${event.epoch}: loss ${event.loss.toFixed(4)}, validation accuracy ${pct(event.valAccuracy)}`,
        );
      }
    },
  });
  if (options.json) {
    io.print(JSON.stringify(summary(result), null, 2));
    return result;
  }
  io.print(
    `adapted model: ${result.outDir} (${result.counts.train} samples trained on, ${result.counts.heldOut} held out, ${result.counts.replay} replayed)`,
  );
  for (const row of summary(result).results) {
    io.print(
      `  ${row.name.padEnd(28)} ${pct(row.before).padStart(8)} → ${pct(row.after).padStart(8)} (${row.after >= row.before ? '+' : ''}${((row.after - row.before) * 100).toFixed(2)} points)`,
    );
  }
  return result;
}

/** Before and after per test set (accuracy), as printed and as `--json`. */
function summary(result: TuneResult) {
  const after = new Map(result.after.results.map((r) => [r.name, r] as const));
  return {
    outDir: result.outDir,
    counts: result.counts,
    results: result.before.results
      .filter((r: EvaluationResult) => after.has(r.name))
      .map((r) => ({
        name: r.name,
        count: r.count,
        before: r.accuracy,
        after: after.get(r.name)!.accuracy,
      })),
  };
}

/** The samples folder as a source record: every file with its SHA-256. */
async function samplesRecord(
  dir: string,
  samples: Awaited<ReturnType<typeof loadImageFolder>>,
): Promise<SourceRecord> {
  const files = await Promise.all(
    samples.files.map(async (file) => {
      const path = join(dir, file);
      const [sha256, info] = await Promise.all([sha256File(path), stat(path)]);
      return { path: relative(dir, path), sha256, bytes: info.size };
    }),
  );
  return {
    source: `folder:${dir}`,
    files,
    counts: { train: samples.labels.length, validation: 0, test: 0 },
    dropped: samples.skipped.length,
    droppedDuplicates: 0,
    splitSeed: null,
    validationSeed: null,
  };
}

/** The options of `hcr tune`. */
export const TUNE_OPTIONS = defineOptions({
  samples: {
    flags: '--samples <dir>',
    description: 'folder of samples, one sub-folder per class (A/, 7/, ...)',
    required: true,
  },
  out: { flags: '--out <dir>', description: 'model directory to write', required: true },
  model: { flags: '--model <dir>', description: 'model to adapt (default: the shipped model)' },
  replay: {
    flags: '--replay <n>',
    description:
      'replayed training images, per class on average (drawn so each class keeps its training share; 0: none)',
    parse: 'non-negative',
    default: TUNE_DEFAULTS.replayPerClass,
  },
  epochs: {
    flags: '--epochs <n>',
    description: 'passes over the samples and the replay',
    parse: 'integer',
    default: TUNE_DEFAULTS.epochs,
  },
  lr: {
    flags: '--lr <rate>',
    description: 'peak learning rate (Adam, cosine)',
    parse: 'number',
    default: TUNE_DEFAULTS.learningRate,
  },
  repeats: {
    flags: '--repeats <n>',
    description: 'times each sample is seen per epoch, augmented anew',
    parse: 'integer',
    default: TUNE_DEFAULTS.repeats,
  },
  heldOut: {
    flags: '--held-out <share>',
    description: "share of each class's samples kept to measure the gain",
    parse: 'number',
    default: TUNE_DEFAULTS.heldOut,
  },
  seed: {
    flags: '--seed <n>',
    description: 'random seed',
    parse: 'integer',
    default: TUNE_DEFAULTS.seed,
  },
  ...DATA_OPTIONS,
  ...RUN_OPTIONS,
});

/** `hcr tune` in the command registry. */
export const TUNE_COMMAND = defineCommand({
  name: 'tune',
  description:
    "adapt a model to one writer from a folder of samples (one sub-folder per class), replaying the data folder's training images so it does not forget the others",
  options: TUNE_OPTIONS,
  run: async (options) => {
    await initEngine({ backend: options.backend as BackendName });
    await tuneCommand(
      {
        ...options,
        model: resolveModelDir(options.model),
        dataDir: dataDirOf(options),
        cacheDir: cacheDirOf(options),
      },
      { print, note },
    );
  },
});
