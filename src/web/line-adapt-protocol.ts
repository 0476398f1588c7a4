// The messages between the page and its line adaptation worker (line-adapt-worker.ts), which
// adapts the line model to the writer's corrected words by core's recipe (core/line/adapt.ts).

import type { InkStroke } from '../core/ink/types.js';
import type { LineAdaptOptions } from '../core/line/adapt.js';
import type { ModelArtifacts, SetScore } from './adapt-protocol.js';

/** One word to adapt to: its ink and what it says. */
export interface LineAdaptSample {
  readonly strokes: readonly InkStroke[];
  readonly text: string;
}

/** Where the worker finds the base line model and the language model (absolute URLs). */
export interface LineAdaptUrls {
  /** The line model's model.json (its hcr.json, beside it, gives the charset). */
  readonly lineModel: string;
  /** The language model (language-model.json); the held-out words are read without it if absent. */
  readonly languageModel: string;
}

/** Page → worker: `prepare` starts the backend and fetches the models ahead of an `adapt`. */
export type ToLineWorker =
  | { readonly type: 'prepare'; readonly urls: LineAdaptUrls }
  | {
      readonly type: 'adapt';
      readonly urls: LineAdaptUrls;
      readonly samples: readonly LineAdaptSample[];
      readonly options: LineAdaptOptions;
    };

/** Worker → page. */
export type FromLineWorker =
  | {
      readonly type: 'started';
      readonly backend: string;
      readonly steps: number;
      /** Words trained on and held out. */
      readonly train: number;
      readonly heldOut: number;
    }
  | {
      readonly type: 'progress';
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      readonly linesPerSecond: number;
    }
  | {
      readonly type: 'done';
      readonly model: ModelArtifacts;
      readonly charset: string;
      /**
       * Characters right on the held-out words, before and after: as the page reads them (with
       * the language model), then by the model alone.
       */
      readonly scores: readonly SetScore[];
      /** The held-out words' readings after adapting, as the page reads them. */
      readonly readings: readonly string[];
      readonly train: number;
      readonly heldOut: number;
      readonly seconds: number;
      /** Of which the training steps (the rest: starting, loading, reading the held-out words). */
      readonly trainSeconds: number;
      readonly steps: number;
      readonly backend: string;
    }
  | { readonly type: 'error'; readonly message: string };
