// Data parallelism on worker threads (docs/DESIGN.md §1): the WASM backend computes on one thread
// in Node, so hcr runs one replica of the model per extra core. A training step splits the batch
// between the main thread and the workers; each computes the gradients of its slice; the main
// thread averages them (weighted by slice size, so the result is the full batch's gradient) and
// applies one Adam update; the new weights reach the workers through a SharedArrayBuffer before the
// next step. Large inference jobs are split the same way.

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../core/types.js';
import { predictProbabilities } from '../model/inference.js';
import { LINE_HEIGHT } from '../../core/line/normalize-line.js';
import { batchGradients, lineBatchGradients, type BatchGradients } from './loss.js';
import { seedDropout, sliceSeed } from './seeded.js';
import type { BackendName } from './backend.js';
import { startWorker } from './worker-bootstrap.js';
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from './replica-worker.js';

/** Fewer images than this are predicted on the main thread alone (a round trip costs ~0.2 ms). */
const MIN_PARALLEL_IMAGES = 64;

/** Options of {@link ReplicaPool.start}. */
export interface ReplicaPoolOptions {
  /** Worker threads besides the main thread; 0 runs everything on the main thread. Default {@link defaultWorkers}. */
  readonly workers?: number;
  /** The backend the workers start (the main thread's is already running). Default `'wasm'`. */
  readonly backend?: BackendName;
  /** Largest training batch the pool must hold; 0 for an inference-only pool. Default 0. */
  readonly batchSize?: number;
}

/** A batch of lines for {@link ReplicaPool.lineTrainStep}: all padded to one width. */
export interface LineBatch {
  /** `n * LINE_HEIGHT * width` floats in [0, 1], ink bright. */
  readonly images: Float32Array;
  readonly width: number;
  /** Each line's label classes. */
  readonly labels: readonly Int32Array[];
  /** Each line's own frames (its unpadded width's). */
  readonly frames: readonly number[];
}

/** Loss and accuracy counts of one training step. */
export interface StepResult {
  /** Mean loss over the batch. */
  readonly loss: number;
  /** Correctly classified images in the batch. */
  readonly correct: number;
  /**
   * Milliseconds the main thread waited for the workers after its own slice (0 when it
   * finished last): what a caller balancing the split watches.
   */
  readonly waitedMs?: number;
}

/**
 * How many worker threads to add by default: one per core beyond the main thread's on the
 * single-threaded backends (`wasm`, `cpu`), none on `tensorflow` (libtensorflow uses every core).
 *
 * @example
 * defaultWorkers('wasm'); // 1 on a 2-core machine
 */
export function defaultWorkers(backend: string): number {
  return backend === 'tensorflow' ? 0 : Math.max(availableParallelism() - 1, 0);
}

/** Sizes of `count` items split as evenly as possible into `parts`, the main thread's first. */
function shares(count: number, parts: number): number[] {
  const base = Math.floor(count / parts);
  const extra = count % parts;
  // The main thread also prepares batches and merges gradients: it takes the smaller shares.
  return Array.from({ length: parts }, (_, i) => base + (i >= parts - extra ? 1 : 0));
}

interface Replica {
  readonly worker: Worker;
  readonly grads: Float32Array;
  readonly pending: { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void }[];
  failure: Error | null;
}

function request(replica: Replica, message: ReplicaRequest): Promise<ReplicaReply> {
  if (replica.failure) return Promise.reject(replica.failure);
  return new Promise((resolve, reject) => {
    replica.pending.push({ resolve, reject });
    replica.worker.postMessage(message);
  });
}

function startReplica(init: ReplicaInit, grads: Float32Array): Promise<Replica> {
  const worker = startWorker(import.meta.url, './replica-worker', { workerData: init });
  const replica: Replica = { worker, grads, pending: [], failure: null };
  const fail = (error: Error) => {
    replica.failure = new HcrError('ENGINE', `replica worker failed: ${error.message}`, {
      cause: error,
    });
    for (const p of replica.pending.splice(0)) p.reject(replica.failure);
  };
  worker.on('message', (reply: ReplicaReply) => {
    const next = replica.pending.shift();
    if (next === undefined) return;
    if (reply.ok) next.resolve(reply);
    else next.reject(new HcrError('ENGINE', `replica worker: ${reply.message}`));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (replica.pending.length > 0) fail(new Error(`exited with code ${code}`));
  });
  // The worker answers once when its model is built.
  return new Promise<ReplicaReply>((resolve, reject) =>
    replica.pending.push({ resolve, reject }),
  ).then(
    () => replica,
    async (error: unknown) => {
      await worker.terminate();
      throw error;
    },
  );
}

/**
 * A model with replicas on worker threads. The main thread's model stays the one that counts
 * (it is what the optimizer updates and what gets saved); the replicas follow its weights.
 *
 * @example
 * const pool = await ReplicaPool.start(model, { batchSize: 128 });
 * pool.images.set(batchFloats); pool.labels.set(batchLabels);
 * const { loss } = await pool.trainStep(optimizer, 128, false);
 * const probs = await pool.predict(images, count);
 * await pool.close();
 */
export class ReplicaPool {
  /** The batch to train on next: `batchSize * 784` floats in [0, 1], shared with the workers. */
  readonly images: Float32Array;
  /** The batch's labels. */
  readonly labels: Int32Array;
  /** The batch's per-sample loss weights (used when `trainStep` is called with `weighted`). */
  readonly sampleWeights: Float32Array;

  private readonly all: tf.LayerVariable[];
  private readonly variables: tf.Variable[];
  private readonly weightViews: Float32Array[];
  private weightsVersion = 0;
  private weightsShared = false;

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly replicas: Replica[],
    batch: SharedArrayBuffer | ArrayBuffer,
    batchSize: number,
    weights: SharedArrayBuffer,
  ) {
    const pixels = batchSize * IMAGE_PIXELS;
    this.images = new Float32Array(batch, 0, pixels);
    this.labels = new Int32Array(batch, pixels * 4, batchSize);
    this.sampleWeights = new Float32Array(batch, (pixels + batchSize) * 4, batchSize);
    this.all = model.weights;
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.weightViews = [];
    let offset = 0;
    for (const w of weights.byteLength > 0 ? this.all : []) {
      const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      this.weightViews.push(new Float32Array(weights, offset * 4, size));
      offset += size;
    }
  }

  /** Worker threads in the pool (0: the main thread does everything). */
  get workers(): number {
    return this.replicas.length;
  }

  /**
   * Starts `workers` replicas of `model` (built from its topology, given its current weights).
   *
   * @throws HcrError `ENGINE` when a worker cannot start its backend or build the model.
   */
  static async start(
    model: tf.LayersModel,
    options: ReplicaPoolOptions = {},
  ): Promise<ReplicaPool> {
    const backend = options.backend ?? 'wasm';
    const workers = options.workers ?? defaultWorkers(backend);
    const batchSize = options.batchSize ?? 0;
    const batchBytes = (batchSize * IMAGE_PIXELS + 2 * batchSize) * 4;
    const sizes = model.weights.map((w) => w.shape.reduce((a: number, b) => a * (b ?? 1), 1));
    const total = sizes.reduce((a, b) => a + b, 0);
    const trainableIds = new Set(model.trainableWeights.map((w) => w.id));
    const trainable = model.weights.flatMap((w, i) => (trainableIds.has(w.id) ? [i] : []));
    const trainableTotal = trainable.reduce((a, i) => a + sizes[i]!, 0);
    const batch = workers > 0 ? new SharedArrayBuffer(batchBytes) : new ArrayBuffer(batchBytes);
    const weights = new SharedArrayBuffer(workers > 0 ? total * 4 : 0);
    const pool = new ReplicaPool(model, [], batch, batchSize, weights);
    if (workers === 0) return pool;

    pool.shareWeights();
    const topology = model.toJSON(null, false) as object;
    const weightShapes = model.weights.map((w) => w.shape as number[]);
    const started = await Promise.allSettled(
      Array.from({ length: workers }, () => {
        const grads = new SharedArrayBuffer(trainableTotal * 4);
        const init: ReplicaInit = {
          backend,
          topology,
          weightShapes,
          trainable,
          weights,
          batch: batch as SharedArrayBuffer,
          batchSize,
          grads,
        };
        return startReplica(init, new Float32Array(grads));
      }),
    );
    for (const r of started) if (r.status === 'fulfilled') pool.replicas.push(r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason;
    }
    return pool;
  }

  /** Copies the main model's weights where the workers read them, under a new version. */
  private shareWeights(): void {
    for (let i = 0; i < this.all.length; i++) {
      this.weightViews[i]!.set(this.all[i]!.read().dataSync() as Float32Array);
    }
    this.weightsVersion++;
    this.weightsShared = true;
  }

  /**
   * Tells the pool that the main model's weights changed outside {@link trainStep} (for
   * example when a checkpoint was loaded into it).
   */
  weightsChanged(): void {
    this.weightsShared = false;
  }

  /**
   * One training step on the first `n` images of the shared batch: gradients of every slice,
   * averaged over the whole batch, applied once by `optimizer` to the main model. With `seed`,
   * every slice's dropout masks derive from it (the same step repeats exactly, for a given
   * number of workers); without, tfjs draws them from Math.random.
   *
   * @example
   * const { loss, correct } = await pool.trainStep(optimizer, 128, false, 1234);
   */
  async trainStep(
    optimizer: tf.Optimizer,
    n: number,
    weighted: boolean,
    seed?: number,
  ): Promise<StepResult> {
    if (this.replicas.length > 0 && !this.weightsShared) this.shareWeights();
    const parts = shares(n, this.replicas.length + 1);
    const replies: Promise<ReplicaReply>[] = [];
    let start = parts[0]!;
    for (let k = 0; k < this.replicas.length; k++) {
      const count = parts[k + 1]!;
      if (count > 0) {
        replies.push(
          request(this.replicas[k]!, {
            op: 'grads',
            start,
            count,
            weighted,
            weightsVersion: this.weightsVersion,
            ...(seed === undefined ? {} : { seed: sliceSeed(seed, k + 1) }),
          }),
        );
      }
      start += count;
    }
    const own = parts[0]!;
    let mine: BatchGradients | null = null;
    if (own > 0) {
      if (seed !== undefined) seedDropout(this.model, sliceSeed(seed, 0));
      try {
        mine = this.sliceGradients(own, weighted);
      } finally {
        if (seed !== undefined) seedDropout(this.model, null);
      }
    }
    return this.mergeAndApply(optimizer, n, parts, mine, replies);
  }

  /**
   * One training step of a line model on `batch` (lines padded to one width, CTC targets): the
   * same split, gradient averaging and single optimizer update as {@link trainStep}. The main
   * thread takes `mainShare` of the lines, and runs `alongside` (say, rendering the next
   * batch) once the workers have their slices.
   *
   * @example
   * const { loss } = await pool.lineTrainStep(optimizer, { images, width, labels, frames });
   */
  async lineTrainStep(
    optimizer: tf.Optimizer,
    batch: LineBatch,
    mainShare = 1 / (this.replicas.length + 1),
    alongside?: () => void,
  ): Promise<StepResult> {
    if (this.replicas.length > 0 && !this.weightsShared) this.shareWeights();
    const n = batch.labels.length;
    const pixels = LINE_HEIGHT * batch.width;
    const own = this.replicas.length === 0 ? n : Math.max(1, Math.round(n * mainShare));
    const parts = [own, ...shares(n - own, this.replicas.length)];
    const replies: Promise<ReplicaReply>[] = [];
    let start = own;
    for (let k = 0; k < this.replicas.length; k++) {
      const count = parts[k + 1]!;
      if (count > 0) {
        const images = new SharedArrayBuffer(count * pixels * 4);
        new Float32Array(images).set(
          batch.images.subarray(start * pixels, (start + count) * pixels),
        );
        const slice = batch.labels.slice(start, start + count);
        const lengths = slice.map((l) => l.length);
        const labels = new SharedArrayBuffer(
          Math.max(
            1,
            lengths.reduce((a, b) => a + b, 0),
          ) * 4,
        );
        const flat = new Int32Array(labels);
        let at = 0;
        for (const l of slice) {
          flat.set(l, at);
          at += l.length;
        }
        replies.push(
          request(this.replicas[k]!, {
            op: 'line-grads',
            images,
            width: batch.width,
            count,
            labels,
            lengths,
            frames: batch.frames.slice(start, start + count),
            weightsVersion: this.weightsVersion,
          }),
        );
      }
      start += count;
    }
    // Work of the caller's (rendering the next lines) while the workers compute.
    alongside?.();
    const x = tf.tensor4d(batch.images.subarray(0, own * pixels), [
      own,
      LINE_HEIGHT,
      batch.width,
      1,
    ]);
    let mine: BatchGradients;
    try {
      mine = lineBatchGradients(this.model, this.variables, x, {
        labels: batch.labels.slice(0, own),
        frames: batch.frames.slice(0, own),
      });
    } finally {
      x.dispose();
    }
    const mainDone = performance.now();
    let lastReply = mainDone;
    for (const r of replies)
      void r.then(
        () => (lastReply = performance.now()),
        () => {},
      );
    const result = await this.mergeAndApply(optimizer, n, parts, mine, replies);
    return { ...result, waitedMs: Math.max(0, lastReply - mainDone) };
  }

  /** Waits for the workers' gradients, averages them with the main thread's, applies them once. */
  private async mergeAndApply(
    optimizer: tf.Optimizer,
    n: number,
    parts: number[],
    mine: BatchGradients | null,
    replies: Promise<ReplicaReply>[],
  ): Promise<StepResult> {
    const own = parts[0]!;
    try {
      const answers = await Promise.all(replies);
      let lossSum = mine ? mine.loss.dataSync()[0]! * own : 0;
      let correct = mine ? mine.correct.dataSync()[0]! : 0;
      answers.forEach((a, k) => {
        if (a.ok) {
          lossSum += a.loss * parts[k + 1]!;
          correct += a.correct;
        }
      });
      const named: tf.NamedTensorMap = {};
      if (answers.length === 0 && mine) {
        this.variables.forEach((v, i) => (named[v.name] = mine.grads[i]!));
      } else {
        let at = 0;
        this.variables.forEach((v, i) => {
          const size = v.size;
          const sum = new Float32Array(size);
          if (mine) {
            const g = mine.grads[i]!.dataSync() as Float32Array;
            for (let j = 0; j < size; j++) sum[j] = g[j]! * own;
          }
          for (let k = 0; k < this.replicas.length; k++) {
            const count = parts[k + 1]!;
            if (count === 0) continue;
            const g = this.replicas[k]!.grads;
            for (let j = 0; j < size; j++) sum[j] = sum[j]! + g[at + j]! * count;
          }
          for (let j = 0; j < size; j++) sum[j] = sum[j]! / n;
          named[v.name] = tf.tensor(sum, v.shape);
          at += size;
        });
      }
      optimizer.applyGradients(named);
      if (!(answers.length === 0 && mine)) tf.dispose(Object.values(named));
      this.weightsShared = false;
      return { loss: lossSum / n, correct };
    } finally {
      if (mine) tf.dispose([mine.loss, mine.correct, ...mine.grads]);
    }
  }

  private sliceGradients(count: number, weighted: boolean) {
    const x = tf.tensor4d(this.images.subarray(0, count * IMAGE_PIXELS), [
      count,
      IMAGE_SIZE,
      IMAGE_SIZE,
      1,
    ]);
    const y = tf.tensor1d(this.labels.subarray(0, count), 'int32');
    const w = weighted ? tf.tensor1d(this.sampleWeights.subarray(0, count)) : null;
    try {
      return batchGradients(this.model, this.variables, x, y, w);
    } finally {
      tf.dispose([x, y, ...(w ? [w] : [])]);
    }
  }

  /**
   * Class probabilities of `count` 28x28 uint8 images (row-major, `count * numClasses`), the
   * work split between the main thread and the workers.
   *
   * @example
   * const probs = await pool.predict(dataset.images, dataset.labels.length);
   */
  async predict(
    images: Uint8Array,
    count: number,
    options: { batchSize?: number; onBatch?: (done: number, total: number) => void } = {},
  ): Promise<Float32Array> {
    const numClasses = this.model.outputs[0]?.shape.at(-1) ?? 0;
    // Small jobs are not worth a round trip.
    if (this.replicas.length === 0 || count < MIN_PARALLEL_IMAGES) {
      return predictProbabilities(this.model, images, count, options);
    }
    if (!this.weightsShared) this.shareWeights();
    const parts = shares(count, this.replicas.length + 1);
    const out = new Float32Array(count * numClasses);
    const jobs: Promise<void>[] = [];
    let start = parts[0]!;
    for (let k = 0; k < this.replicas.length; k++) {
      const n = parts[k + 1]!;
      const input = new SharedArrayBuffer(n * IMAGE_PIXELS);
      new Uint8Array(input).set(images.subarray(start * IMAGE_PIXELS, (start + n) * IMAGE_PIXELS));
      const result = new SharedArrayBuffer(n * numClasses * 4);
      const at = start;
      jobs.push(
        request(this.replicas[k]!, {
          op: 'predict',
          images: input,
          count: n,
          out: result,
          weightsVersion: this.weightsVersion,
        }).then(() => out.set(new Float32Array(result), at * numClasses)),
      );
      start += n;
    }
    const own = parts[0]!;
    out.set(
      predictProbabilities(this.model, images.subarray(0, own * IMAGE_PIXELS), own, {
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        onBatch: (done) => options.onBatch?.(done * (this.replicas.length + 1), count),
      }),
    );
    await Promise.all(jobs);
    options.onBatch?.(count, count);
    return out;
  }

  /** Stops the workers. The main model is left as it is. */
  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.worker.terminate()));
  }
}
