// Where the page runs the model: in the browser with tfjs (WebAssembly, else WebGL, else plain
// JavaScript) on pixels normalized by core's normalizeToMnist, so a drawing never leaves the
// machine; or, when the browser cannot load the model, on the server through POST /api/predict.
// Lines are read the same two ways: in the browser with the server's line model (each line
// whole, core's readTextByLines, GET /line-model/) when it serves one, else core's readText with
// the browser's model as its classifier, and the shipped language model (fetched from the page's
// assets); or POST /api/read; all with the charset, pattern and entries the page's small form
// gives. tfjs is imported on demand, so the page is usable before it arrives, and started once
// (backend.ts, as the page's workers start it) for every model the page loads (each served model
// has its own recognizer).

import type * as tfTypes from '@tensorflow/tfjs';
import languageModelUrl from '../../models/lm-en/language-model.json?url';
import { normalizeToMnist } from '../core/normalize.js';
import type { ContextScope } from '../core/read/context.js';
import { parseLanguageModel, type LanguageModel } from '../core/read/language-model.js';
import type { LineImage } from '../core/line/normalize-line.js';
import { lineModelInput, readTextByLines, type LineRecognizer } from '../core/read/line-read.js';
import { readText, type ReadResult } from '../core/read/read.js';
import { IMAGE_PIXELS, IMAGE_SIZE, type GrayImage } from '../core/types.js';
import type { ModelArtifacts } from './adapt-protocol.js';
import { modelFetch, modelMetadata } from './model-cache.js';
import { rank, type Ranked } from './ranking.js';

/** What the model read in one image. */
export type Recognition =
  | {
      readonly empty: false;
      /** The most probable classes, best first. */
      readonly predictions: readonly Ranked[];
      /** The 28x28 image the model saw (0 background, 255 ink), when computed here. */
      readonly pixels?: Uint8Array;
      /** The same image as a data URL, when the server computed it. */
      readonly imageUrl?: string;
    }
  | { readonly empty: true };

/** An image to read: its gray pixels when the browser decoded it, and its encoded bytes. */
export interface RecognitionInput {
  /** Gray pixels, when the browser could decode the image. */
  readonly gray?: GrayImage;
  /** The image as a file (for the server), made only when needed. */
  readonly blob: () => Promise<Blob>;
}

/** The public part of GET /api/model that the page uses. */
export interface ModelInfo {
  readonly labelSet: { readonly name: string; readonly classes: readonly string[] };
  readonly architecture: { readonly name: string };
  readonly metrics: Readonly<
    Record<
      string,
      { accuracy: number; accuracyMerged: number; accuracyCaseMerged?: number; count: number }
    >
  >;
  readonly browserModel: string;
  readonly limits: {
    readonly maxUploadBytes: number;
    readonly maxPixels: number;
    readonly top: number;
  };
}

/** Options of {@link Recognizer.read}. */
export interface LineReadOptions {
  /** Ranked classes kept per character. */
  readonly top: number;
  /** Settle look-alikes (O/0, I/1, ...) by the line. Default: true. */
  readonly context?: boolean;
  /** What the context may change. Default: core's READ_DEFAULTS ('lookalikes'). */
  readonly contextScope?: ContextScope;
  /** Characters allowed: digits, letters, alnum or the characters. Default: 'alnum'. */
  readonly charset?: string;
  /** The shape of the line (a mask such as AA99 9AA or a small regex). Default: none. */
  readonly pattern?: string;
  /** Entries the line may be, one a line. Default: none. */
  readonly lexicon?: string;
  /**
   * What reads the lines: the line model (each line whole, when the server has one) or the
   * glyph reader. Default: 'line'.
   */
  readonly reader?: 'line' | 'glyphs';
}

/** The constraints of `options` that are set, as core's read options. */
function constraintsOf(options: LineReadOptions): {
  charset?: string;
  pattern?: string;
  lexicon?: string;
} {
  return {
    ...(options.charset && options.charset !== 'alnum' ? { charset: options.charset } : {}),
    ...(options.pattern ? { pattern: options.pattern } : {}),
    ...(options.lexicon && options.lexicon.trim() ? { lexicon: options.lexicon } : {}),
  };
}

/**
 * The shipped character language model, fetched from the page's own assets on first use; a
 * page that cannot fetch it reads with the classifier alone.
 */
function languageModelLoader(): () => Promise<LanguageModel | undefined> {
  let loading: Promise<LanguageModel | undefined> | undefined;
  return () => {
    loading ??= fetch(languageModelUrl)
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error())))
      .then(parseLanguageModel)
      .catch(() => undefined);
    return loading;
  };
}

/** Runs the model on images. */
export interface Recognizer {
  /** Where the model runs, for the status line, e.g. `in your browser (WebAssembly)`. */
  readonly where: string;
  /** `'browser'` or `'server'`. */
  readonly kind: 'browser' | 'server';
  /** Reads one character. */
  recognize(input: RecognitionInput, top: number): Promise<Recognition>;
  /** Reads lines of characters; boxes are in the pixels of the image read. */
  read(input: RecognitionInput, options: LineReadOptions): Promise<ReadResult>;
  /**
   * In the browser only: reads with these weights (an adapted model of the same network) from
   * now on, or with the base model again when given none.
   */
  useModel?(artifacts: ModelArtifacts | undefined): Promise<void>;
  /** In the browser only: probabilities of `count` 28x28 images given back to back. */
  classify?(pixels: Uint8Array, count: number): Float32Array;
  /** In the browser only: whether it reads with adapted weights (see `useModel`). */
  usingAdapted?(): boolean;
}

/** A failure the page shows as it is (the server's message, or the browser's). */
export class PageError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'PageError';
    this.code = code;
  }
}

const BACKEND_NAMES: Readonly<Record<string, string>> = Object.freeze({
  wasm: 'WebAssembly',
  webgl: 'WebGL',
  cpu: 'JavaScript',
});

/**
 * tfjs started in the page, once for every model it loads (the WebAssembly backend can only be
 * set up before it first starts), and the language model they share.
 */
export interface BrowserRuntime {
  readonly tf: typeof tfTypes;
  /** The backend that started: `wasm`, `webgl` or `cpu`. */
  readonly backend: string;
  /** The shipped language model, fetched on first use (undefined when it cannot be). */
  readonly languageModel: () => Promise<LanguageModel | undefined>;
  /**
   * The server's line model (GET /api/models' `lineModel`), loaded on first use; undefined when
   * the server has none or it cannot be loaded (lines are then read glyph by glyph).
   */
  readonly lineRecognizer: () => Promise<LineRecognizer | undefined>;
}

/** What GET /api/models says of the served line model. */
interface LineModelSummary {
  readonly browserModel: string;
  readonly charset: string;
  readonly frameStride: number;
}

/** Loads the server's line model with `tf` on first use (see {@link BrowserRuntime}). */
function lineRecognizerLoader(
  tf: typeof tfTypes,
  fetchImpl: typeof fetch,
): () => Promise<LineRecognizer | undefined> {
  let loading: Promise<LineRecognizer | undefined> | undefined;
  return () => {
    loading ??= (async () => {
      const response = await fetchImpl('/api/models');
      if (!response.ok) return undefined;
      const summary = ((await response.json()) as { lineModel?: LineModelSummary | null })
        .lineModel;
      if (!summary) return undefined;
      // Its files from the Cache API while its hcr.json's SHA-256s stay the same.
      const { version } = await modelMetadata(summary.browserModel);
      const model = await tf.loadLayersModel(summary.browserModel, {
        fetchFunc: modelFetch({ version }),
      });
      const classes = summary.charset.length + 1;
      return {
        charset: summary.charset,
        frameStride: summary.frameStride,
        recognize: (line: LineImage) => {
          const { input, width, frames } = lineModelInput(line, summary.frameStride);
          const out = tf.tidy(
            () => model.predict(tf.tensor4d(input, [1, line.height, width, 1])) as tfTypes.Tensor,
          );
          const logits = (out.dataSync() as Float32Array).slice(0, frames * classes);
          out.dispose();
          return logits;
        },
      };
    })().catch(() => undefined);
    return loading;
  };
}

/**
 * Loads tfjs and starts the first backend of `backends` that starts (backend.ts, as the page's
 * workers start theirs).
 *
 * @param backends - the backends to try, in order. Default: backend.ts' BROWSER_BACKENDS
 *   (`['wasm', 'webgl', 'cpu']`).
 * @param fetchImpl - how GET /api/models is asked (the page shares one answer). Default: fetch.
 * @throws when no backend starts (the page then uses the server)
 * @example
 * const runtime = await startBrowserRuntime();
 */
export async function startBrowserRuntime(
  backends?: readonly string[],
  fetchImpl: typeof fetch = fetch.bind(globalThis),
): Promise<BrowserRuntime> {
  // Imported here, not above: the page works before tfjs arrives.
  const [tf, { startBackend }] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('./backend.js'),
  ]);
  const backend = await startBackend(backends);
  return {
    tf,
    backend,
    languageModel: languageModelLoader(),
    lineRecognizer: lineRecognizerLoader(tf, fetchImpl),
  };
}

/**
 * Loads a model in the browser with `runtime`: the model from `info.browserModel`, one warm-up
 * run.
 *
 * @throws when the model cannot be loaded (the page then uses the server)
 * @example
 * const recognizer = await loadBrowserRecognizer(info, await startBrowserRuntime());
 */
export async function loadBrowserRecognizer(
  info: ModelInfo,
  runtime: BrowserRuntime,
): Promise<Recognizer> {
  const { tf, backend, languageModel, lineRecognizer } = runtime;
  const base = await tf.loadLayersModel(info.browserModel);
  let model = base;
  const classes = info.labelSet.classes;
  const outputs = model.outputs[0]?.shape.at(-1);
  if (outputs !== classes.length) {
    throw new Error(`the model has ${outputs} outputs but ${classes.length} classes`);
  }
  /** Probabilities of `count` 28x28 images given back to back (one forward pass). */
  const run = (pixels: Uint8Array, count = 1): Float32Array => {
    const floats = new Float32Array(count * IMAGE_PIXELS);
    for (let i = 0; i < floats.length; i++) floats[i] = pixels[i]! / 255;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(floats, [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return model.predict(x) as tfTypes.Tensor;
    });
    const probs = out.dataSync() as Float32Array;
    out.dispose();
    return probs;
  };
  run(new Uint8Array(IMAGE_PIXELS));
  const classifier = { classes, classify: run };
  return {
    kind: 'browser',
    where: `in your browser (${BACKEND_NAMES[backend] ?? backend})`,
    classify: run,
    usingAdapted: () => model !== base,
    useModel: async (artifacts) => {
      const next = artifacts
        ? await tf.loadLayersModel(
            tf.io.fromMemory({
              modelTopology: artifacts.modelTopology,
              weightSpecs: artifacts.weightSpecs as tfTypes.io.WeightsManifestEntry[],
              weightData: artifacts.weightData,
            }),
          )
        : base;
      if (next.outputs[0]?.shape.at(-1) !== classes.length) {
        if (next !== base) next.dispose();
        throw new Error(`the adapted model does not have the model's ${classes.length} classes`);
      }
      if (model !== base) model.dispose();
      model = next;
    },
    recognize: async (input, top) => {
      if (!input.gray) throw new PageError('BAD_IMAGE', 'the browser could not decode the image');
      const normalized = normalizeToMnist(input.gray);
      if (normalized.empty) return { empty: true };
      return {
        empty: false,
        predictions: rank(run(normalized.pixels), classes, top),
        pixels: normalized.pixels,
      };
    },
    read: async (input, options) => {
      if (!input.gray) throw new PageError('BAD_IMAGE', 'the browser could not decode the image');
      const lm = options.context === false ? undefined : await languageModel();
      const readOptions = {
        top: options.top,
        ...(options.context !== undefined ? { context: options.context } : {}),
        ...(options.contextScope !== undefined ? { contextScope: options.contextScope } : {}),
        ...(lm ? { languageModel: lm } : {}),
        ...constraintsOf(options),
      };
      const lines = options.reader === 'glyphs' ? undefined : await lineRecognizer();
      return lines
        ? readTextByLines(input.gray, lines, readOptions)
        : readText(input.gray, classifier, readOptions);
    },
  };
}

interface ServerAnswer {
  code?: string;
  message?: string;
  predictions?: Ranked[];
  image?: string;
}

/** A request body for the server: a file as a form upload (so messages name it), else raw bytes. */
async function uploadBody(
  input: RecognitionInput,
): Promise<{ body: Blob | FormData; headers: Record<string, string> }> {
  const blob = await input.blob();
  if (blob instanceof File && blob.name) {
    const form = new FormData();
    form.append('image', blob, blob.name);
    return { body: form, headers: {} };
  }
  const type = blob.type.startsWith('image/') ? blob.type : 'application/octet-stream';
  return { body: blob, headers: { 'content-type': type } };
}

/**
 * Runs a model on the server: POSTs the image to `/api/predict` for a character and to
 * `/api/read` for lines (a file as a multipart upload, so messages name it; a drawing as PNG
 * bytes).
 *
 * @param fetchImpl - the fetch to use (tests pass their own). Default: `fetch`.
 * @param model - the served model to ask for (`?model=`). Default: the server's default.
 * @example
 * const recognizer = serverRecognizer(fetch, 'byclass62');
 */
export function serverRecognizer(
  fetchImpl: typeof fetch = fetch.bind(globalThis),
  model?: string,
): Recognizer {
  const which = model === undefined ? '' : `&model=${encodeURIComponent(model)}`;
  return {
    kind: 'server',
    where: 'on the server',
    read: async (input, options) => {
      const { body, headers } = await uploadBody(input);
      const query = new URLSearchParams({ top: String(options.top) });
      if (options.context === false) query.set('context', 'false');
      if (options.contextScope) query.set('contextScope', options.contextScope);
      if (options.reader) query.set('reader', options.reader);
      for (const [name, value] of Object.entries(constraintsOf(options))) query.set(name, value);
      if (model !== undefined) query.set('model', model);
      const response = await fetchImpl(`/api/read?${query}`, { method: 'POST', headers, body });
      const answer = (await response.json().catch(() => ({}))) as Partial<ReadResult> &
        Omit<ServerAnswer, 'predictions' | 'image'>;
      if (!response.ok || !Array.isArray(answer.lines)) {
        throw new PageError(
          answer.code ?? `HTTP_${response.status}`,
          answer.message ?? `the server answered ${response.status}`,
        );
      }
      return answer as ReadResult;
    },
    recognize: async (input, top) => {
      const { body, headers } = await uploadBody(input);
      const response = await fetchImpl(`/api/predict?top=${top}${which}`, {
        method: 'POST',
        headers,
        body,
      });
      const answer = (await response.json().catch(() => ({}))) as ServerAnswer;
      if (response.status === 422 && answer.code === 'EMPTY_IMAGE') return { empty: true };
      if (!response.ok || !answer.predictions) {
        throw new PageError(
          answer.code ?? `HTTP_${response.status}`,
          answer.message ?? `the server answered ${response.status}`,
        );
      }
      return {
        empty: false,
        predictions: answer.predictions,
        ...(answer.image ? { imageUrl: answer.image } : {}),
      };
    },
  };
}
