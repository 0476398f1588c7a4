// The data plan: which images train, validate and test. Reads the selected sources of the
// registry (./sources/) and folder sources, maps them into the label set, holds out validation,
// and keeps every image that equals a test image out of training: official test sets stay test
// sets, a source without one is split once with a fixed seed (by writer for UNIPEN), and no
// image is ever in both a training and a test split (docs/DESIGN.md §3).

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HcrError, lookup } from '../../core/errors.js';
import { mapLabelSet } from '../../core/label-sets.js';
import type { LabelSet } from '../../core/label-sets.js';
import { stratifiedSplit } from '../../core/split.js';
import { IMAGE_PIXELS } from '../../core/types.js';
import type { Dataset } from '../../core/types.js';
import { kaggleInstructions } from './download.js';
import { sha256File } from './sha256.js';
import {
  DATA_SOURCES,
  SOURCE_LOADERS,
  folderTestName,
  isFolderSource,
  listSources,
  loadFolderSource,
  type DataSource,
  type DataSourceName,
  type LoadContext,
  type PlanProgress,
  type SourceParts,
} from './sources/index.js';
import type { SynthManifest } from './synth/files.js';

export type { PlanProgress } from './sources/index.js';

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

/** Which images train, validate and test, and where they came from. */
export interface DataPlan {
  readonly labelSet: LabelSet;
  readonly train: Dataset;
  readonly validation: Dataset;
  /** One per source with a test set, e.g. `mnist-test`, `emnist-test`, `unipen-test`, `chars74k`. */
  readonly tests: readonly Dataset[];
  readonly provenance: readonly SourceProvenance[];
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

/** The error for a source named in `sources` whose files are missing, with how to get them. */
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
          : '; these files are conversions made for hcr (see docs/DATA.md), copy them from a machine that has them';
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
      ? folderTestName(name)
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
