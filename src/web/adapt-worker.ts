// The page's adaptation worker (docs/DESIGN.md §8): fine-tunes the base model on the writer's
// samples off the page's thread, so the page keeps drawing and reading while it trains. It runs
// core's tuning recipe (tuningSets: samples repeated under augmentation plus the replay sample,
// Adam at a small learning rate with the recipe's warm-up and cosine) on tfjs' WebAssembly backend
// with hcr's own training kernels, or on WebGL when WebAssembly cannot start (training-backend.ts).
// It reports progress and sends back the adapted weights.

import * as tf from '@tensorflow/tfjs';
import { AUGMENT_DEFAULTS, augmentBatch, toFloatBatch } from '../core/augment.js';
import { getLabelSet } from '../core/label-sets.js';
import { createRandom, shuffleInPlace } from '../core/random.js';
import { tuneLearningRate, tuningSets } from '../core/tune.js';
import { IMAGE_PIXELS, IMAGE_SIZE, type Dataset } from '../core/types.js';
import { PAGE_TUNE, type FromWorker, type SetScore, type ToWorker } from './adapt-protocol.js';
import { postAdapted, serveAdaptation, type Adaptation } from './training-backend.js';

/** Sparse categorical cross-entropy of softmax outputs, as the Node engine's loss.ts computes it. */
function crossEntropy(probs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
  const oneHot = tf.oneHot(labels, probs.shape[1]!);
  return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.log(clipped)), -1))) as tf.Scalar;
}

/** Share of `set` the model reads right (images unchanged, in batches of 256). */
function accuracy(model: tf.LayersModel, set: Dataset): number {
  const n = set.labels.length;
  if (n === 0) return Number.NaN;
  let correct = 0;
  for (let start = 0; start < n; start += 256) {
    const count = Math.min(256, n - start);
    const floats = new Float32Array(count * IMAGE_PIXELS);
    toFloatBatch(
      set.images,
      Array.from({ length: count }, (_, k) => start + k),
      floats,
    );
    const best = tf.tidy(() =>
      (model.predict(tf.tensor4d(floats, [count, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor).argMax(
        -1,
      ),
    );
    const predicted = best.dataSync();
    best.dispose();
    for (let k = 0; k < count; k++) if (predicted[k] === set.labels[start + k]) correct++;
  }
  return correct / n;
}

/** The base model's files, fetched once per worker: every adaptation starts from a copy. */
async function loadBaseModel(modelUrl: string): Promise<tf.io.ModelArtifacts> {
  const url = new URL(modelUrl, self.location.href).href;
  const handler = tf.io.browserHTTPRequest(url);
  if (!handler.load) throw new Error(`${url}: tfjs cannot load a model from it`);
  return handler.load();
}

async function adapt(
  message: Extract<ToWorker, { type: 'adapt' }>,
  { backend, base: artifacts, post, started }: Adaptation<tf.io.ModelArtifacts, FromWorker>,
): Promise<void> {
  const labelSet = getLabelSet(message.labelSet);
  const options = { ...PAGE_TUNE, ...message.options };
  const asDataset = (name: string, x: { images: Uint8Array; labels: Uint8Array }): Dataset => ({
    name,
    images: x.images,
    labels: x.labels,
    labelSet,
  });
  const sets = tuningSets(
    asDataset('samples', message.samples),
    message.replay && asDataset('replay', message.replay),
    { heldOut: options.heldOut, repeats: options.repeats, seed: options.seed },
  );
  // A fresh copy of the base model each time: every adaptation starts from its weights.
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const measured = [sets.heldOut, sets.validation].filter(
    (s, i) => s.labels.length > 0 && (i === 0 || s !== sets.heldOut),
  );
  const named = (s: Dataset) =>
    s === sets.heldOut ? 'Your held-out samples' : 'With held-out training images';
  const before = measured.map((s) => accuracy(model, s));

  const count = sets.train.labels.length;
  const batchSize = options.batchSize;
  const batches = Math.ceil(count / batchSize);
  const steps = batches * options.epochs;
  post({ type: 'started', backend, steps, images: count * options.epochs });
  const optimizer = tf.train.adam(options.learningRate);
  if (options.freezeConvolutions) {
    let last = -1;
    model.layers.forEach((layer, i) => {
      if (/conv|pool/i.test(layer.getClassName())) last = i;
    });
    model.layers.forEach((layer, i) => {
      if (i <= last) layer.trainable = false;
    });
  }
  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const floats = new Float32Array(batchSize * IMAGE_PIXELS);
  const labels = new Int32Array(batchSize);
  let step = 0;
  let images = 0;
  const trainStart = performance.now();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = Uint32Array.from({ length: count }, (_, i) => i);
    shuffleInPlace(order, createRandom(options.seed * 1009 + epoch));
    for (let batch = 0; batch < batches; batch++) {
      const indices = order.subarray(batch * batchSize, Math.min(count, (batch + 1) * batchSize));
      const n = indices.length;
      augmentBatch(
        sets.train.images,
        indices,
        floats,
        createRandom(options.seed * 7919 + step),
        AUGMENT_DEFAULTS,
      );
      for (let k = 0; k < n; k++) labels[k] = sets.train.labels[indices[k]!]!;
      (optimizer as unknown as { learningRate: number }).learningRate = tuneLearningRate(
        options.learningRate,
        step / steps,
      );
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(floats.subarray(0, n * IMAGE_PIXELS), [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
        const y = tf.tensor1d(labels.subarray(0, n), 'int32');
        const { value, grads } = tf.variableGrads(
          () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
          variables,
        );
        optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
        return value;
      });
      const lossValue = (await loss.data())[0]!;
      loss.dispose();
      step++;
      images += n;
      post({
        type: 'progress',
        step,
        steps,
        loss: lossValue,
        imagesPerSecond: images / ((performance.now() - trainStart) / 1000),
      });
    }
  }
  const trainEnd = performance.now();
  optimizer.dispose();
  const after = measured.map((s) => accuracy(model, s));
  const scores: SetScore[] = measured.map((s, i) => ({
    name: named(s),
    count: s.labels.length,
    before: before[i]!,
    after: after[i]!,
  }));
  try {
    await postAdapted<Extract<FromWorker, { type: 'done' }>>(
      post,
      model,
      'the adapted model',
      { started, trainSeconds: (trainEnd - trainStart) / 1000, steps, backend },
      { scores },
    );
  } finally {
    model.dispose();
  }
}

serveAdaptation<ToWorker, FromWorker, tf.io.ModelArtifacts>({
  load: (message) => loadBaseModel(message.modelUrl),
  adapt,
});
