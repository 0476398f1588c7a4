// The training loop: shuffled, augmented batches through Adam with sparse categorical
// cross-entropy, validation after every epoch, early stopping, the best model saved
// atomically, and a resumable checkpoint (model, optimizer, position in the epoch) so that
// a crash or Ctrl-C loses at most the checkpoint interval. At the end of an epoch the
// checkpoint is written before the model: a crash between the two leaves a checkpoint from
// which --resume re-saves the model, never a model without a way on. The seed reaches every
// source of randomness (seeded.ts). Progress is reported as typed events; nothing is printed.
// The run's state on disk and where a run starts are in run-state.ts; what each batch sees
// (order, seeds, augmentation, class weights) in batches.ts.

import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import { NORMALIZATION_VERSION } from '../../core/normalize.js';
import type { Dataset } from '../../core/types.js';
import type { BackendName } from '../engine/backend.js';
import { ReplicaPool, defaultWorkers } from '../engine/replicas.js';
import { writeFileAtomic } from '../fs-atomic.js';
import {
  describeMachine,
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
import { batchSeed, computeClassWeights, epochOrder, fillBatch } from './batches.js';
import { learningRateAt, type ResolvedTrainConfig } from './config.js';
import {
  STATE_FILE,
  hasModel,
  openRun,
  recoverRun,
  runFingerprint,
  type StopReason,
  type TrainState,
} from './run-state.js';

export type { StopReason } from './run-state.js';
export { computeClassWeights } from './batches.js';
export { checkpointDirFor } from '../model/files.js';

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

const HISTORY_FILE = MODEL_FILES.history;

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
  const print = runFingerprint(train, validation, labelSet);
  if (train.labels.length === 0) throw new HcrError('BAD_DATA', 'no training images');
  if (validation.labels.length === 0) throw new HcrError('BAD_DATA', 'no validation images');

  const optimizer = tf.train.adam(params.config.learningRate);
  const repaired = await recoverRun(outDir);
  const { config, state, model, resumedFrom } = await openRun(
    {
      outDir,
      resume: params.resume ?? false,
      init: params.init,
      config: params.config,
      labelSet,
      fingerprint: print,
    },
    optimizer,
  );

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
        fillBatch(train, indices, pool, {
          augment: config.augment,
          seed: batchSeed(config.seed, epoch, batch),
          weights,
        });
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
