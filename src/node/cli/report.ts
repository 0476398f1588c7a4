// The `hcr report` command and `hcr train --report`: runs src/node/report and tells a person
// what happened (which evaluation was reused, which plots are missing and why, where the page
// is).

import { basename } from 'node:path';
import { HcrError } from '../../core/errors.js';
import type { PlanProgress } from '../data/plan.js';
import { readHistory, type EpochRecord } from '../model/history.js';
import { bestEpochOf } from '../report/layout.js';
import {
  reportDirFor,
  writeReport,
  writeTrainingCurves,
  type ReportEvent,
  type ReportOptions,
  type ReportResult,
} from '../report/report.js';
import { REPORT_DEFAULTS } from '../report/report.js';
import { initEngine, type BackendName } from '../engine/index.js';
import type { TrainEvent } from '../train/trainer.js';
import { defineCommand } from './command.js';
import { DATA_OPTIONS, RUN_OPTIONS, cacheDirOf, dataDirOf, note, print } from './common.js';
import { defineOptions } from './options.js';
import { dataProgressRenderer } from './progress.js';

/** Where the command's text goes: results on `print` (stdout), progress on `note` (stderr). */
export interface ReportIo {
  readonly print: (text: string) => void;
  readonly note: (text: string) => void;
  /** Draws data-loading progress (the CLI's shared renderer). */
  readonly dataProgress?: (progress: PlanProgress) => void;
}

/** Options of `hcr report` after commander parsed them. */
export interface ReportCliOptions {
  readonly dataDir: string;
  readonly cacheDir: string;
  readonly compare?: string;
  readonly out?: string;
  readonly sources?: readonly string[];
  readonly samples?: number;
  readonly save?: boolean;
  readonly replace?: boolean;
  readonly json?: boolean;
}

/** Turns report events into progress lines for a person. */
function reportProgress(io: ReportIo): (event: ReportEvent) => void {
  let lastPlotNote = 0;
  return (event) => {
    switch (event.phase) {
      case 'load':
        io.note(`loading ${event.model}`);
        break;
      case 'data':
        io.dataProgress?.(event.progress);
        break;
      case 'evaluate':
        if (event.done < event.total) {
          io.note(
            `evaluating ${event.model} on ${event.testSet} (${event.done + 1}/${event.total})`,
          );
        }
        break;
      case 'evaluation':
        io.note(
          event.reused
            ? `${event.model}: reusing evaluation.json (same weights, same test images)`
            : `${event.model}: evaluated (${event.reason})`,
        );
        if (event.recorded) io.note(`${event.model}: ${event.recorded}`);
        break;
      case 'plot':
        if (event.done === 0 || Date.now() - lastPlotNote > 3000) {
          lastPlotNote = Date.now();
          io.note(`drawing plots: ${event.done}/${event.total} (${event.file})`);
        }
        break;
      case 'written':
        break;
    }
  };
}

/** Prints where the report is and what it lacks. */
function printResult(result: ReportResult, io: ReportIo, json: boolean): void {
  if (json) {
    io.print(JSON.stringify(result, null, 2));
    return;
  }
  const plots = result.files.filter((f) => f.endsWith('.png')).length;
  io.print(`report: ${result.html}`);
  io.print(`  ${plots} plots as PNG and SVG, metrics.json, in ${result.outDir}`);
  for (const m of result.missing) io.print(`  not shown: ${m.plot}: ${m.reason}`);
}

/**
 * `hcr report MODEL_DIR`: writes the report and prints where it is.
 *
 * @example
 * await reportCommand('runs/default', { dataDir, cacheDir }, { print, note });
 */
export async function reportCommand(
  modelDir: string,
  options: ReportCliOptions,
  io: ReportIo,
): Promise<ReportResult> {
  const result = await writeReport({
    modelDir,
    dataDir: options.dataDir,
    cacheDir: options.cacheDir,
    ...(options.compare ? { compareDir: options.compare } : {}),
    ...(options.out ? { outDir: options.out } : {}),
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.samples !== undefined ? { samplesPerClass: options.samples } : {}),
    ...(options.save !== undefined ? { save: options.save } : {}),
    ...(options.replace !== undefined ? { replace: options.replace } : {}),
    ...(options.json ? {} : { onProgress: reportProgress(io) }),
  });
  printResult(result, io, Boolean(options.json));
  return result;
}

/**
 * The training side of `hcr train --report`: feed it the trainer's events and it rewrites the
 * curves (MODEL_DIR.report/curves.png and .svg) after every epoch, so a long run can be
 * watched; `finish` waits for the last write and then writes the full report. A failed curves
 * write is reported through `io.note` and does not stop training.
 *
 * @example
 * const watcher = await trainReportWatcher({ modelDir: 'runs/x', resume: false, io });
 * await trainModel({ ..., onProgress: (e) => { renderer.onEvent(e); watcher.onEvent(e); } });
 * await watcher.finish({ dataDir, cacheDir, plan });
 */
export async function trainReportWatcher(params: {
  modelDir: string;
  resume: boolean;
  io: ReportIo;
  json?: boolean;
}): Promise<{
  readonly outDir: string;
  onEvent: (event: TrainEvent) => void;
  /** Waits until the curves of every epoch seen so far are written. */
  flush: () => Promise<void>;
  finish: (options: Omit<ReportOptions, 'modelDir'>) => Promise<ReportResult>;
}> {
  const outDir = reportDirFor(params.modelDir);
  const model = basename(params.modelDir);
  const history: EpochRecord[] = [];
  let bestEpoch: number | null = null;
  let epochs: number | undefined;
  if (params.resume) {
    const previous = await readHistory(params.modelDir);
    if ('history' in previous) {
      history.push(...previous.history);
      bestEpoch = bestEpochOf(null, previous.history);
    }
  }
  let writing: Promise<void> = Promise.resolve();
  const onEvent = (event: TrainEvent) => {
    if (event.phase === 'start') epochs = event.epochs;
    if (event.phase !== 'epoch') return;
    const record: EpochRecord = {
      epoch: event.epoch,
      loss: event.loss,
      accuracy: event.accuracy,
      valLoss: event.valLoss,
      valAccuracy: event.valAccuracy,
      learningRate: event.learningRate,
      seconds: event.seconds,
      images: event.images,
    };
    const at = history.findIndex((r) => r.epoch === record.epoch);
    if (at >= 0) history.splice(at, history.length - at);
    history.push(record);
    if (event.improved) bestEpoch = record.epoch;
    const snapshot = [...history];
    const best = bestEpoch;
    const budget = epochs;
    // Writes run one after another, behind training; `finish` waits for the last.
    writing = writing.then(async () => {
      try {
        await writeTrainingCurves(
          outDir,
          [{ model, history: snapshot, bestEpoch: best }],
          budget === undefined ? {} : { epochs: budget },
        );
      } catch (error) {
        params.io.note(`hcr: could not update the training curves: ${(error as Error).message}`);
      }
    });
  };
  const flush = () => writing;
  const finish = async (options: Omit<ReportOptions, 'modelDir'>) => {
    await writing;
    const result = await writeReport({
      ...options,
      modelDir: params.modelDir,
      ...(params.json ? {} : { onProgress: reportProgress(params.io) }),
    });
    if (params.json) params.io.note(`report: ${result.html}`);
    else printResult(result, params.io, false);
    return result;
  };
  return { outDir, onEvent, flush, finish };
}

/** The options of `hcr report`. */
export const REPORT_OPTIONS = defineOptions({
  compare: {
    flags: '--compare <dir>',
    description: 'a second model directory to show side by side',
  },
  out: { flags: '--out <dir>', description: 'report directory (default: <model-dir>.report)' },
  sources: {
    flags: '--sources <list>',
    description:
      'comma-separated sources to test on and sample from (default: every source present)',
    parse: 'list',
  },
  samples: {
    flags: '--samples <n>',
    description: 'sample images per class in each data source grid',
    parse: 'integer',
    default: REPORT_DEFAULTS.samplesPerClass,
  },
  save: {
    flags: '--no-save',
    description:
      "do not record a new evaluation in the model's evaluation.json and hcr.json (by default test sets they lack are added; none is replaced)",
  },
  replace: {
    flags: '--replace',
    description:
      "replace the model's recorded results with a new evaluation (test sets not run are dropped; says what it replaced)",
  },
  ...DATA_OPTIONS,
  ...RUN_OPTIONS,
});

/** `hcr report` in the command registry. */
export const REPORT_COMMAND = defineCommand({
  name: 'report',
  description:
    'write plots (PNG and SVG), metrics.json and a self-contained report.html for a model',
  arguments: [{ name: '<model-dir>', description: "a model directory written by 'hcr train'" }],
  options: REPORT_OPTIONS,
  run: async (options, [modelDir]: [string]) => {
    if (options.samples < 1) {
      throw new HcrError(
        'BAD_OPTION',
        `--samples: expected a positive integer, got ${options.samples}`,
      );
    }
    await initEngine({ backend: options.backend as BackendName });
    await reportCommand(
      modelDir,
      { ...options, dataDir: dataDirOf(options), cacheDir: cacheDirOf(options) },
      {
        print,
        note,
        ...(options.json ? {} : { dataProgress: dataProgressRenderer({ stream: process.stderr }) }),
      },
    );
  },
});
