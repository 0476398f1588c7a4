// Messages between the polyfill (the page's thread) and its reading worker (worker.ts).

import type { InkStroke } from '../../core/ink/types.js';
import type { InkReadHints } from './read-ink.js';
import type { HandwritingPrediction } from './types.js';

/** Where the worker finds its models: absolute URLs. */
export interface ModelUrls {
  /** The line model's model.json (its hcr.json, beside it, gives the charset). */
  readonly lineModel: string;
  /** The glyph model's model.json, for per-character reading. */
  readonly glyphModel: string;
  /** The character language model (language-model.json); reading goes on without it. */
  readonly languageModel: string;
  /**
   * Each model's version (src/web/model-cache.ts): its files are kept in the Cache API under it.
   * A line model without one takes its hcr.json's record of SHA-256s; the others are fetched as
   * usual. Default: none.
   */
  readonly versions?: ModelVersions;
}

/** A version per model, anything that changes when its files change (a hash). */
export interface ModelVersions {
  readonly lineModel?: string;
  readonly glyphModel?: string;
  readonly languageModel?: string;
}

/** From the page to the worker. */
export type ToReader =
  | { readonly type: 'init'; readonly urls: ModelUrls }
  | {
      readonly type: 'read';
      readonly id: number;
      readonly strokes: InkStroke[];
      readonly hints: InkReadHints;
    }
  | {
      /** The page's Teach panel: read lines with these weights from now on (none: the base ones). */
      readonly type: 'line-weights';
      readonly model:
        | {
            readonly modelTopology: object;
            readonly weightSpecs: readonly { name: string; shape: number[]; dtype: string }[];
            readonly weightData: ArrayBuffer;
          }
        | undefined;
    };

/** From the worker to the page. */
export type FromReader =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly predictions: HandwritingPrediction[] }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly name: string;
      readonly message: string;
    };
