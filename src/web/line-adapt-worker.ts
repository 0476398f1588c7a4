// The page's line adaptation worker (docs/DESIGN.md §8): adapts the line model to the writer's
// corrected words off the page's thread, by core's recipe (core/line/adapt.ts: the words held
// out at random, the model's last layers trained with CTC on the rest under small changes of
// slant, width and pen), on tfjs' WebAssembly backend with hcr's training kernels, else WebGL
// (training-backend.ts). The line model's files come from the Cache API, where the page's reader
// left them (handwriting/line-model.ts), not from the network again. The held-out words are read
// before and after, as the page reads them (with the language model) and by the model alone; the
// adapted weights go back to the page.

import * as tf from '@tensorflow/tfjs';
import {
  adaptLineModel,
  charAccuracy,
  holdOutLines,
  readLineSamples,
  resolveLineAdaptOptions,
} from '../core/line/adapt.js';
import type { LanguageModel } from '../core/read/language-model.js';
import type { SetScore } from './adapt-protocol.js';
import { loadLanguageModel, loadLineModelFiles } from './handwriting/line-model.js';
import type { FromLineWorker, LineAdaptUrls, ToLineWorker } from './line-adapt-protocol.js';
import { postAdapted, serveAdaptation, type Adaptation } from './training-backend.js';

/** The base models, loaded once per worker. */
interface BaseModels {
  /** The line model's files: every adaptation starts from a fresh copy. */
  readonly artifacts: tf.io.ModelArtifacts;
  readonly charset: string;
  readonly languageModel: LanguageModel | undefined;
}

/** The line model (from the Cache API where the page's reader left it) and the language model. */
async function loadBaseModels(urls: LineAdaptUrls): Promise<BaseModels> {
  const [{ artifacts, charset }, languageModel] = await Promise.all([
    loadLineModelFiles(urls.lineModel),
    loadLanguageModel(urls.languageModel),
  ]);
  return { artifacts, charset, languageModel };
}

async function adapt(
  message: Extract<ToLineWorker, { type: 'adapt' }>,
  { backend, base, post, started }: Adaptation<BaseModels, FromLineWorker>,
): Promise<void> {
  const { artifacts, charset, languageModel } = base;
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
    await postAdapted<Extract<FromLineWorker, { type: 'done' }>>(
      post,
      model,
      'the adapted line model',
      { started, trainSeconds, steps: options.steps, backend },
      {
        charset,
        scores,
        readings: after.withLanguageModel,
        train: train.length,
        heldOut: heldOut.length,
      },
    );
  } finally {
    model.dispose();
  }
}

serveAdaptation<ToLineWorker, FromLineWorker, BaseModels>({
  load: (message) => loadBaseModels(message.urls),
  adapt,
});
