// The messages between the page and its adaptation worker (adapt-worker.ts), and the page's
// form of the tuning recipe: core's TUNE_DEFAULTS (the recipe `hcr tune` runs) with the number of
// passes scaled down so that an adaptation fits in a browser's half minute (see PAGE_TUNE).

import { TUNE_DEFAULTS } from '../core/tune.js';

/** A model as tfjs saves it: topology, weight specs and the weights in one buffer. */
export interface ModelArtifacts {
  readonly modelTopology: object;
  readonly weightSpecs: readonly { name: string; shape: number[]; dtype: string }[];
  readonly weightData: ArrayBuffer;
}

/** Images (N*784, 0 background, 255 ink) and their labels (indices into the label set). */
export interface Images {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** Options of one adaptation; every field optional, defaults in {@link PAGE_TUNE}. */
export interface AdaptOptions {
  /** Passes over the tuning set. Default: PAGE_TUNE.epochs. */
  readonly epochs?: number;
  /** Times each sample appears per pass. Default: PAGE_TUNE.repeats. */
  readonly repeats?: number;
  /** Peak learning rate. Default: TUNE_DEFAULTS.learningRate. */
  readonly learningRate?: number;
  /** Share of each class's samples held out to measure the gain. Default: TUNE_DEFAULTS.heldOut. */
  readonly heldOut?: number;
  /** Seed of the hold-out, the shuffles and the augmentation. Default: TUNE_DEFAULTS.seed. */
  readonly seed?: number;
  /** Train only the layers after the last convolution or pooling. Default: PAGE_TUNE.freezeConvolutions. */
  readonly freezeConvolutions?: boolean;
}

/**
 * The page's recipe: `hcr tune`'s (same learning rate, batch, hold-out, replay, augmentation)
 * made to fit a browser's half minute on one core: the convolutions are frozen (only the layers
 * after the last convolution or pooling train; the issue's "early layers frozen", a third of
 * the work of a full step on the shipped `large` network) and one pass over the tuning set, in
 * which each sample is seen `repeats` = 10 times under augmentation and the replay once. The CLI
 * trains every layer for 4 passes; it has the whole machine and no such limit.
 */
export const PAGE_TUNE = Object.freeze({
  ...TUNE_DEFAULTS,
  epochs: 1,
  repeats: 10,
  /** Train only the layers after the last convolution or pooling layer. */
  freezeConvolutions: true,
});

/** Page → worker: `prepare` starts the backend and fetches the base model ahead of an `adapt`. */
export type ToWorker =
  | { readonly type: 'prepare'; readonly modelUrl: string }
  | {
      readonly type: 'adapt';
      /** URL of the base model's model.json (the worker fetches it and its weights). */
      readonly modelUrl: string;
      /** The model's label set, by name (core's LABEL_SETS). */
      readonly labelSet: string;
      readonly samples: Images;
      readonly replay: Images | undefined;
      readonly options: AdaptOptions;
    };

/** Accuracy of a model on one set of images, before and after. */
export interface SetScore {
  readonly name: string;
  readonly count: number;
  readonly before: number;
  readonly after: number;
}

/** Worker → page. */
export type FromWorker =
  | {
      readonly type: 'started';
      readonly backend: string;
      readonly steps: number;
      readonly images: number;
    }
  | {
      readonly type: 'progress';
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      readonly imagesPerSecond: number;
    }
  | {
      readonly type: 'done';
      readonly model: ModelArtifacts;
      readonly scores: readonly SetScore[];
      readonly seconds: number;
      /** Of which the training steps (the rest: starting the backend, loading, scoring). */
      readonly trainSeconds: number;
      readonly steps: number;
      readonly backend: string;
    }
  | { readonly type: 'error'; readonly message: string };
