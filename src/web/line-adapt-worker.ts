// The page's line adaptation worker (docs/DESIGN.md §8): adapts the line model to the writer's
// corrected words off the page's thread, by core's recipe (core/line/adapt.ts: the words held
// out at random, the model's last layers trained with CTC on the rest under small changes of
// slant, width and pen), on tfjs' WebAssembly backend with hcr's training kernels, else WebGL
// (training-backend.ts). The held-out words are read before and after, as the page reads them
// (with the language model) and by the model alone; the adapted weights go back to the page.

import * as tf from '@tensorflow/tfjs';
import {
  adaptLineModel,
  charAccuracy,
  holdOutLines,
  readLineSamples,
  resolveLineAdaptOptions,
} from '../core/line/adapt.js';
import { LINE_CHARSET } from '../core/line/charset.js';
import { parseLanguageModel, type LanguageModel } from '../core/read/language-model.js';
import type { SetScore } from './adapt-protocol.js';
import type { FromLineWorker, LineAdaptUrls, ToLineWorker } from './line-adapt-protocol.js';
import { startTrainingBackend } from './training-backend.js';

const post = (message: FromLineWorker, transfer: Transferable[] = []): void =>
  (self as unknown as Worker).postMessage(message, transfer);

interface Prepared {
  readonly backend: string;
  /** The base model's files: every adaptation starts from a fresh copy. */
  readonly artifacts: tf.io.ModelArtifacts;
  readonly charset: string;
  readonly languageModel: LanguageModel | undefined;
}

let prepared: Promise<Prepared> | undefined;

async function fetchCharset(modelUrl: string): Promise<string> {
  const response = await fetch(new URL('hcr.json', modelUrl)).catch(() => undefined);
  const meta = response?.ok ? ((await response.json()) as { charset?: unknown }) : {};
  return typeof meta.charset === 'string' ? meta.charset : LINE_CHARSET;
}

async function fetchLanguageModel(url: string): Promise<LanguageModel | undefined> {
  try {
    const response = await fetch(url);
    return response.ok ? parseLanguageModel(await response.text()) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the backend and fetches the models (once; again after a failure). */
function prepare(urls: LineAdaptUrls): Promise<Prepared> {
  prepared ??= (async () => {
    const backend = await startTrainingBackend();
    const handler = tf.io.browserHTTPRequest(urls.lineModel);
    if (!handler.load) throw new Error(`${urls.lineModel}: tfjs cannot load a model from it`);
    const [artifacts, charset, languageModel] = await Promise.all([
      handler.load(),
      fetchCharset(urls.lineModel),
      fetchLanguageModel(urls.languageModel),
    ]);
    return { backend, artifacts, charset, languageModel };
  })().catch((error: unknown) => {
    prepared = undefined;
    throw error;
  });
  return prepared;
}

async function adapt(message: Extract<ToLineWorker, { type: 'adapt' }>): Promise<void> {
  const started = performance.now();
  const { backend, artifacts, charset, languageModel } = await prepare(message.urls);
  const options = resolveLineAdaptOptions(message.options);
  const split = holdOutLines(message.samples.length, options.heldOut, options.seed);
  const train = split.train.map((i) => message.samples[i]!);
  const heldOut = split.heldOut.map((i) => message.samples[i]!);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    const read = { charset, ...(languageModel ? { languageModel: languageModel.line } : {}) };
    const texts = heldOut.map((s) => s.text);
    const before = readLineSamples(model, heldOut, read);
    post({
      type: 'started',
      backend,
      steps: options.steps,
      train: train.length,
      heldOut: heldOut.length,
    });
    const trainStart = performance.now();
    await adaptLineModel(model, train, options, (p) => post({ type: 'progress', ...p }), charset);
    const trainSeconds = (performance.now() - trainStart) / 1000;
    const after = readLineSamples(model, heldOut, read);
    const scores: SetScore[] =
      heldOut.length === 0
        ? []
        : [
            {
              name: languageModel
                ? 'Your held-out words'
                : 'Your held-out words (no language model)',
              count: heldOut.length,
              before: charAccuracy(before.withLanguageModel, texts),
              after: charAccuracy(after.withLanguageModel, texts),
            },
            {
              name: 'The line model alone',
              count: heldOut.length,
              before: charAccuracy(before.greedy, texts),
              after: charAccuracy(after.greedy, texts),
            },
          ];
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const weightData = saved?.weightData;
    if (!saved || !(weightData instanceof ArrayBuffer) || !saved.weightSpecs) {
      throw new Error('the adapted line model could not be saved');
    }
    post(
      {
        type: 'done',
        model: {
          modelTopology: saved.modelTopology as object,
          weightSpecs: saved.weightSpecs,
          weightData,
        },
        charset,
        scores,
        readings: after.withLanguageModel,
        train: train.length,
        heldOut: heldOut.length,
        seconds: (performance.now() - started) / 1000,
        trainSeconds,
        steps: options.steps,
        backend,
      },
      [weightData],
    );
  } finally {
    model.dispose();
  }
}

self.onmessage = (event: MessageEvent<ToLineWorker>) => {
  const message = event.data;
  if (message.type === 'prepare') {
    // A failure here shows when the adaptation asks for it again.
    prepare(message.urls).catch(() => undefined);
    return;
  }
  adapt(message).catch((error: unknown) =>
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
};
