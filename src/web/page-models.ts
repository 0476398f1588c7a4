// The served models as the page loads them (issue 16): the list (GET /api/models, or the one
// model GET /api/model describes on a server without it), the served line model, a model's
// description for the page, and each model made ready to read with, once: in the browser, or on
// the server when the browser cannot run it. GET /api/models is asked once and its answer shared
// by everyone who reads it (the list, the browser's line model, the ink reader).

import type { ServedModelEntry } from './models.js';
import { fetchModels } from './models.js';
import {
  loadBrowserRecognizer,
  serverRecognizer,
  startBrowserRuntime,
  type BrowserRuntime,
  type ModelInfo,
  type Recognizer,
} from './recognizer.js';
import { messageOf } from './dom.js';

/** A model ready to read with: in the browser, or on the server when the browser cannot run it. */
export interface ReadyModel {
  readonly info: ModelInfo;
  readonly recognizer: Recognizer;
  /** Its server-side recognizer (for images only the server can decode). */
  readonly server: Recognizer;
  /** Why the browser could not run it, when it runs on the server. */
  readonly fallback?: string;
}

/** What a served model's `info` URL (`GET /api/model?model=NAME`) answers. */
async function fetchModelInfo(url: string): Promise<ModelInfo> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as ModelInfo;
}

/**
 * `fetch`, with GET /api/models asked once and its answer shared: the model list, the browser's
 * line model and the ink reader all read it.
 *
 * @example
 * const sharedFetch = fetchSharingModels();
 * const models = await listModels(sharedFetch);
 */
export function fetchSharingModels(): typeof fetch {
  let models: Promise<Response> | undefined;
  return (input, init) => {
    if (input !== '/api/models' || init !== undefined) return fetch(input, init);
    models ??= fetch(input);
    return models.then((response) => response.clone());
  };
}

/**
 * The served models, default first: `GET /api/models`, or from a server without it the one
 * model `GET /api/model` describes.
 *
 * @throws when the server describes no model
 * @example
 * const models = await listModels(fetchSharingModels());
 */
export async function listModels(fetchImpl: typeof fetch): Promise<readonly ServedModelEntry[]> {
  const listed = await fetchModels(fetchImpl);
  if (listed && listed.length > 0) return listed;
  const info = await fetchModelInfo('/api/model');
  const name = info.labelSet.name;
  return [
    {
      name,
      default: true,
      title: name,
      description: name,
      labelSet: info.labelSet,
      info: '/api/model',
    },
  ];
}

/**
 * The served line model's model.json (GET /api/models' lineModel), or undefined.
 *
 * @example
 * const lineModelUrl = await servedLineModel(sharedFetch); // '/line-model/model.json'
 */
export async function servedLineModel(fetchImpl: typeof fetch): Promise<string | undefined> {
  try {
    const response = await fetchImpl('/api/models');
    if (!response.ok) return undefined;
    const body = (await response.json()) as { lineModel?: { browserModel?: string } | null };
    return body.lineModel?.browserModel;
  } catch {
    return undefined;
  }
}

/**
 * The page's line about a model: its network, classes and test accuracy.
 *
 * @example
 * describeModel(info); // 'Model: large network, 36 classes (alnum36); test accuracy 93.1% (...)'
 */
export function describeModel(info: ModelInfo): string {
  const all = info.metrics['all'] ?? Object.values(info.metrics)[0];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const accuracy = !all
    ? ''
    : all.accuracyCaseMerged === undefined
      ? `; test accuracy ${pct(all.accuracy)} (${pct(all.accuracyMerged)} counting look-alikes such as O/0 as one)`
      : `; test accuracy ${pct(all.accuracy)} (${pct(all.accuracyCaseMerged)} counting the two cases of c, o, s, x ... as one, which a character drawn alone cannot show)`;
  return `Model: ${info.architecture.name} network, ${info.labelSet.classes.length} classes (${info.labelSet.name})${accuracy}.`;
}

/**
 * The server's recognizer of the model `entry` (the default model is the server's answer to a
 * request that names none).
 *
 * @example
 * const onServer = serverModel(entry);
 */
export function serverModel(entry: ServedModelEntry): Recognizer {
  return serverRecognizer(undefined, entry.default ? undefined : entry.name);
}

/**
 * Each served model made ready once, on its first use; tfjs is started once for all of them.
 *
 * @example
 * const loader = new ModelLoader(sharedFetch);
 * const { recognizer, info } = await loader.load(entry);
 */
export class ModelLoader {
  readonly #fetch: typeof fetch;
  /** Each model once loaded (or loading), by name. */
  readonly #ready = new Map<string, Promise<ReadyModel>>();
  #runtime: Promise<BrowserRuntime> | undefined;

  /** @param fetchImpl - how GET /api/models is asked (the page shares one answer) */
  constructor(fetchImpl: typeof fetch) {
    this.#fetch = fetchImpl;
  }

  /** The model `entry` ready to read with, loaded on its first use. */
  load(entry: ServedModelEntry): Promise<ReadyModel> {
    let loading = this.#ready.get(entry.name);
    if (!loading) {
      loading = (async (): Promise<ReadyModel> => {
        const modelInfo = await fetchModelInfo(entry.info);
        const onServer = serverModel(entry);
        try {
          this.#runtime ??= startBrowserRuntime(undefined, this.#fetch);
          const browser = await loadBrowserRecognizer(modelInfo, await this.#runtime);
          return { info: modelInfo, recognizer: browser, server: onServer };
        } catch (error) {
          return {
            info: modelInfo,
            recognizer: onServer,
            server: onServer,
            fallback: messageOf(error),
          };
        }
      })();
      // A model the server could not describe is asked for again on the next choice.
      loading.catch(() => this.#ready.delete(entry.name));
      this.#ready.set(entry.name, loading);
    }
    return loading;
  }
}
