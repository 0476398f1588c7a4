// The character model's adaptation worker (adapt-worker.ts) as the Teach panel drives it: the
// worker started with the base model, the replay sample of the training data shipped beside the
// page (its manifest says which label set it is of, so which models the panel can teach), and
// the message that adapts the model on the writer's samples.

import replayImagesUrl from '../../models/replay-alnum36/replay-images-idx3-ubyte.gz?url';
import replayLabelsUrl from '../../models/replay-alnum36/replay-labels-idx1-ubyte.gz?url';
import replayManifestUrl from '../../models/replay-alnum36/replay.json?url';
import { REPLAY_FILES, decodeIdx, type ReplayManifest } from '../core/replay-file.js';
import { IMAGE_PIXELS } from '../core/types.js';
import type { AdaptOptions, Images, ToWorker } from './adapt-protocol.js';
import type { ServedModelEntry } from './models.js';
import type { ModelInfo } from './recognizer.js';
import type { AdaptPanelSpec } from './teach-adapt.js';
import type { Sample } from './teach-store.js';

/** The character part's adaptation: its elements, flags and words (teach-adapt.ts). */
export const CHAR_ADAPT_PANEL: AdaptPanelSpec = Object.freeze({
  status: 'adapt-status',
  progress: 'adapt-progress',
  cancel: 'adapt-cancel',
  adaptingFlag: 'adapting',
  secondsFlag: 'adaptSeconds',
  use: 'use-adapted',
  export: 'export-model',
  forget: 'forget-model',
  info: 'adapted-info',
  inUse: 'model-in-use',
  modelFlag: 'model',
  storageKey: 'hcr-use-adapted',
  unit: 'samples',
  base: 'base model',
  none: 'No adapted model yet.',
  readingAdapted: 'Reading with your adapted model.',
  readingBase: 'Reading with the base model.',
});

async function gunzip(bytes: ArrayBuffer): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The shipped replay sample's manifest (undefined when the page ships none).
 *
 * @example
 * const labelSet = (await replayManifest())?.labelSet; // alnum36
 */
export function replayManifest(): Promise<ReplayManifest | undefined> {
  return fetch(replayManifestUrl)
    .then((r) => (r.ok ? (r.json() as Promise<ReplayManifest>) : undefined))
    .catch(() => undefined);
}

/**
 * The shipped replay sample, when `manifest` says it is of the label set `classes`.
 *
 * @example
 * const replay = await replaySample(await replayManifest(), info.labelSet.classes);
 */
export async function replaySample(
  manifest: ReplayManifest | undefined,
  classes: readonly string[],
): Promise<Images | undefined> {
  if (!manifest || manifest.labelSet.classes.join('') !== classes.join('')) return undefined;
  const [images, labels] = await Promise.all(
    [replayImagesUrl, replayLabelsUrl].map(async (url) =>
      gunzip(await (await fetch(url)).arrayBuffer()),
    ),
  );
  return {
    images: decodeIdx(images!, 'images', REPLAY_FILES.images).data,
    labels: decodeIdx(labels!, 'labels', REPLAY_FILES.labels).data,
  };
}

/**
 * Why a model cannot be taught for want of a replay sample of its classes (the page ships one,
 * of `replay`'s label set), naming a served model of that label set; undefined when it can.
 *
 * @example
 * noReplayFor({ name: 'byclass62', title: 'all characters', info }, manifest.labelSet, models);
 */
export function noReplayFor(
  model: { readonly name: string; readonly title: string; readonly info: ModelInfo },
  replay: ReplayManifest['labelSet'] | undefined,
  models: readonly ServedModelEntry[],
): string | undefined {
  const { info } = model;
  if (!replay || replay.classes.join('') === info.labelSet.classes.join('')) return undefined;
  const other = models.find((m) => m.labelSet.classes.join('') === replay.classes.join(''));
  return (
    `Teaching is not available for the model for ${model.title} (${model.name}, ${info.labelSet.classes.length} classes): ` +
    `adapting mixes your samples with a sample of the original training data so that the model keeps reading other hands, ` +
    `and the page ships that sample for the ${replay.classes.length} classes of ${replay.name} only.` +
    (other ? ` Switch to “${other.title}” to teach that model your handwriting.` : '')
  );
}

/**
 * The adaptation worker, started: its backend comes up and it fetches the base model `modelUrl`
 * ahead of an adaptation.
 *
 * @example
 * const worker = openAdaptWorker(info.browserModel);
 */
export function openAdaptWorker(modelUrl: string): Worker {
  const worker = new Worker(new URL('./adapt-worker.ts', import.meta.url), { type: 'module' });
  worker.postMessage({ type: 'prepare', modelUrl } satisfies ToWorker);
  return worker;
}

/**
 * The message that adapts the model `info` on `samples` (each of one of its classes) and the
 * replay sample.
 *
 * @example
 * worker.postMessage(adaptMessage(info, usable, replay, options));
 */
export function adaptMessage(
  info: ModelInfo,
  samples: readonly Sample[],
  replay: Images | undefined,
  options: AdaptOptions,
): ToWorker {
  const classes = info.labelSet.classes;
  const images: Images = {
    images: new Uint8Array(samples.length * IMAGE_PIXELS),
    labels: new Uint8Array(samples.length),
  };
  samples.forEach((s, i) => {
    images.images.set(s.pixels, i * IMAGE_PIXELS);
    images.labels[i] = classes.indexOf(s.label);
  });
  return {
    type: 'adapt',
    modelUrl: info.browserModel,
    labelSet: info.labelSet.name,
    samples: images,
    replay,
    options,
  };
}
