// The data plan: which images train, validate and test. Knows the sources a data directory
// can hold (laid out like the project's data folder: mnist/, emnist/, unipen/, chars74k-hnd/,
// emnist-partial/, kaggle/), how each is read, and how it is split: official test sets stay
// test sets, a source without one is split once with a fixed seed (by writer for UNIPEN), and
// no image is ever in both a training and a test split (DESIGN.md §3).

import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HcrError, lookup } from '../../core/errors.js';
import { LABEL_SETS, mapLabelSet, sourceLabelSet } from '../../core/label-sets.js';
import type { LabelSet } from '../../core/label-sets.js';
import { groupSplit, stratifiedSplit } from '../../core/split.js';
import { IMAGE_PIXELS } from '../../core/types.js';
import type { Dataset } from '../../core/types.js';
import { cachedDataset } from './cache.js';
import { parseCsvDataset } from './csv.js';
import { KAGGLE_DATASETS, kaggleInstructions } from './download.js';
import { emnistCacheVariant, loadEmnist } from './emnist.js';
import { listImageFolder, loadImageFolder } from './folder.js';
import { loadIdxPair } from './idx.js';
import { sha256File } from './sha256.js';
import { readSmallCsv } from './small-csv.js';
import {
  SYNTH_FILES,
  UNIPEN_STROKE_FILES,
  readSynthManifest,
  type SynthManifest,
} from './synth/files.js';

/** Seed of the one-time 80/10/10 split of EMNIST ByClass test (when no official train is present). */
export const EMNIST_SPLIT_SEED = 20240;
/** Seed of the one-time 80/10/10 writer-disjoint split of UNIPEN. */
export const UNIPEN_SPLIT_SEED = 20241;
/** Seed of the one-time 80/10/10 split of the Kaggle A-Z CSV (it has no test set). */
export const AZ_SPLIT_SEED = 20242;
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
  /** Name of its test set in {@link DataPlan.tests}, when it has one. */
  readonly testName: string | undefined;
  /** How to get the files: `hcr data download`, a Kaggle download by hand, or none. */
  readonly origin: SourceOrigin;
  /** When this source is present, this one is left out of the default selection (same images). */
  readonly supersedes?: string;
}

const EMNIST_TRAIN_FILES = Object.freeze([
  'emnist/emnist-byclass-train-images-idx3-ubyte.gz',
  'emnist/emnist-byclass-train-labels-idx1-ubyte.gz',
]);

const UNIPEN_CATEGORIES = Object.freeze(['1a-digits', '1b-uppercase', '1c-lowercase']);

const EMNIST_PARTIAL_PIECES = Object.freeze([
  { prefix: 'emnist-letters-test-AtoS', mapping: 'emnist-letters-mapping.txt' },
  { prefix: 'emnist-letters-train-85264to88799', mapping: 'emnist-letters-mapping.txt' },
  { prefix: 'emnist-balanced-train-103680to112799', mapping: 'emnist-balanced-mapping.txt' },
  { prefix: 'emnist-balanced-test-18496to18799', mapping: 'emnist-balanced-mapping.txt' },
]);

const EMNIST_PARTIAL_OVERLAP = 'emnist-partial/emnist-partial-overlap-with-byclass-test.csv';

function idxPair(prefix: string): string[] {
  return [`${prefix}-images-idx3-ubyte.gz`, `${prefix}-labels-idx1-ubyte.gz`];
}

function source(entry: Omit<DataSource, 'optionalFiles'> & { optionalFiles?: readonly string[] }) {
  return Object.freeze({
    ...entry,
    files: Object.freeze([...entry.files]),
    optionalFiles: Object.freeze([...(entry.optionalFiles ?? [])]),
  }) as DataSource;
}

/**
 * The sources hcr knows, in the order they enter a plan:
 * - `mnist`: official train (train) and t10k (test, `mnist-test`);
 * - `emnist`: EMNIST ByClass. With only its official test split present, that split is divided
 *   once, stratified 80/10/10 with {@link EMNIST_SPLIT_SEED}; with the official train files
 *   (`hcr data download emnist`), official train is train and official test is `emnist-test`;
 * - `unipen`: UNIPEN 1a/1b/1c, split once 80/10/10 by writer (contributor + writer id) with
 *   {@link UNIPEN_SPLIT_SEED}, so no writer is in two splits (`unipen-test`);
 * - `chars74k`: Chars74K EnglishHnd, a test set only (`chars74k`), never trained on;
 * - `emnist-partial`: EMNIST Letters/Balanced pieces, training only, without the images that
 *   duplicate EMNIST ByClass test images;
 * - `az-csv`: the Kaggle A-Z CSV, split once 80/10/10 with {@link AZ_SPLIT_SEED};
 * - `mnist-csv`: MNIST as Kaggle CSVs (left out by default when `mnist` is present);
 * - `synth`: the synthetic styles of `hcr data synth`; its held-out font families are the test
 *   set `styles-test` (split by family, never across train and test), and its re-inked UNIPEN
 *   trajectories come from UNIPEN's training writers only.
 *
 * @example
 * DATA_SOURCES.unipen.testName; // 'unipen-test'
 */
export const DATA_SOURCES = Object.freeze({
  mnist: source({
    name: 'mnist',
    description: 'MNIST digits: official train and test (t10k)',
    files: [...idxPair('mnist/train'), ...idxPair('mnist/t10k')],
    role: 'train+test',
    testName: 'mnist-test',
    origin: 'download',
  }),
  emnist: source({
    name: 'emnist',
    description:
      'EMNIST ByClass (62 classes): official test split, divided once 80/10/10; official train when present',
    files: [...idxPair('emnist/emnist-byclass-test'), 'emnist/emnist-byclass-mapping.txt'],
    optionalFiles: EMNIST_TRAIN_FILES,
    role: 'train+test',
    testName: 'emnist-test',
    origin: 'download',
  }),
  unipen: source({
    name: 'unipen',
    description: 'UNIPEN isolated digits, uppercase and lowercase, split once by writer 80/10/10',
    files: [
      ...UNIPEN_CATEGORIES.flatMap((c) => [
        ...idxPair(`unipen/unipen-${c}`),
        `unipen/unipen-${c}-metadata.csv.gz`,
      ]),
      'unipen/unipen-byclass-mapping.txt',
    ],
    role: 'train+test',
    testName: 'unipen-test',
    origin: 'converted',
  }),
  chars74k: source({
    name: 'chars74k',
    description: 'Chars74K EnglishHnd (partial): an out-of-distribution test set, never trained on',
    files: [
      ...idxPair('chars74k-hnd/chars74k-hnd'),
      'chars74k-hnd/chars74k-hnd-byclass-mapping.txt',
    ],
    role: 'test',
    testName: 'chars74k',
    origin: 'converted',
  }),
  'emnist-partial': source({
    name: 'emnist-partial',
    description:
      'EMNIST Letters/Balanced pieces, training only, minus the duplicates of EMNIST ByClass test',
    files: [
      ...EMNIST_PARTIAL_PIECES.flatMap((p) => idxPair(`emnist-partial/${p.prefix}`)),
      'emnist-partial/emnist-letters-mapping.txt',
      'emnist-partial/emnist-balanced-mapping.txt',
      EMNIST_PARTIAL_OVERLAP,
    ],
    role: 'train',
    testName: undefined,
    origin: 'converted',
  }),
  'az-csv': source({
    name: 'az-csv',
    description: 'Kaggle A-Z handwritten letters (CSV), split once 80/10/10',
    files: KAGGLE_DATASETS['az-csv'].files.map((f) => f.path),
    role: 'train+test',
    testName: 'az-csv-test',
    origin: 'kaggle',
  }),
  'mnist-csv': source({
    name: 'mnist-csv',
    description: 'MNIST as Kaggle CSVs: train and test',
    files: KAGGLE_DATASETS['mnist-csv'].files.map((f) => f.path),
    role: 'train+test',
    testName: 'mnist-csv-test',
    origin: 'kaggle',
    supersedes: 'mnist',
  }),
  synth: source({
    name: 'synth',
    description:
      "synthetic styles made by 'hcr data synth': font families (some held out whole for styles-test) and UNIPEN pen trajectories re-inked",
    files: Object.values(SYNTH_FILES),
    role: 'train+test',
    testName: 'styles-test',
    origin: 'generated',
  }),
});

/** Name of a source in {@link DATA_SOURCES}. */
export type DataSourceName = keyof typeof DATA_SOURCES;

/** A source as found (or not) in a data directory, for `hcr data list`. */
export interface SourceListing {
  readonly name: string;
  readonly description: string;
  /** True when every required file is present. */
  readonly present: boolean;
  /** Required and optional files, relative to the data directory. */
  readonly files: readonly {
    readonly path: string;
    readonly present: boolean;
    readonly optional: boolean;
    readonly bytes: number | undefined;
  }[];
}

async function fileBytes(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which sources a data directory holds, file by file.
 *
 * @example
 * (await listSources('/data')).filter((s) => s.present).map((s) => s.name); // ['mnist', 'emnist', ...]
 */
export async function listSources(dataDir: string): Promise<SourceListing[]> {
  const all: DataSource[] = Object.values(DATA_SOURCES);
  return Promise.all(
    all.map(async (entry) => {
      const files = await Promise.all(
        [
          ...entry.files.map((path) => ({ path, optional: false })),
          ...entry.optionalFiles.map((path) => ({ path, optional: true })),
        ].map(async ({ path, optional }) => {
          const bytes = await fileBytes(join(dataDir, path));
          return { path, optional, present: bytes !== undefined, bytes };
        }),
      );
      return {
        name: entry.name,
        description: entry.description,
        present: files.every((f) => f.optional || f.present),
        files,
      };
    }),
  );
}

/** Progress of {@link planData}. */
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

/** Options of {@link planData}; `dataDir`, `cacheDir` and `labelSet` are required. */
export interface PlanOptions {
  /** The data directory (see `defaultDataDir()`). */
  readonly dataDir: string;
  /** Where parsed sources are cached (see `defaultCacheDir()`). */
  readonly cacheDir: string;
  /** The label set images are mapped into; images of other classes are dropped. */
  readonly labelSet: LabelSet;
  /**
   * Sources to use, by name. Default: every source present in `dataDir` (except one whose
   * `supersedes` source is present too). A source named here but missing is an error.
   */
  readonly sources?: readonly string[];
  /** Map lowercase (and merged-case) classes onto uppercase ones. Default: false. */
  readonly foldCase?: boolean;
  /** Share of a source's training part held out for validation when it has no validation split. Default: 0.1. */
  readonly validationFraction?: number;
  /** Seed of the validation hold-out. Default: 1. */
  readonly seed?: number;
  readonly onProgress?: (progress: PlanProgress) => void;
}

/** The defaults of {@link PlanOptions}. */
export const PLAN_DEFAULTS = Object.freeze({
  foldCase: false,
  validationFraction: 0.1,
  seed: 1,
});

/** Where a source's images went, for the model's metadata. */
export interface SourceProvenance {
  readonly source: string;
  /** Files read, relative to the data directory, with their SHA-256 and size. */
  readonly files: readonly {
    readonly path: string;
    readonly sha256: string;
    readonly bytes: number;
  }[];
  /** Images in each part after mapping into the label set. */
  readonly counts: { readonly train: number; readonly validation: number; readonly test: number };
  /** Images left out: of classes outside the label set, plus duplicates of test images. */
  readonly dropped: number;
  /** Of `dropped`, images left out because they duplicate another source's test images. */
  readonly droppedDuplicates: number;
  /** Seed of the one-time split of a source without an official test set, else null. */
  readonly splitSeed: number | null;
  /** Seed of the validation hold-out from the training part, else null (source has a validation split). */
  readonly validationSeed: number | null;
  /** Of `droppedDuplicates`, how many duplicate each test set (by test set name). */
  readonly duplicatesOf?: Readonly<Record<string, number>>;
  /** For a generated source: how it was made (families with package, version and SHA-256, seed, counts). */
  readonly synthesis?: SynthManifest;
  /**
   * For a folder source: what it holds that was not read, relative to the folder: class folders
   * that are no class of the label set, and files at its root (only class folders are read).
   */
  readonly notRead?: { readonly folders: readonly string[]; readonly files: readonly string[] };
}

/** Prefix of a source that is a folder of class sub-folders: `folder:PATH`. */
export const FOLDER_SOURCE_PREFIX = 'folder:';
/** Seed of the one-time split of a folder source into train, validation and test. */
export const FOLDER_SPLIT_SEED = 20243;

function isFolderSource(name: string): boolean {
  return name.startsWith(FOLDER_SOURCE_PREFIX);
}

/**
 * The parts of a source without an official test set: split once, stratified with its fixed
 * seed, into train, validation and test (SOURCE_SPLIT_FRACTIONS).
 */
function splitOnce(
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
function officialSplit(train: Dataset, test: Dataset, files: readonly string[]): SourceParts {
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

/**
 * A folder of images per class, split once (stratified, fixed seed). Only the class folders that
 * map into the label set are decoded; the others and any files at the root are reported (a
 * `warning` event and `notRead`), and a folder none of whose class folders maps is an error.
 */
async function loadFolderSource(
  name: string,
  labelSet: LabelSet,
  foldCase: boolean,
  onProgress: ((progress: PlanProgress) => void) | undefined,
): Promise<SourceParts> {
  const root = name.slice(FOLDER_SOURCE_PREFIX.length);
  const { classFolders, rootFiles } = await listImageFolder(root);
  const map = mapLabelSet(sourceLabelSet(name, [...classFolders]), labelSet, { foldCase });
  const outside = classFolders.filter((_, i) => map[i]! < 0);
  if (outside.length === classFolders.length) {
    throw new HcrError(
      'BAD_DATA',
      `${root}: no class folder is a class of label set ${labelSet.name}: expected folders named ${labelSet.classes.join(', ')}, found ${classFolders.join(', ')}`,
    );
  }
  // Say when folding case would have taken a folder in (e.g. `a/` under alnum36).
  const folded = foldCase
    ? []
    : outside.filter(
        (folder) =>
          mapLabelSet(sourceLabelSet(name, [folder]), labelSet, { foldCase: true })[0]! >= 0,
      );
  const skipped = [
    ...(outside.length > 0
      ? [
          `class folder(s) ${outside.join(', ')} (not classes of label set ${labelSet.name}${folded.length > 0 ? `; ${folded.join(', ')} would map with foldCase` : ''})`,
        ]
      : []),
    ...(rootFiles.length > 0
      ? [`file(s) at its root ${rootFiles.join(', ')} (only class folders are read)`]
      : []),
  ];
  if (skipped.length > 0) {
    onProgress?.({
      phase: 'warning',
      source: name,
      message: `${root}: left out ${skipped.join(' and ')}`,
    });
  }
  const dataset = await loadImageFolder(root, {
    name: `folder-${basename(root)}`,
    include: (folder) => !outside.includes(folder),
  });
  const parts = splitOnce(dataset, FOLDER_SPLIT_SEED, dataset.files, root);
  return skipped.length > 0
    ? { ...parts, notRead: { folders: outside, files: [...rootFiles] } }
    : parts;
}

/** Which images train, validate and test, and where they came from. */
export interface DataPlan {
  readonly labelSet: LabelSet;
  readonly train: Dataset;
  readonly validation: Dataset;
  /** One per source with a test set, e.g. `mnist-test`, `emnist-test`, `unipen-test`, `chars74k`. */
  readonly tests: readonly Dataset[];
  readonly provenance: readonly SourceProvenance[];
}

/** A source read into memory: datasets in the source's own labels and which indices go where. */
interface SourceParts {
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
  readonly notRead?: SourceProvenance['notRead'];
}

interface LoadContext {
  readonly dataDir: string;
  readonly cacheDir: string;
  readonly onProgress: ((progress: PlanProgress) => void) | undefined;
}

const all = (dataset: Dataset): Uint32Array =>
  Uint32Array.from({ length: dataset.labels.length }, (_, i) => i);

function at(context: LoadContext, path: string): string {
  return join(context.dataDir, path);
}

function cached(
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
function loadEmnistStyle(
  context: LoadContext,
  source: DataSourceName,
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

const SOURCE_LOADERS: Readonly<Record<DataSourceName, (c: LoadContext) => Promise<SourceParts>>> =
  Object.freeze({
    async mnist(context) {
      const digits = LABEL_SETS.digits;
      const load = (prefix: string, name: string): Promise<Dataset> => {
        const [images, labels] = idxPair(prefix) as [string, string];
        return cached(context, [images, labels], 'idx:digits:v1', () =>
          loadIdxPair(at(context, images), at(context, labels), digits, name),
        );
      };
      const train = await load('mnist/train', 'mnist-train');
      const test = await load('mnist/t10k', 'mnist-test');
      return officialSplit(train, test, DATA_SOURCES.mnist.files);
    },

    async emnist(context) {
      const mapping = 'emnist/emnist-byclass-mapping.txt';
      const options = { transposed: true, renormalize: true };
      const test = await loadEmnistStyle(
        context,
        'emnist',
        'emnist/emnist-byclass-test',
        mapping,
        'emnist-byclass-test',
        options,
      );
      const trainPresent = (
        await Promise.all(EMNIST_TRAIN_FILES.map((f) => fileBytes(at(context, f))))
      ).every((bytes) => bytes !== undefined);
      if (trainPresent) {
        const train = await loadEmnistStyle(
          context,
          'emnist',
          'emnist/emnist-byclass-train',
          mapping,
          'emnist-byclass-train',
          options,
        );
        return officialSplit(train, test, [...DATA_SOURCES.emnist.files, ...EMNIST_TRAIN_FILES]);
      }
      context.onProgress?.({ phase: 'split', source: 'emnist' });
      return splitOnce(test, EMNIST_SPLIT_SEED, DATA_SOURCES.emnist.files);
    },

    async unipen(context) {
      const { dataset, train, validation, test } = await unipenSplit(context);
      return {
        pieces: [{ dataset, train, validation, test }],
        droppedDuplicates: 0,
        splitSeed: UNIPEN_SPLIT_SEED,
        files: DATA_SOURCES.unipen.files,
      };
    },

    async chars74k(context) {
      const dataset = await loadEmnistStyle(
        context,
        'chars74k',
        'chars74k-hnd/chars74k-hnd',
        'chars74k-hnd/chars74k-hnd-byclass-mapping.txt',
        'chars74k',
        { transposed: false, renormalize: false },
      );
      return {
        pieces: [{ dataset, test: all(dataset) }],
        droppedDuplicates: 0,
        splitSeed: null,
        files: DATA_SOURCES.chars74k.files,
      };
    },

    async 'emnist-partial'(context) {
      const overlap = await readOverlap(
        at(context, EMNIST_PARTIAL_OVERLAP),
        EMNIST_PARTIAL_OVERLAP,
      );
      const pieces = [];
      let droppedDuplicates = 0;
      for (const { prefix, mapping } of EMNIST_PARTIAL_PIECES) {
        const dataset = await loadEmnistStyle(
          context,
          'emnist-partial',
          `emnist-partial/${prefix}`,
          `emnist-partial/${mapping}`,
          prefix,
          { transposed: false, renormalize: true },
        );
        const drop = overlap.get(prefix) ?? new Set<number>();
        for (const index of drop) {
          if (index >= dataset.labels.length) {
            throw new HcrError(
              'BAD_DATA',
              `${EMNIST_PARTIAL_OVERLAP}: index ${index} of ${prefix} is out of range (${dataset.labels.length} images)`,
            );
          }
        }
        const train = new Uint32Array(dataset.labels.length - drop.size);
        let kept = 0;
        for (let i = 0; i < dataset.labels.length; i++) if (!drop.has(i)) train[kept++] = i;
        droppedDuplicates += drop.size;
        pieces.push({ dataset, train });
      }
      return {
        pieces,
        droppedDuplicates,
        splitSeed: null,
        files: DATA_SOURCES['emnist-partial'].files,
      };
    },

    async 'az-csv'(context) {
      const [path] = DATA_SOURCES['az-csv'].files as [string];
      const dataset = await cached(context, [path], 'csv:letters:v1', () =>
        parseCsvDataset(at(context, path), {
          labelSet: LABEL_SETS.letters,
          name: 'az-csv',
          onProgress: (p) =>
            context.onProgress?.({
              phase: 'load',
              source: 'az-csv',
              unit: 'bytes',
              done: p.bytes,
              total: p.totalBytes,
            }),
        }),
      );
      context.onProgress?.({ phase: 'split', source: 'az-csv' });
      return splitOnce(dataset, AZ_SPLIT_SEED, DATA_SOURCES['az-csv'].files);
    },

    async synth(context) {
      const dataset = await cached(
        context,
        [SYNTH_FILES.images, SYNTH_FILES.labels],
        'idx:byclass62:v1',
        () =>
          loadIdxPair(
            at(context, SYNTH_FILES.images),
            at(context, SYNTH_FILES.labels),
            LABEL_SETS.byclass62,
            'synth',
          ),
      );
      const { rows, column } = await readSmallCsv(
        at(context, SYNTH_FILES.metadata),
        SYNTH_FILES.metadata,
        ['index', 'style', 'split'],
      );
      if (rows.length !== dataset.labels.length) {
        throw new HcrError(
          'BAD_DATA',
          `${SYNTH_FILES.metadata}: expected one row per image (${dataset.labels.length}), got ${rows.length} rows`,
        );
      }
      const train: number[] = [];
      const test: number[] = [];
      const families = new Map<string, number>();
      const groups = new Int32Array(rows.length).fill(-1);
      rows.forEach((cells, i) => {
        const split = cells[column.split!];
        if (split === 'train') train.push(i);
        else if (split === 'test') {
          test.push(i);
          const style = cells[column.style!]!;
          if (!families.has(style)) families.set(style, families.size);
          groups[i] = families.get(style)!;
        } else {
          throw new HcrError(
            'BAD_DATA',
            `${SYNTH_FILES.metadata}:${i + 2}: expected split train or test, got '${split}'`,
          );
        }
      });
      return {
        pieces: [
          {
            dataset: { ...dataset, groups, groupNames: [...families.keys()] },
            train: Uint32Array.from(train),
            test: Uint32Array.from(test),
          },
        ],
        droppedDuplicates: 0,
        splitSeed: null,
        files: DATA_SOURCES.synth.files,
        synthesis: await readSynthManifest(context.dataDir),
      };
    },

    async 'mnist-csv'(context) {
      const [trainPath, testPath] = DATA_SOURCES['mnist-csv'].files as [string, string];
      const load = (path: string, name: string): Promise<Dataset> =>
        cached(context, [path], 'csv:digits:v1', () =>
          parseCsvDataset(at(context, path), {
            labelSet: LABEL_SETS.digits,
            name,
            onProgress: (p) =>
              context.onProgress?.({
                phase: 'load',
                source: 'mnist-csv',
                unit: 'bytes',
                done: p.bytes,
                total: p.totalBytes,
              }),
          }),
        );
      const train = await load(trainPath, 'mnist-csv-train');
      const test = await load(testPath, 'mnist-csv-test');
      return officialSplit(train, test, DATA_SOURCES['mnist-csv'].files);
    },
  });

/**
 * UNIPEN's three categories as one dataset with a writer id per image, and its one-time split
 * by writer (80/10/10, {@link UNIPEN_SPLIT_SEED}): no writer is in two parts.
 */
async function unipenSplit(context: LoadContext): Promise<{
  dataset: Dataset;
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
  /** Index of each category's first image in `dataset`. */
  offsets: number[];
}> {
  const mapping = 'unipen/unipen-byclass-mapping.txt';
  const options = { transposed: false, renormalize: false };
  const parts: Dataset[] = [];
  const writers: string[][] = [];
  for (const category of UNIPEN_CATEGORIES) {
    const prefix = `unipen/unipen-${category}`;
    const dataset = await loadEmnistStyle(
      context,
      'unipen',
      prefix,
      mapping,
      `unipen-${category}`,
      options,
    );
    const metadata = `${prefix}-metadata.csv.gz`;
    const keys = await readWriterKeys(at(context, metadata), metadata);
    if (keys.length !== dataset.labels.length) {
      throw new HcrError(
        'BAD_DATA',
        `${metadata}: expected one row per image (${dataset.labels.length}), got ${keys.length} rows`,
      );
    }
    parts.push(dataset);
    writers.push(keys);
  }
  // One id per writer across the three categories, numbered in sorted order so that the
  // ids do not depend on file order.
  const ids = new Map([...new Set(writers.flat())].sort().map((key, i) => [key, i] as const));
  const groups = Int32Array.from(writers.flat(), (key) => ids.get(key)!);
  const dataset: Dataset = { ...concatSame('unipen', parts), groups };
  context.onProgress?.({ phase: 'split', source: 'unipen' });
  const [train, validation, test] = groupSplit(
    groups,
    dataset.labels,
    SOURCE_SPLIT_FRACTIONS,
    UNIPEN_SPLIT_SEED,
  ) as [Uint32Array, Uint32Array, Uint32Array];
  const offsets: number[] = [];
  let offset = 0;
  for (const part of parts) {
    offsets.push(offset);
    offset += part.labels.length;
  }
  return { dataset, train, validation, test, offsets };
}

/**
 * The rows of each UNIPEN stroke file (`unipen-strokes/…`, one row per UNIPEN image) whose
 * writer is in UNIPEN's training split: the trajectories the synthetic source may re-ink
 * without a test writer's hand reaching training.
 *
 * @example
 * const rows = await unipenTrainRows({ dataDir, cacheDir });
 * (await rows('unipen-strokes/unipen-1a-digits-strokes.jsonl.gz')).has(0);
 */
export async function unipenTrainRows(options: {
  dataDir: string;
  cacheDir: string;
}): Promise<(file: string) => Promise<ReadonlySet<number>>> {
  const { train, offsets, dataset } = await unipenSplit({ ...options, onProgress: undefined });
  const bounds = [...offsets, dataset.labels.length];
  return async (file: string) => {
    const k = UNIPEN_STROKE_FILES.indexOf(file);
    if (k < 0) throw new HcrError('BAD_OPTION', `unipenTrainRows: unknown stroke file ${file}`);
    const rows = new Set<number>();
    for (const i of train) if (i >= bounds[k]! && i < bounds[k + 1]!) rows.add(i - bounds[k]!);
    return rows;
  };
}

/** Concatenates datasets of one source label set (by name) without groups. */
function concatSame(name: string, parts: readonly Dataset[]): Dataset {
  const total = parts.reduce((sum, part) => sum + part.labels.length, 0);
  const images = new Uint8Array(total * IMAGE_PIXELS);
  const labels = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    images.set(part.images.subarray(0, part.labels.length * IMAGE_PIXELS), offset * IMAGE_PIXELS);
    labels.set(part.labels, offset);
    offset += part.labels.length;
  }
  return { name, images, labels, labelSet: parts[0]!.labelSet };
}

/** The writer of each image of a UNIPEN metadata file: `contributor/writer_id`, in image order. */
async function readWriterKeys(path: string, name: string): Promise<string[]> {
  const { rows, column } = await readSmallCsv(path, name, ['index', 'contributor', 'writer_id']);
  return rows.map((cells, i) => {
    if (Number(cells[column.index!]) !== i) {
      throw new HcrError(
        'BAD_DATA',
        `${name}:${i + 2}: expected index ${i}, got '${cells[column.index!]}'`,
      );
    }
    return `${cells[column.contributor!]}/${cells[column.writer_id!]}`;
  });
}

/** The images of each emnist-partial piece that duplicate EMNIST ByClass test images. */
async function readOverlap(path: string, name: string): Promise<Map<string, Set<number>>> {
  const { rows, column } = await readSmallCsv(path, name, ['file_prefix', 'index']);
  const overlap = new Map<string, Set<number>>();
  rows.forEach((cells, i) => {
    const prefix = cells[column.file_prefix!]!;
    const index = Number(cells[column.index!]);
    if (!Number.isInteger(index) || index < 0) {
      throw new HcrError(
        'BAD_DATA',
        `${name}:${i + 2}: expected an image index, got '${cells[column.index!]}'`,
      );
    }
    if (!EMNIST_PARTIAL_PIECES.some((piece) => piece.prefix === prefix)) {
      throw new HcrError(
        'BAD_DATA',
        `${name}:${i + 2}: expected a file prefix of ${EMNIST_PARTIAL_PIECES.map((p) => p.prefix).join(', ')}, got '${prefix}'`,
      );
    }
    let set = overlap.get(prefix);
    if (!set) overlap.set(prefix, (set = new Set()));
    set.add(index);
  });
  return overlap;
}

/** Images of `dataset` at `indices`, relabelled by `map` (indices whose class maps to -1 are skipped). */
interface Selection {
  readonly dataset: Dataset;
  readonly indices: ArrayLike<number>;
  readonly map: Int16Array;
}

/** The selected indices whose class maps into the label set. */
function mappedIndices(selection: Selection): Uint32Array {
  const { dataset, indices, map } = selection;
  const kept = new Uint32Array(indices.length);
  let n = 0;
  for (let k = 0; k < indices.length; k++) {
    if (map[dataset.labels[indices[k]!]!]! >= 0) kept[n++] = indices[k]!;
  }
  return kept.subarray(0, n);
}

/**
 * Copies the selected, mapped images of several sources into one dataset (one allocation).
 * Groups and their names come along when every selection shares the same named groups.
 */
function gather(name: string, labelSet: LabelSet, selections: readonly Selection[]): Dataset {
  const total = selections.reduce((sum, s) => sum + s.indices.length, 0);
  const images = new Uint8Array(total * IMAGE_PIXELS);
  const labels = new Uint8Array(total);
  const groupNames = selections[0]?.dataset.groupNames;
  const named =
    groupNames !== undefined && selections.every((s) => s.dataset.groupNames === groupNames);
  const groups = named ? new Int32Array(total) : undefined;
  let out = 0;
  for (const { dataset, indices, map } of selections) {
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      images.set(
        dataset.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS),
        out * IMAGE_PIXELS,
      );
      if (groups) groups[out] = dataset.groups![i]!;
      labels[out++] = map[dataset.labels[i]!]!;
    }
  }
  return groups
    ? { name, images, labels, labelSet, groups, groupNames }
    : { name, images, labels, labelSet };
}

/** Two 32-bit hashes of image `i` of `images`, as one key. */
function imageKey(images: Uint8Array, i: number): string {
  let a = 2166136261;
  let b = 0x9747b28c;
  const end = (i + 1) * IMAGE_PIXELS;
  for (let p = i * IMAGE_PIXELS; p < end; p++) {
    const v = images[p]!;
    a = Math.imul(a ^ v, 16777619);
    b = Math.imul(b ^ v, 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/** Every test image, found by its pixels: exact duplicates of them are kept out of training. */
class TestImageIndex {
  private readonly byKey = new Map<string, { set: Dataset; index: number }[]>();

  constructor(tests: readonly Dataset[]) {
    for (const set of tests) {
      for (let i = 0; i < set.labels.length; i++) {
        const key = imageKey(set.images, i);
        const list = this.byKey.get(key);
        if (list) list.push({ set, index: i });
        else this.byKey.set(key, [{ set, index: i }]);
      }
    }
  }

  /** The test set holding exactly the pixels of image `i` of `images`, if any. */
  find(images: Uint8Array, i: number): string | undefined {
    const candidates = this.byKey.get(imageKey(images, i));
    if (!candidates) return undefined;
    const pixels = images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    for (const { set, index } of candidates) {
      const other = set.images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS);
      if (other.every((v, p) => v === pixels[p])) return set.name;
    }
    return undefined;
  }

  /** `indices` of `dataset` without the images that equal a test image; counts what it drops. */
  withoutDuplicates(
    dataset: Dataset,
    indices: ArrayLike<number>,
    counts: Record<string, number>,
  ): Uint32Array {
    const kept = new Uint32Array(indices.length);
    let n = 0;
    for (let k = 0; k < indices.length; k++) {
      const test = this.find(dataset.images, indices[k]!);
      if (test === undefined) kept[n++] = indices[k]!;
      else counts[test] = (counts[test] ?? 0) + 1;
    }
    return kept.subarray(0, n);
  }
}

function missingSourceError(
  entry: DataSource,
  dataDir: string,
  missing: readonly string[],
): HcrError {
  const hint =
    entry.origin === 'kaggle'
      ? `\n${kaggleInstructions(entry.name, dataDir)}`
      : entry.origin === 'download'
        ? `; run 'hcr data download ${entry.name}' to fetch it`
        : entry.origin === 'generated'
          ? `; run 'hcr data synth' to generate it`
          : '; these files are conversions made for hcr (see the data sources document), copy them from a machine that has them';
  return new HcrError(
    'NOT_FOUND',
    `data source ${entry.name}: expected ${entry.files.join(', ')} in ${dataDir}; ` +
      `missing: ${missing.join(', ')}${hint}`,
  );
}

/**
 * Plans which images train, validate and test: reads every selected source (from the cache
 * after the first run), splits it (official test sets stay test sets; a source without one
 * is split once with its fixed seed; UNIPEN by writer), maps it into `labelSet` (other
 * classes are dropped and counted), and holds out `validationFraction` of each training part
 * without a validation split, stratified with `seed`. No image is in both a training and a
 * test split; `chars74k` is test only.
 *
 * @throws HcrError BAD_OPTION for an unknown source name or a bad fraction; NOT_FOUND when a
 *   source named in `sources` is missing (the message lists the files expected and where, and
 *   for Kaggle sources how to get them)
 * @example
 * const plan = await planData({ dataDir: defaultDataDir(), cacheDir: defaultCacheDir(),
 *   labelSet: LABEL_SETS.alnum36 });
 * plan.tests.map((t) => t.name); // ['mnist-test', 'emnist-test', 'unipen-test', 'chars74k']
 */
export async function planData(options: PlanOptions): Promise<DataPlan> {
  const foldCase = options.foldCase ?? PLAN_DEFAULTS.foldCase;
  const validationFraction = options.validationFraction ?? PLAN_DEFAULTS.validationFraction;
  const seed = options.seed ?? PLAN_DEFAULTS.seed;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new HcrError(
      'BAD_OPTION',
      `validationFraction: expected a number in [0, 1), got ${validationFraction}`,
    );
  }
  const { dataDir, labelSet } = options;
  const listing = new Map((await listSources(dataDir)).map((s) => [s.name, s] as const));
  let names: string[];
  if (options.sources) {
    names = [...new Set(options.sources)];
    for (const name of names) {
      if (isFolderSource(name)) continue;
      const entry: DataSource = lookup(DATA_SOURCES, name, 'data source');
      const missing = listing
        .get(name)!
        .files.filter((f) => !f.optional && !f.present)
        .map((f) => f.path);
      if (missing.length > 0) throw missingSourceError(entry, dataDir, missing);
    }
  } else {
    const sources: DataSource[] = Object.values(DATA_SOURCES);
    names = sources
      .filter((s) => listing.get(s.name)!.present)
      .filter((s) => s.supersedes === undefined || !listing.get(s.supersedes)!.present)
      .map((s) => s.name);
  }

  const context: LoadContext = {
    dataDir,
    cacheDir: options.cacheDir,
    onProgress: options.onProgress,
  };
  const tests: Dataset[] = [];
  const loaded: {
    name: string;
    parts: SourceParts;
    train: Selection[];
    validation: Selection[];
    counts: { train: number; validation: number; test: number };
    dropped: number;
    validationSeed: number | null;
    files: SourceProvenance['files'];
  }[] = [];
  for (const name of names) {
    const folder = isFolderSource(name);
    const testName = folder
      ? `folder-${basename(name.slice(FOLDER_SOURCE_PREFIX.length))}-test`
      : (lookup(DATA_SOURCES, name, 'data source') as DataSource).testName;
    options.onProgress?.({ phase: 'load', source: name });
    const parts = folder
      ? await loadFolderSource(name, labelSet, foldCase, options.onProgress)
      : await SOURCE_LOADERS[name as DataSourceName](context);
    const counts = { train: 0, validation: 0, test: 0 };
    let dropped = parts.droppedDuplicates;
    let validationSeed: number | null = null;
    const trainSelections: Selection[] = [];
    const validationSelections: Selection[] = [];
    const testSelections: Selection[] = [];
    for (const piece of parts.pieces) {
      const map = mapLabelSet(piece.dataset.labelSet, labelSet, { foldCase });
      let train = piece.train;
      let validation = piece.validation;
      if (train && !validation && validationFraction > 0) {
        // Hold out validation from the training part, stratified by the source's own classes
        // so that the same images are held out whichever label set is chosen.
        const labels = Uint8Array.from(
          { length: train.length },
          (_, k) => piece.dataset.labels[train![k]!]!,
        );
        const [keep, held] = stratifiedSplit(
          labels,
          [1 - validationFraction, validationFraction],
          seed,
        ) as [Uint32Array, Uint32Array];
        const from = train;
        train = keep.map((k) => from[k]!);
        validation = held.map((k) => from[k]!);
        validationSeed = seed;
      }
      const selections = [
        { indices: train, into: trainSelections },
        { indices: validation, into: validationSelections },
        { indices: piece.test, into: testSelections },
      ] as const;
      for (const { indices, into } of selections) {
        if (!indices) continue;
        // Only the images that map into the label set go on; the others are counted as dropped.
        const selection = { dataset: piece.dataset, indices, map };
        const kept = mappedIndices(selection);
        dropped += indices.length - kept.length;
        into.push({ ...selection, indices: kept });
      }
    }
    counts.test = testSelections.reduce((sum, s) => sum + s.indices.length, 0);
    if (testName !== undefined && counts.test > 0) {
      tests.push(gather(testName, labelSet, testSelections));
    }
    options.onProgress?.({ phase: 'hash', source: name });
    const files = await Promise.all(
      parts.files.map(async (path) => {
        const absolute = join(parts.root ?? dataDir, path);
        const [sha256, info] = await Promise.all([
          sha256File(absolute, { cacheDir: options.cacheDir }),
          stat(absolute),
        ]);
        return { path, sha256, bytes: info.size };
      }),
    );
    loaded.push({
      name,
      parts,
      train: trainSelections,
      validation: validationSelections,
      counts,
      dropped,
      validationSeed,
      files,
    });
  }

  // No training or validation image may equal a test image of any source (the Kaggle A-Z CSV
  // and EMNIST both come from NIST SD19; a generated glyph could repeat a test image).
  const testIndex = new TestImageIndex(tests);
  const trainSelections: Selection[] = [];
  const validationSelections: Selection[] = [];
  const provenance: SourceProvenance[] = loaded.map((source) => {
    const duplicatesOf: Record<string, number> = {};
    const keep = (selections: Selection[]): Selection[] =>
      selections.map((selection) => ({
        ...selection,
        indices: testIndex.withoutDuplicates(selection.dataset, selection.indices, duplicatesOf),
      }));
    const train = keep(source.train);
    const validation = keep(source.validation);
    trainSelections.push(...train);
    validationSelections.push(...validation);
    const duplicates = Object.values(duplicatesOf).reduce((sum, n) => sum + n, 0);
    const counts = {
      train: train.reduce((sum, s) => sum + s.indices.length, 0),
      validation: validation.reduce((sum, s) => sum + s.indices.length, 0),
      test: source.counts.test,
    };
    return {
      source: source.name,
      files: source.files,
      counts,
      dropped: source.dropped + duplicates,
      droppedDuplicates: source.parts.droppedDuplicates + duplicates,
      duplicatesOf,
      splitSeed: source.parts.splitSeed,
      validationSeed: source.validationSeed,
      ...(source.parts.synthesis ? { synthesis: source.parts.synthesis } : {}),
      ...(source.parts.notRead ? { notRead: source.parts.notRead } : {}),
    };
  });
  return {
    labelSet,
    train: gather('train', labelSet, trainSelections),
    validation: gather('validation', labelSet, validationSelections),
    tests,
    provenance,
  };
}
