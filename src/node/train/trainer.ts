// The training loop: shuffled, augmented batches through Adam with sparse categorical
// cross-entropy, validation after every epoch, early stopping, the best model saved
// atomically, and a resumable checkpoint (model, optimizer, position in the epoch) so that
// a crash or Ctrl-C loses at most the checkpoint interval. At the end of an epoch the
// checkpoint is written before the model: a crash between the two leaves a checkpoint from
// which --resume re-saves the model, never a model without a way on. The seed reaches every
// source of randomness (seeded.ts). Progress is reported as typed events; nothing is printed.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../core/architectures.js';
import { AUGMENT_DEFAULTS, augmentBatch, toFloatBatch } from '../../core/augment.js';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import { NORMALIZATION_VERSION } from '../../core/normalize.js';
import { createRandom, shuffleInPlace } from '../../core/random.js';
import { classCounts } from '../../core/split.js';
import type { Dataset } from '../../core/types.js';
import type { BackendName } from '../engine/backend.js';
import { ReplicaPool, defaultWorkers } from '../engine/replicas.js';
import { recoverDirectory, writeFileAtomic } from '../fs-atomic.js';
import {
  describeMachine,
  loadModel,
  loadOptimizerState,
  readMetadata,
  saveModel,
  type Hyperparameters,
  type MetadataInput,
  type ModelMetadata,
  type SourceRecord,
} from '../model/artifact.js';
import { MODEL_FILES, checkpointDirFor } from '../model/files.js';
import { historyText, type EpochRecord } from '../model/history.js';
import { lossAndAccuracy } from '../model/inference.js';
import { learningRateAt, type ResolvedTrainConfig } from './config.js';
import { initFromModel } from './init.js';
import { withSeededMathRandom } from '../engine/seeded.js';

/** Why training ended. */
export type StopReason = 'completed' | 'early-stopping' | 'time-limit' | 'interrupted';

/** Progress events of {@link trainModel}. */
export type TrainEvent =
  | {
      phase: 'start';
      epochs: number;
      batchesPerEpoch: number;
      trainImages: number;
      validationImages: number;
      resumedAt: { epoch: number; batch: number } | null;
      /** What the run resumed from: the checkpoint, or (without one) the saved best model. */
      resumedFrom?: 'checkpoint' | 'model' | null;
      /** What was repaired before starting: crashed saves completed or undone, leftovers removed. */
      repaired?: readonly string[];
    }
  | {
      phase: 'batch';
      epoch: number;
      batch: number;
      batches: number;
      loss: number;
      accuracy: number;
      imagesPerSecond: number;
      etaSeconds: number;
      learningRate: number;
    }
  | { phase: 'validation'; epoch: number }
  | ({ phase: 'epoch'; improved: boolean } & EpochRecord)
  | { phase: 'checkpoint'; dir: string; epoch: number; batch: number }
  | { phase: 'saved'; dir: string; epoch: number }
  | { phase: 'stopped'; reason: StopReason };

/** What {@link trainModel} needs. */
export interface TrainParams {
  readonly train: Dataset;
  readonly validation: Dataset;
  readonly labelSet: LabelSet;
  readonly config: ResolvedTrainConfig;
  /** Where the best model goes; the resumable checkpoint is `${outDir}.checkpoint`. */
  readonly outDir: string;
  /**
   * Continue from `${outDir}.checkpoint`, or from the model in `outDir` when there is no
   * checkpoint (with a fresh optimizer). Default false (and then an existing checkpoint is an error).
   */
  readonly resume?: boolean;
  /** Provenance of the data, recorded in the model's metadata. */
  readonly provenance?: readonly SourceRecord[];
  /** How the data was chosen (sources, foldCase, validation share), recorded with the hyperparameters. */
  readonly dataOptions?: Hyperparameters;
  readonly splitSeed?: number;
  /** Name of the active tfjs backend, recorded in the metadata. */
  readonly backend?: string;
  readonly onProgress?: (event: TrainEvent) => void;
  /**
   * Worker threads that each compute the gradients of a slice of every batch (data
   * parallelism; the update is the same as on one thread). Default `defaultWorkers(backend)`:
   * one per extra core on WASM.
   */
  readonly workers?: number;
  /** Aborting stops after the current batch, with a checkpoint saved. */
  readonly signal?: AbortSignal;
  /** Start a new run from this saved model's weights (same architecture; with another label set the classes both hold carry over). */
  readonly init?: string;
  /** Milliseconds clock (injected in tests). Default `performance.now`. */
  readonly now?: () => number;
}

/** Result of {@link trainModel}. */
export interface TrainResult {
  readonly reason: StopReason;
  readonly history: readonly EpochRecord[];
  readonly bestEpoch: number;
  readonly outDir: string;
  readonly checkpointDir: string;
  readonly metadata: ModelMetadata | null;
}

/** The resumable state saved with a checkpoint. */
interface TrainState {
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

const STATE_FILE = MODEL_FILES.trainState;
const HISTORY_FILE = MODEL_FILES.history;

export { checkpointDirFor } from '../model/files.js';

/** Identifies the training data and label set, so a resume cannot mix data silently. */
function fingerprint(train: Dataset, validation: Dataset, labelSet: LabelSet): string {
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

/** A seed for batch `batch` of epoch `epoch`, so a resumed run repeats the same randomness. */
function batchSeed(seed: number, epoch: number, batch: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 31 + epoch) + Math.imul(batch + 1, 0x85ebca6b)) >>> 0;
}

/** The order of the training images in `epoch`. */
function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return shuffleInPlace(order, createRandom(batchSeed(seed, epoch, -1)));
}

/**
 * Per-class loss weights (N / (C * count_c))^power, 0 for absent classes, scaled so that the
 * average weight over the training images is 1 (the loss keeps its scale for any power).
 */
export function computeClassWeights(
  labels: ArrayLike<number>,
  numClasses: number,
  power: number,
): Float32Array {
  const counts = classCounts(labels, numClasses);
  const weights = new Float32Array(numClasses);
  let total = 0;
  counts.forEach((n, c) => {
    weights[c] = n > 0 ? (labels.length / (numClasses * n)) ** power : 0;
    total += weights[c]! * n;
  });
  const scale = labels.length / total;
  return weights.map((w) => w * scale);
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
 * Repairs what a crash left of the run in `outDir`: completes or undoes an interrupted save
 * of the model and of the checkpoint, and removes temporaries of dead processes. Returns
 * what it did, one line per change.
 */
async function recoverRun(outDir: string): Promise<string[]> {
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

async function hasModel(path: string): Promise<boolean> {
  try {
    await readFile(join(path, MODEL_FILES.metadata));
    return true;
  } catch {
    return false;
  }
}

/**
 * Trains a model on `train`, validating on `validation` after each epoch, and saves the best
 * one (lowest validation loss) to `outDir` with its metadata and history.json.
 *
 * @example
 * const result = await trainModel({ train, validation, labelSet, config: resolveTrainConfig(), outDir: 'runs/x' });
 */
export async function trainModel(params: TrainParams): Promise<TrainResult> {
  const { train, validation, labelSet, outDir } = params;
  const now = params.now ?? (() => performance.now());
  const emit = params.onProgress ?? (() => {});
  const checkpointDir = checkpointDirFor(outDir);
  const numClasses = labelSet.classes.length;
  const print = fingerprint(train, validation, labelSet);
  if (train.labels.length === 0) throw new HcrError('BAD_DATA', 'no training images');
  if (validation.labels.length === 0) throw new HcrError('BAD_DATA', 'no validation images');

  let config = params.config;
  let state: TrainState;
  let model: tf.LayersModel;
  const optimizer = tf.train.adam(config.learningRate);
  const repaired = await recoverRun(outDir);
  let resumedFrom: 'checkpoint' | 'model' | null = null;
  if (params.resume) {
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
    resumedFrom = source === checkpointDir ? 'checkpoint' : 'model';
    state = await readState(source);
    if (state.fingerprint !== print) {
      throw new HcrError(
        'BAD_DATA',
        `${source}: the checkpoint was trained on other data (${state.fingerprint}), now ${print}; use the same sources, label set and seed`,
      );
    }
    // The run's recipe stays the checkpoint's; only the epoch budget and the time limit may change.
    config = Object.freeze({
      ...state.config,
      epochs: config.epochs,
      maxMinutes: config.maxMinutes,
    });
    const loaded = await loadModel(source);
    model = loaded.model;
    await loadOptimizerState(source, loaded.metadata, optimizer);
  } else {
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
    const arch = config.architecture;
    const dropout = config.dropout;
    model = withSeededMathRandom(config.seed, () =>
      createModel({
        architecture: arch,
        numClasses,
        options: dropout === null ? {} : { dropout },
      }),
    );
    if (params.init) await initFromModel(model, params.init, labelSet, config.architecture);
    state = {
      version: 1,
      config,
      fingerprint: print,
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
  }

  const batchSize = config.batchSize;
  const count = train.labels.length;
  const batches = Math.ceil(count / batchSize);
  const totalSteps = batches * config.epochs;
  const weights =
    config.classWeights > 0
      ? computeClassWeights(train.labels, numClasses, config.classWeights)
      : null;
  const backend = (params.backend ?? tf.getBackend()) as BackendName;
  const pool = await ReplicaPool.start(model, {
    workers: params.workers ?? defaultWorkers(backend),
    backend,
    batchSize,
  });
  const { images: floats, labels: labelBuffer, sampleWeights: weightBuffer } = pool;
  const history = [...state.history];
  let { epoch, batch, bestValLoss, bestEpoch, epochsWithoutImprovement } = state;
  // JSON has no Infinity: a checkpoint taken before the first validation stores null.
  bestValLoss = bestValLoss ?? Infinity;
  let partial = { ...state.partial };
  const startedAt = now() - state.elapsedSeconds * 1000;
  const elapsed = () => (now() - startedAt) / 1000;
  const timeLimit = config.maxMinutes === null ? Infinity : config.maxMinutes * 60;
  const progress = (step: number) => Math.max(step / totalSteps, elapsed() / timeLimit);
  let lastCheckpoint = now();
  let metadata: ModelMetadata | null = null;
  let reason: StopReason | null = null;

  const metadataInput = (): MetadataInput => ({
    labelSet: { name: labelSet.name, classes: [...labelSet.classes] },
    normalization: { version: NORMALIZATION_VERSION },
    architecture: {
      name: config.architecture,
      options: config.dropout === null ? {} : { dropout: config.dropout },
    },
    training: {
      hyperparameters: { ...config, ...params.dataOptions },
      data: params.provenance ?? [],
      splitSeed: params.splitSeed ?? config.seed,
      epochs: history.length,
      bestEpoch,
      durationSeconds: Math.round(elapsed()),
      backend: params.backend ?? tf.getBackend(),
      machine: describeMachine(pool.workers),
    },
    metrics: {},
  });

  const currentState = (finished: StopReason | null): TrainState => ({
    version: 1,
    config,
    fingerprint: print,
    epoch,
    batch,
    elapsedSeconds: elapsed(),
    history,
    bestValLoss,
    bestEpoch,
    epochsWithoutImprovement,
    partial,
    finished,
  });

  const saveCheckpoint = async (finished: StopReason | null = null) => {
    await saveModel(checkpointDir, model, metadataInput(), {
      optimizer,
      extraFiles: { [STATE_FILE]: JSON.stringify(currentState(finished), null, 1) },
    });
    lastCheckpoint = now();
    emit({ phase: 'checkpoint', dir: checkpointDir, epoch, batch });
  };

  /** Saves the best model with its history and training state (what --resume needs without a checkpoint). */
  const saveBest = async (finished: StopReason | null) => {
    metadata = await saveModel(outDir, model, metadataInput(), {
      extraFiles: {
        [HISTORY_FILE]: historyText(history),
        [STATE_FILE]: JSON.stringify(currentState(finished), null, 1),
      },
    });
    emit({ phase: 'saved', dir: outDir, epoch });
  };

  // A checkpoint written at the end of the best epoch holds the best weights: when a crash
  // came before the model was saved too, save it now.
  if (resumedFrom === 'checkpoint' && batch === 0 && bestEpoch === epoch && epoch > 0) {
    const saved = await readMetadata(outDir).catch(() => null);
    if (saved?.training?.bestEpoch !== bestEpoch) {
      await saveBest(state.finished);
      repaired.push(`${outDir}: saved the model of epoch ${bestEpoch} from the checkpoint`);
    }
  }

  emit({
    phase: 'start',
    epochs: config.epochs,
    batchesPerEpoch: batches,
    trainImages: count,
    validationImages: validation.labels.length,
    resumedAt: params.resume ? { epoch, batch } : null,
    resumedFrom,
    repaired,
  });

  try {
    while (epoch < config.epochs && reason === null) {
      const order = epochOrder(count, config.seed, epoch);
      const epochStart = now();
      const imagesAtStart = partial.images;
      while (batch < batches) {
        const start = batch * batchSize;
        const n = Math.min(batchSize, count - start);
        const indices = order.subarray(start, start + n);
        if (config.augment) {
          augmentBatch(
            train.images,
            indices,
            floats,
            createRandom(batchSeed(config.seed, epoch, batch)),
            AUGMENT_DEFAULTS,
          );
        } else {
          toFloatBatch(train.images, indices, floats);
        }
        for (let i = 0; i < n; i++) {
          const y = train.labels[indices[i]!]!;
          labelBuffer[i] = y;
          if (weights) weightBuffer[i] = weights[y]!;
        }
        const lr = learningRateAt(config, progress(epoch * batches + batch));
        (optimizer as unknown as { learningRate: number }).learningRate = lr;
        const step = await pool.trainStep(
          optimizer,
          n,
          weights !== null,
          batchSeed(config.seed ^ 0x5bd1e995, epoch, batch),
        );
        const lossValue = step.loss;
        const correctValue = step.correct;
        if (!Number.isFinite(lossValue)) {
          throw new HcrError(
            'ENGINE',
            `training diverged at epoch ${epoch + 1}, batch ${batch + 1}: loss is ${lossValue}; lower --lr`,
          );
        }
        partial = {
          loss: partial.loss + lossValue * n,
          correct: partial.correct + correctValue,
          images: partial.images + n,
        };
        batch++;
        const seconds = (now() - epochStart) / 1000;
        const speed = (partial.images - imagesAtStart) / Math.max(seconds, 1e-6);
        emit({
          phase: 'batch',
          epoch,
          batch,
          batches,
          loss: partial.loss / partial.images,
          accuracy: partial.correct / partial.images,
          imagesPerSecond: speed,
          etaSeconds: ((batches - batch) * batchSize) / Math.max(speed, 1e-6),
          learningRate: lr,
        });
        if (params.signal?.aborted) {
          reason = 'interrupted';
          break;
        }
        if (elapsed() >= timeLimit) {
          reason = 'time-limit';
          break;
        }
        if ((now() - lastCheckpoint) / 1000 >= config.checkpointSeconds && batch < batches) {
          await saveCheckpoint();
        }
      }
      if (reason === 'interrupted') break;

      emit({ phase: 'validation', epoch });
      const probs = await pool.predict(validation.images, validation.labels.length);
      const val = lossAndAccuracy(probs, validation.labels, numClasses);
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: partial.loss / Math.max(partial.images, 1),
        accuracy: partial.correct / Math.max(partial.images, 1),
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        learningRate: learningRateAt(config, progress(epoch * batches + batch)),
        seconds: (now() - epochStart) / 1000,
        images: partial.images,
      };
      history.push(record);
      const improved = val.loss < bestValLoss - 1e-4;
      if (improved) {
        bestValLoss = val.loss;
        bestEpoch = epoch + 1;
        epochsWithoutImprovement = 0;
      } else {
        epochsWithoutImprovement++;
      }
      emit({ phase: 'epoch', improved, ...record });
      epoch++;
      batch = 0;
      partial = { loss: 0, correct: 0, images: 0 };
      if (reason === null && config.patience > 0 && epochsWithoutImprovement >= config.patience) {
        reason = 'early-stopping';
      }
      const finished = reason ?? (epoch >= config.epochs ? 'completed' : null);
      // Checkpoint first: see the header comment.
      await saveCheckpoint(finished);
      if (improved) await saveBest(finished);
      else if (await hasModel(outDir)) {
        await writeFileAtomic(join(outDir, HISTORY_FILE), historyText(history));
      }
    }
    if (reason === 'interrupted') await saveCheckpoint();
  } finally {
    await pool.close();
    optimizer.dispose();
    model.dispose();
  }
  reason ??= 'completed';
  emit({ phase: 'stopped', reason });
  return { reason, history, bestEpoch, outDir, checkpointDir, metadata };
}
