// hcr's polyfill of the Handwriting Recognition API (https://wicg.github.io/handwriting-recognition/):
// the same API, offline, in any browser, reading with hcr's line model in a Web Worker.
//
//   import { install } from './handwriting.js';
//   install();  // only where the browser has no navigator.createHandwritingRecognizer
//   const recognizer = await navigator.createHandwritingRecognizer({ languages: ['en'] });
//
// The models are found beside this module (`models/`, put there by `npm run build`) unless
// createHandwritingPolyfill is told otherwise. Nothing is loaded before a recognizer is created;
// the models' files are then kept in the browser's Cache API under their versions, so the next
// visits read them without a request (../model-cache.ts).

import type { InkLimits } from '../../core/ink/limits.js';
import { handwritingApi, HandwritingStroke, type HandwritingApi } from './api.js';
import type { ModelUrls, ModelVersions } from './protocol.js';
import { workerReader } from './reader.js';

export {
  HandwritingDrawing,
  HandwritingRecognizer,
  HandwritingStroke,
  MAX_ALTERNATIVES,
  SUPPORTED_LANGUAGES,
  supportsLanguages,
} from './api.js';
export type * from './types.js';
export type { ModelVersions } from './protocol.js';

/** Options of {@link createHandwritingPolyfill}; every field optional. */
export interface PolyfillOptions {
  /**
   * The folder holding `line-en/`, `alnum36/` and `lm-en/`. Default: `models/` beside this
   * module.
   */
  readonly modelBase?: string | URL;
  /** The ink budgets of a drawing. Default: core's INK_LIMITS. */
  readonly limits?: InkLimits;
  /**
   * A version per model under `modelBase` (anything that changes when the model's files do, such
   * as a hash): a model with one is kept in the browser's Cache API and read from it, without a
   * request, while its version stays; a line model without one takes the SHA-256s its hcr.json
   * records; the others are fetched as usual. Default: the versions `npm run build` computed
   * for the models beside the module (when `modelBase` is not given), else none.
   */
  readonly modelVersions?: ModelVersions;
}

// Set by vite.handwriting.config.ts: the SHA-256 of each model folder it copied beside the
// module, keyed by MODEL_PATHS' names. Absent outside that build.
declare const __HCR_MODEL_VERSIONS__: ModelVersions | undefined;

/** The versions of the models beside the module, as the build found them. */
export const BUILT_MODEL_VERSIONS: ModelVersions = Object.freeze(
  typeof __HCR_MODEL_VERSIONS__ === 'undefined' ? {} : { ...__HCR_MODEL_VERSIONS__ },
);

/** The model folders under `modelBase`, as `npm run build` lays them out. */
export const MODEL_PATHS = Object.freeze({
  lineModel: 'line-en/model.json',
  glyphModel: 'alnum36/model.json',
  languageModel: 'lm-en/language-model.json',
});

/** A polyfill: the API's entry points, and `install` to put them on navigator. */
export interface HandwritingPolyfill extends HandwritingApi {
  /**
   * Sets navigator.createHandwritingRecognizer and navigator.queryHandwritingRecognizer, and
   * globalThis.HandwritingStroke, where the browser has none; a native API is left alone.
   *
   * @returns true when the polyfill was installed, false when the browser has its own
   */
  install(target?: Navigator): boolean;
}

/**
 * A polyfill reading with the models under `options.modelBase`.
 *
 * @example
 * const hw = createHandwritingPolyfill({ modelBase: '/static/hcr-models/' });
 * hw.install();
 */
export function createHandwritingPolyfill(options: PolyfillOptions = {}): HandwritingPolyfill {
  const base = new URL(String(options.modelBase ?? './models/'), import.meta.url);
  const urls: ModelUrls = {
    lineModel: new URL(MODEL_PATHS.lineModel, base).href,
    glyphModel: new URL(MODEL_PATHS.glyphModel, base).href,
    languageModel: new URL(MODEL_PATHS.languageModel, base).href,
    versions:
      options.modelVersions ?? (options.modelBase === undefined ? BUILT_MODEL_VERSIONS : undefined),
  };
  const api = handwritingApi(workerReader(urls), options.limits);
  return {
    ...api,
    install(target = navigator) {
      const nav = target as Navigator & Partial<HandwritingApi>;
      if (typeof nav.createHandwritingRecognizer === 'function') return false;
      for (const name of ['createHandwritingRecognizer', 'queryHandwritingRecognizer'] as const) {
        Object.defineProperty(nav, name, {
          value: api[name],
          configurable: true,
          writable: true,
          enumerable: true,
        });
      }
      if (!('HandwritingStroke' in globalThis)) {
        Object.defineProperty(globalThis, 'HandwritingStroke', {
          value: HandwritingStroke,
          configurable: true,
          writable: true,
        });
      }
      return true;
    },
  };
}

let standard: HandwritingPolyfill | undefined;

/** The polyfill with the models beside this module, made on first use. */
function polyfill(): HandwritingPolyfill {
  standard ??= createHandwritingPolyfill();
  return standard;
}

/** navigator.createHandwritingRecognizer's polyfill, with the models beside this module. */
export const createHandwritingRecognizer: HandwritingApi['createHandwritingRecognizer'] = (c) =>
  polyfill().createHandwritingRecognizer(c);

/** navigator.queryHandwritingRecognizer's polyfill. */
export const queryHandwritingRecognizer: HandwritingApi['queryHandwritingRecognizer'] = (c) =>
  polyfill().queryHandwritingRecognizer(c);

/** Installs the polyfill with the models beside this module (see HandwritingPolyfill.install). */
export const install = (target?: Navigator): boolean => polyfill().install(target);
