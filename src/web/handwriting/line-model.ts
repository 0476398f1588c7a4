// The line model's and the language model's files as both workers that read lines load them:
// the polyfill's reading worker (worker.ts) and the page's line adaptation worker
// (../line-adapt-worker.ts). The files go through the Cache API under the model's version
// (../model-cache.ts), so the second of them, or the next visit, reads them without a request;
// the line model's charset comes from its hcr.json.

import * as tf from '@tensorflow/tfjs';
import { LINE_CHARSET } from '../../core/line/charset.js';
import { parseLanguageModel, type LanguageModel } from '../../core/read/language-model.js';
import { modelFetch, modelMetadata } from '../model-cache.js';

/** A line model as loaded: its files (tfjs makes a model of them) and its charset. */
export interface LineModelFiles {
  readonly artifacts: tf.io.ModelArtifacts;
  /** hcr.json's charset, else core's LINE_CHARSET. */
  readonly charset: string;
}

/**
 * Loads the line model at `modelUrl` (its model.json) through the Cache API: under `version`
 * when given, else under the SHA-256s its hcr.json records (hcr.json itself is asked for each
 * time, so changed weights are fetched again).
 *
 * @param version - the model's version (see ModelFetchOptions.version). Default: hcr.json's.
 * @throws Error when model.json or its weights cannot be loaded
 * @example
 * const { artifacts, charset } = await loadLineModelFiles('https://example.test/line-en/model.json');
 * const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
 */
export async function loadLineModelFiles(
  modelUrl: string,
  version?: string,
): Promise<LineModelFiles> {
  const read = await modelMetadata(modelUrl, version);
  const handler = tf.io.browserHTTPRequest(modelUrl, {
    fetchFunc: modelFetch({ version: read.version }),
  });
  if (!handler.load) throw new Error(`${modelUrl}: tfjs cannot load a model from it`);
  const charset = read.metadata['charset'];
  return {
    artifacts: await handler.load(),
    charset: typeof charset === 'string' ? charset : LINE_CHARSET,
  };
}

/**
 * The character language model at `url` (language-model.json), through the Cache API under
 * `version` when given; undefined when it cannot be fetched or read (lines are then read by the
 * line model alone).
 *
 * @example
 * const languageModel = await loadLanguageModel(urls.languageModel, versions.languageModel);
 */
export async function loadLanguageModel(
  url: string,
  version?: string,
): Promise<LanguageModel | undefined> {
  try {
    const response = await modelFetch({ version })(url);
    return response.ok ? parseLanguageModel(await response.text()) : undefined;
  } catch {
    return undefined;
  }
}
