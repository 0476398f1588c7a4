// The polyfill's reading worker: tfjs on WebAssembly (else WebGL, else plain JavaScript) off the
// page's thread, the line model, the language model and, on first per-character reading, the
// glyph model, their files kept in the Cache API (../model-cache.ts); each drawing read by
// read-ink.ts. Over-budget ink is a QuotaExceededError, any other failure an OperationError,
// both with the reason.

import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import { getLabelSet } from '../../core/label-sets.js';
import { LINE_FRAME_STRIDE } from '../../core/line/architectures.js';
import { lineModelInput } from '../../core/read/line-read.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../core/types.js';
import { startBackend } from '../backend.js';
import { modelFetch } from '../model-cache.js';
import { loadLanguageModel, loadLineModelFiles } from './line-model.js';
import type { FromReader, ModelUrls, ToReader } from './protocol.js';
import { lineReadingCache, readInk, type GlyphClassifier, type InkModels } from './read-ink.js';

const post = (message: FromReader): void => (self as unknown as Worker).postMessage(message);

/** The glyph model's classes: the shipped per-character model reads digits and capitals. */
const GLYPH_LABEL_SET = 'alnum36';

async function prepare(urls: ModelUrls): Promise<{ backend: string; models: InkModels }> {
  const backend = await startBackend();
  const { versions = {} } = urls;
  const [{ artifacts, charset }, languageModel] = await Promise.all([
    loadLineModelFiles(urls.lineModel, versions.lineModel),
    loadLanguageModel(urls.languageModel, versions.languageModel),
  ]);
  const lineModel = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const classes = lineModel.outputs[0]?.shape.at(-1);
  if (classes !== charset.length + 1) {
    throw new Error(
      `the line model has ${classes} outputs, expected ${charset.length + 1} (its charset and the blank)`,
    );
  }
  let glyphs: Promise<GlyphClassifier> | undefined;
  const glyphLoad = { fetchFunc: modelFetch({ version: versions.glyphModel }) };
  const models: InkModels = {
    charset,
    // The line reader's part of the file: case-sensitive, with punctuation.
    ...(languageModel ? { languageModel: languageModel.line } : {}),
    // After a pen-up only the line written on is read again.
    lineReadings: lineReadingCache(),
    runLine: async (line) => {
      // Padded to the narrowest width the model takes: on a narrower line (a dot or an "l"
      // written alone) tfjs' WebAssembly backend broke its memory, and every later reading failed.
      const { input, width, frames } = lineModelInput(line, LINE_FRAME_STRIDE);
      const model = (await adaptedLine) ?? lineModel;
      const out = tf.tidy(
        () => model.predict(tf.tensor4d(input, [1, line.height, width, 1])) as tf.Tensor,
      );
      const count = out.shape.at(-1)!;
      const logits = ((await out.data()) as Float32Array).slice(0, frames * count);
      out.dispose();
      return { logits, frames, classes: count };
    },
    glyphs: () => {
      glyphs ??= tf.loadLayersModel(urls.glyphModel, glyphLoad).then((model) => {
        const labels = getLabelSet(GLYPH_LABEL_SET).classes;
        return {
          classes: labels,
          classify: async (pixels: Uint8Array, count: number) => {
            const floats = new Float32Array(count * IMAGE_PIXELS);
            for (let i = 0; i < floats.length; i++) floats[i] = pixels[i]! / 255;
            const out = tf.tidy(
              () =>
                model.predict(tf.tensor4d(floats, [count, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor,
            );
            const probs = (await out.data()) as Float32Array;
            out.dispose();
            return probs;
          },
        };
      });
      return glyphs;
    },
  };
  return { backend, models };
}

let prepared: Promise<{ backend: string; models: InkModels }> | undefined;
/** The line model adapted by the page's Teach panel, read with in place of the base one. */
let adaptedLine: Promise<tf.LayersModel | undefined> = Promise.resolve(undefined);

self.onmessage = async (event: MessageEvent<ToReader>) => {
  const message = event.data;
  if (message.type === 'init') {
    prepared ??= prepare(message.urls);
    try {
      post({ type: 'ready', backend: (await prepared).backend });
    } catch (error) {
      prepared = undefined;
      post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  if (message.type === 'line-weights') {
    const previous = adaptedLine;
    const model = message.model;
    adaptedLine = (async () => {
      // Lines read with the other weights are read again.
      (await prepared?.catch(() => undefined))?.models.lineReadings?.clear();
      (await previous)?.dispose();
      if (!model) return undefined;
      return tf.loadLayersModel(
        tf.io.fromMemory({
          ...model,
          weightSpecs: [...model.weightSpecs] as tf.io.WeightsManifestEntry[],
        }),
      );
    })().catch(() => undefined);
    return;
  }
  try {
    if (!prepared) throw new Error('the reader was not started');
    const { models } = await prepared;
    const predictions = await readInk(message.strokes, message.hints, models);
    post({ type: 'result', id: message.id, predictions });
  } catch (error) {
    const name =
      error instanceof HcrError && error.code === 'BAD_INK'
        ? 'QuotaExceededError'
        : 'OperationError';
    post({
      type: 'error',
      id: message.id,
      name,
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
