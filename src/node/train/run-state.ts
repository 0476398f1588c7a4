// A character model's training run on disk: the resumable state saved beside the model and
// its checkpoint (train-state.json), the fingerprint that keeps a resume from mixing data, the
// repair of what a crash left, and where a run starts: a new model, or the checkpoint (else the
// saved best model) that --resume continues.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { createModel } from '../../core/architectures.js';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import type { Dataset } from '../../core/types.js';
import { withSeededMathRandom } from '../engine/seeded.js';
import { recoverDirectory } from '../fs-atomic.js';
import { loadModel, loadOptimizerState } from '../model/artifact.js';
import { MODEL_FILES, checkpointDirFor } from '../model/files.js';
import type { EpochRecord } from '../model/history.js';
import type { ResolvedTrainConfig } from './config.js';
import { initFromModel } from './init.js';

/** Why training ended. */
export type StopReason = 'completed' | 'early-stopping' | 'time-limit' | 'interrupted';

/** The resumable state saved with a checkpoint (and with the best model). */
export interface TrainState {
  readonly version: 1;
  readonly config: ResolvedTrainConfig;
  readonly fingerprint: string;
  readonly epoch: number;
  readonly batch: number;
  readonly elapsedSeconds: number;
  readonly history: EpochRecord[];
  readonly bestValLoss: number;
  readonly bestEpoch: number;
  readonly epochsWithoutImprovement: number;
  readonly partial: { loss: number; correct: number; images: number };
  /** Why the run ended, or null while it can still go on (interrupted, crashed). */
  readonly finished: StopReason | null;
}

/** The file of a model directory that holds its {@link TrainState}. */
export const STATE_FILE = MODEL_FILES.trainState;

/**
 * Identifies the training data and label set, so a resume cannot mix data silently.
 *
 * @example
 * runFingerprint(train, validation, LABEL_SETS.digits); // 'digits:900:100:3f2a…'
 */
export function runFingerprint(train: Dataset, validation: Dataset, labelSet: LabelSet): string {
  let h = 2166136261;
  const mix = (v: number) => {
    h = Math.imul(h ^ v, 16777619) >>> 0;
  };
  for (const ds of [train, validation]) {
    mix(ds.labels.length);
    for (let i = 0; i < ds.labels.length; i += 97) mix(ds.labels[i]!);
    for (let i = 0; i < ds.images.length; i += 7919) mix(ds.images[i]!);
  }
  return `${labelSet.name}:${train.labels.length}:${validation.labels.length}:${h.toString(16)}`;
}

async function readState(dir: string): Promise<TrainState> {
  try {
    return JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as TrainState;
  } catch (error) {
    throw new HcrError(
      'BAD_MODEL',
      `${dir}: no readable ${STATE_FILE} to resume from (${(error as Error).message})`,
    );
  }
}

async function hasState(path: string): Promise<boolean> {
  try {
    await readFile(join(path, STATE_FILE));
    return await hasModel(path);
  } catch {
    return false;
  }
}

/**
 * Whether `path` holds a saved model (its hcr.json).
 *
 * @example
 * if (await hasModel(outDir)) await writeFileAtomic(join(outDir, 'history.json'), text);
 */
export async function hasModel(path: string): Promise<boolean> {
  try {
    await readFile(join(path, MODEL_FILES.metadata));
    return true;
  } catch {
    return false;
  }
}

/**
 * Repairs what a crash left of the run in `outDir`: completes or undoes an interrupted save
 * of the model and of the checkpoint, and removes temporaries of dead processes. Returns
 * what it did, one line per change.
 *
 * @example
 * const repaired = await recoverRun('runs/x'); // [] after a clean stop
 */
export async function recoverRun(outDir: string): Promise<string[]> {
  const notes: string[] = [];
  for (const dir of [outDir, checkpointDirFor(outDir)]) {
    const report = await recoverDirectory(dir);
    if (report.busy) {
      throw new HcrError(
        'BAD_OPTION',
        `${dir} is being written by another running process; wait for it or stop it first`,
      );
    }
    if (report.restored === 'new') notes.push(`${dir}: completed a save a crash interrupted`);
    if (report.restored === 'old')
      notes.push(`${dir}: put back the version a crashed save replaced`);
    if (report.removed.length > 0) {
      notes.push(
        `${dir}: removed ${report.removed.length} leftover temporary file(s) of a crashed run`,
      );
    }
  }
  return notes;
}

/** Where {@link openRun} starts a run. */
export interface RunStart {
  readonly outDir: string;
  /** Continue the run in `outDir` (its checkpoint, else its saved model). */
  readonly resume: boolean;
  /** A saved model whose weights a new run starts from (`--init`). */
  readonly init: string | undefined;
  readonly config: ResolvedTrainConfig;
  readonly labelSet: LabelSet;
  /** {@link runFingerprint} of the run's data. */
  readonly fingerprint: string;
}

/** What {@link openRun} found or made. */
export interface OpenedRun {
  /** The run's recipe: the checkpoint's on resume, with the epoch budget and time limit given now. */
  readonly config: ResolvedTrainConfig;
  readonly state: TrainState;
  readonly model: tf.LayersModel;
  /** What the run resumed from, or null for a new run. */
  readonly resumedFrom: 'checkpoint' | 'model' | null;
}

/**
 * Starts a run: with `resume`, loads the checkpoint (else the saved model that holds its
 * training state) and its optimizer state into `optimizer`; otherwise refuses an `outDir` that
 * already holds a run and creates the model (from `init`'s weights when given).
 *
 * @throws HcrError NOT_FOUND (nothing to resume), BAD_DATA (a checkpoint of other data),
 *   BAD_OPTION (a new run over an existing one)
 * @example
 * const run = await openRun({ outDir, resume: false, init: undefined, config, labelSet, fingerprint }, optimizer);
 */
export async function openRun(start: RunStart, optimizer: tf.Optimizer): Promise<OpenedRun> {
  const { outDir, labelSet, fingerprint } = start;
  const checkpointDir = checkpointDirFor(outDir);
  if (start.resume) {
    const source = (await hasModel(checkpointDir))
      ? checkpointDir
      : (await hasState(outDir))
        ? outDir
        : null;
    if (source === null) {
      throw new HcrError(
        'NOT_FOUND',
        (await hasModel(outDir))
          ? `${checkpointDir}: no checkpoint to resume from, and ${outDir} was saved without its training state (by an older hcr); start a new run with another --out`
          : `${checkpointDir}: no checkpoint to resume from`,
      );
    }
    const state = await readState(source);
    if (state.fingerprint !== fingerprint) {
      throw new HcrError(
        'BAD_DATA',
        `${source}: the checkpoint was trained on other data (${state.fingerprint}), now ${fingerprint}; use the same sources, label set and seed`,
      );
    }
    // The run's recipe stays the checkpoint's; only the epoch budget and the time limit may change.
    const config = Object.freeze({
      ...state.config,
      epochs: start.config.epochs,
      maxMinutes: start.config.maxMinutes,
    });
    const loaded = await loadModel(source);
    await loadOptimizerState(source, loaded.metadata, optimizer);
    return {
      config,
      state,
      model: loaded.model,
      resumedFrom: source === checkpointDir ? 'checkpoint' : 'model',
    };
  }
  if (await hasModel(checkpointDir)) {
    const previous = await readState(checkpointDir);
    throw new HcrError(
      'BAD_OPTION',
      previous.finished === null
        ? `${checkpointDir} holds an unfinished run: pass --resume to continue it, or remove it to start over`
        : `${outDir} already holds a trained model (${previous.finished}): choose another --out, remove it, or pass --resume with more --epochs to train it further`,
    );
  }
  if (await hasModel(outDir)) {
    throw new HcrError(
      'BAD_OPTION',
      (await hasState(outDir))
        ? `${outDir} already holds a model: pass --resume to continue its run, choose another --out or remove it first`
        : `${outDir} already holds a model: choose another --out or remove it first`,
    );
  }
  const { config } = start;
  const arch = config.architecture;
  const dropout = config.dropout;
  const model = withSeededMathRandom(config.seed, () =>
    createModel({
      architecture: arch,
      numClasses: labelSet.classes.length,
      options: dropout === null ? {} : { dropout },
    }),
  );
  if (start.init) await initFromModel(model, start.init, labelSet, config.architecture);
  const state: TrainState = {
    version: 1,
    config,
    fingerprint,
    epoch: 0,
    batch: 0,
    elapsedSeconds: 0,
    history: [],
    bestValLoss: Infinity,
    bestEpoch: -1,
    epochsWithoutImprovement: 0,
    partial: { loss: 0, correct: 0, images: 0 },
    finished: null,
  };
  return { config, state, model, resumedFrom: null };
}
