// The worker thread behind `ReplicaPool` (replicas.ts): it holds one replica of the model on
// its own tfjs backend and, on request, computes the gradients of a slice of the training batch
// or the class probabilities of a slice of images. Bulk data travels through SharedArrayBuffers
// the pool owns; messages carry only offsets, counts and a weights version.

import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../core/types.js';
import { predictProbabilities } from '../model/inference.js';
import { LINE_HEIGHT } from '../../core/line/normalize-line.js';
import { batchGradients, lineBatchGradients, type BatchGradients } from './loss.js';
import { seedDropout } from './seeded.js';
import { initEngine, type BackendName } from './backend.js';

/** What the pool hands each worker when it starts it. */
export interface ReplicaInit {
  readonly backend: BackendName;
  /** `model.toJSON(null, false)` of the main thread's model. */
  readonly topology: object;
  /** Shapes of `model.weights`, in order. */
  readonly weightShapes: readonly (readonly number[])[];
  /** Indices into `model.weights` of the trainable ones, in `model.trainableWeights` order. */
  readonly trainable: readonly number[];
  /** All weights, concatenated (Float32). */
  readonly weights: SharedArrayBuffer;
  /** The batch: images (Float32 batchSize*784), labels (Int32), sample weights (Float32). */
  readonly batch: SharedArrayBuffer;
  readonly batchSize: number;
  /** This worker's gradients, concatenated in trainable order (Float32). */
  readonly grads: SharedArrayBuffer;
}

/** A request from the pool. */
export type ReplicaRequest =
  | {
      op: 'grads';
      start: number;
      count: number;
      weighted: boolean;
      weightsVersion: number;
      /** Seed of this slice's dropout masks (absent: tfjs draws them from Math.random). */
      seed?: number;
    }
  | {
      op: 'line-grads';
      /** Float32 lines, count * LINE_HEIGHT * width. */
      images: SharedArrayBuffer;
      width: number;
      count: number;
      /** Int32 label classes of every line, concatenated. */
      labels: SharedArrayBuffer;
      lengths: number[];
      frames: number[];
      weightsVersion: number;
    }
  | {
      op: 'predict';
      /** Uint8 images, 784 bytes each. */
      images: SharedArrayBuffer;
      count: number;
      /** Float32 output, count * numClasses. */
      out: SharedArrayBuffer;
      weightsVersion: number;
    };

/** The answer to a request. */
export type ReplicaReply =
  { ok: true; loss: number; correct: number } | { ok: false; message: string };

async function serve(init: ReplicaInit): Promise<void> {
  await initEngine({ backend: init.backend });
  const model = await tf.models.modelFromJSON({
    modelTopology: init.topology as tf.io.ModelJSON['modelTopology'],
  });
  const all = model.weights;
  const variables = init.trainable.map((i) => all[i]!.read() as tf.Variable);
  const weightViews: Float32Array[] = [];
  let offset = 0;
  for (const shape of init.weightShapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    weightViews.push(new Float32Array(init.weights, offset * 4, size));
    offset += size;
  }
  const pixels = init.batchSize * IMAGE_PIXELS;
  const images = new Float32Array(init.batch, 0, pixels);
  const labels = new Int32Array(init.batch, pixels * 4, init.batchSize);
  const sampleWeights = new Float32Array(init.batch, (pixels + init.batchSize) * 4, init.batchSize);
  const grads = new Float32Array(init.grads);
  let version = -1;

  const syncWeights = (wanted: number) => {
    if (wanted === version) return;
    for (let i = 0; i < all.length; i++) {
      const t = tf.tensor(weightViews[i]!, init.weightShapes[i] as number[]);
      all[i]!.write(t);
      t.dispose();
    }
    version = wanted;
  };

  const handle = (request: ReplicaRequest): ReplicaReply => {
    syncWeights(request.weightsVersion);
    if (request.op === 'predict') {
      const probs = predictProbabilities(model, new Uint8Array(request.images), request.count);
      new Float32Array(request.out).set(probs);
      return { ok: true, loss: 0, correct: 0 };
    }
    if (request.op === 'line-grads') {
      const { width, count } = request;
      const x = tf.tensor4d(new Float32Array(request.images), [count, LINE_HEIGHT, width, 1]);
      const flat = new Int32Array(request.labels);
      let at = 0;
      const lineLabels = request.lengths.map((n) => {
        const l = flat.slice(at, at + n);
        at += n;
        return l;
      });
      const result = lineBatchGradients(model, variables, x, {
        labels: lineLabels,
        frames: request.frames,
      });
      return reply(result, [x]);
    }
    const { start, count } = request;
    const x = tf.tensor4d(images.subarray(start * IMAGE_PIXELS, (start + count) * IMAGE_PIXELS), [
      count,
      IMAGE_SIZE,
      IMAGE_SIZE,
      1,
    ]);
    const y = tf.tensor1d(labels.subarray(start, start + count), 'int32');
    const w = request.weighted ? tf.tensor1d(sampleWeights.subarray(start, start + count)) : null;
    seedDropout(model, request.seed ?? null);
    return reply(batchGradients(model, variables, x, y, w), [x, y, ...(w ? [w] : [])]);
  };

  /** Copies a slice's gradients where the pool reads them; frees the slice's tensors. */
  const reply = (result: BatchGradients, inputs: tf.Tensor[]): ReplicaReply => {
    try {
      let at = 0;
      for (const g of result.grads) {
        const values = g.dataSync() as Float32Array;
        grads.set(values, at);
        at += values.length;
      }
      return {
        ok: true,
        loss: result.loss.dataSync()[0]!,
        correct: result.correct.dataSync()[0]!,
      };
    } finally {
      tf.dispose([...inputs, result.loss, result.correct, ...result.grads]);
    }
  };

  parentPort!.on('message', (request: ReplicaRequest) => {
    let reply: ReplicaReply;
    try {
      reply = handle(request);
    } catch (error) {
      reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    parentPort!.postMessage(reply);
  });
}

serve(workerData as ReplicaInit).then(
  () => parentPort!.postMessage({ ok: true, loss: 0, correct: 0 } satisfies ReplicaReply),
  (error: unknown) =>
    parentPort!.postMessage({
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    } satisfies ReplicaReply),
);
