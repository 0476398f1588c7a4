// What every data source shares: the DataSource entry of the registry, what a loader gets (a
// LoadContext) and gives back (SourceParts), and the helpers the loaders are made of: cached
// reads, EMNIST-style IDX pairs, Kaggle CSVs, and the two ways a source is split (its official
// split, or once by hcr with a fixed seed).

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabelSet } from '../../../core/label-sets.js';
import { stratifiedSplit } from '../../../core/split.js';
import type { Dataset } from '../../../core/types.js';
import { cachedDataset } from '../cache.js';
import { parseCsvDataset } from '../csv.js';
import { emnistCacheVariant, loadEmnist } from '../emnist.js';
import type { SynthManifest } from '../synth/files.js';

/** Train, validation and test shares of a source split once by hcr. */
export const SOURCE_SPLIT_FRACTIONS: readonly number[] = Object.freeze([0.8, 0.1, 0.1]);

/** Where a source's files come from, for the message when they are missing. */
export type SourceOrigin = 'download' | 'kaggle' | 'converted' | 'generated';

/** A source of images a data directory may hold. */
export interface DataSource {
  readonly name: string;
  readonly description: string;
  /** Files that must all be present, relative to the data directory. */
  readonly files: readonly string[];
  /** Files used when present, relative to the data directory (e.g. official EMNIST train). */
  readonly optionalFiles: readonly string[];
  /** What the source gives to the plan. */
  readonly role: 'train+test' | 'train' | 'test';
  /** Name of its test set in the plan's `tests` (`DataPlan.tests`), when it has one. */
  readonly testName: string | undefined;
  /** How to get the files: `hcr data download`, a Kaggle download by hand, or none. */
  readonly origin: SourceOrigin;
  /** When this source is present, this one is left out of the default selection (same images). */
  readonly supersedes?: string;
}

/** Progress of `planData` (`../plan.ts`), reported by the loaders too. */
export interface PlanProgress {
  /**
   * `load` while a source is read (or taken from the cache), `hash` while its files are hashed;
   * `warning` when part of a source is left out (`message` says which and why).
   */
  readonly phase: 'load' | 'hash' | 'split' | 'warning';
  readonly source: string;
  /** What a `warning` is about. */
  readonly message?: string;
  /** What `done` and `total` count: CSV bytes parsed, or EMNIST images re-normalized. */
  readonly unit?: 'bytes' | 'images';
  readonly done?: number;
  readonly total?: number;
}

/** A source read into memory: datasets in the source's own labels and which indices go where. */
export interface SourceParts {
  readonly pieces: readonly {
    readonly dataset: Dataset;
    readonly train?: ArrayLike<number>;
    readonly validation?: ArrayLike<number>;
    readonly test?: ArrayLike<number>;
  }[];
  readonly droppedDuplicates: number;
  readonly splitSeed: number | null;
  /** Files read, relative to `root` (default: the data directory). */
  readonly files: readonly string[];
  readonly root?: string;
  readonly synthesis?: SynthManifest;
  /** What a folder source holds that was not read (see `SourceProvenance.notRead`). */
  readonly notRead?: { readonly folders: readonly string[]; readonly files: readonly string[] };
}

/** What a loader reads from: the data directory, the cache, and where progress goes. */
export interface LoadContext {
  readonly dataDir: string;
  readonly cacheDir: string;
  readonly onProgress: ((progress: PlanProgress) => void) | undefined;
}

/** Reads one source of the registry into memory, split into its parts. */
export type SourceLoader = (context: LoadContext) => Promise<SourceParts>;

/** The IDX images and labels files of `prefix`, gzipped. */
export function idxPair(prefix: string): string[] {
  return [`${prefix}-images-idx3-ubyte.gz`, `${prefix}-labels-idx1-ubyte.gz`];
}

/** A frozen registry entry; `optionalFiles` defaults to none. */
export function defineSource(
  entry: Omit<DataSource, 'optionalFiles'> & { optionalFiles?: readonly string[] },
): DataSource {
  return Object.freeze({
    ...entry,
    files: Object.freeze([...entry.files]),
    optionalFiles: Object.freeze([...(entry.optionalFiles ?? [])]),
  }) as DataSource;
}

/** Size of the file at `path`, or undefined when there is no such file. */
export async function fileBytes(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

/** Every index of `dataset`. */
export const all = (dataset: Dataset): Uint32Array =>
  Uint32Array.from({ length: dataset.labels.length }, (_, i) => i);

/** `path`, relative to the data directory, made absolute. */
export function at(context: LoadContext, path: string): string {
  return join(context.dataDir, path);
}

/** `load()`, cached under the data files it reads and `variant` (how it reads them). */
export function cached(
  context: LoadContext,
  files: readonly string[],
  variant: string,
  load: () => Promise<Dataset>,
): Promise<Dataset> {
  return cachedDataset(
    { sources: files.map((f) => at(context, f)), variant },
    context.cacheDir,
    load,
  );
}

/** An EMNIST-style IDX pair with its mapping file, upright and/or re-normalized, cached. */
export function loadEmnistStyle(
  context: LoadContext,
  source: string,
  prefix: string,
  mapping: string,
  name: string,
  options: { transposed: boolean; renormalize: boolean },
): Promise<Dataset> {
  const [images, labels] = idxPair(prefix) as [string, string];
  return cached(context, [images, labels, mapping], emnistCacheVariant(options), () =>
    loadEmnist(at(context, images), at(context, labels), at(context, mapping), {
      ...options,
      name,
      onProgress: (p) =>
        context.onProgress?.({
          phase: 'load',
          source,
          unit: 'images',
          done: p.done,
          total: p.total,
        }),
    }),
  );
}

/**
 * A Kaggle-style CSV of `source` in `labelSet`'s classes, named `name`, cached (variant
 * `csv:<label set>:v1`); its bytes parsed are reported as `load` progress of `source`.
 */
export function loadKaggleCsv(
  context: LoadContext,
  source: string,
  path: string,
  labelSet: LabelSet,
  name: string,
): Promise<Dataset> {
  return cached(context, [path], `csv:${labelSet.name}:v1`, () =>
    parseCsvDataset(at(context, path), {
      labelSet,
      name,
      onProgress: (p) =>
        context.onProgress?.({
          phase: 'load',
          source,
          unit: 'bytes',
          done: p.bytes,
          total: p.totalBytes,
        }),
    }),
  );
}

/**
 * The parts of a source without an official test set: split once, stratified with its fixed
 * seed, into train, validation and test (SOURCE_SPLIT_FRACTIONS).
 */
export function splitOnce(
  dataset: Dataset,
  seed: number,
  files: readonly string[],
  root?: string,
): SourceParts {
  const [train, validation, test] = stratifiedSplit(
    dataset.labels,
    SOURCE_SPLIT_FRACTIONS,
    seed,
  ) as [Uint32Array, Uint32Array, Uint32Array];
  return {
    pieces: [{ dataset, train, validation, test }],
    droppedDuplicates: 0,
    splitSeed: seed,
    files,
    ...(root === undefined ? {} : { root }),
  };
}

/** The parts of a source with an official split: all of `train` trains, all of `test` tests. */
export function officialSplit(
  train: Dataset,
  test: Dataset,
  files: readonly string[],
): SourceParts {
  return {
    pieces: [
      { dataset: train, train: all(train) },
      { dataset: test, test: all(test) },
    ],
    droppedDuplicates: 0,
    splitSeed: null,
    files,
  };
}
