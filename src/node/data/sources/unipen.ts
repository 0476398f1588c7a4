// The `unipen` source: UNIPEN isolated digits, uppercase and lowercase, split once by writer so
// that no writer is in two splits. Also says which stroke-file rows are training writers', for
// the synthetic source that re-inks UNIPEN trajectories.

import { HcrError } from '../../../core/errors.js';
import { groupSplit } from '../../../core/split.js';
import { IMAGE_PIXELS } from '../../../core/types.js';
import type { Dataset } from '../../../core/types.js';
import { readSmallCsv } from '../small-csv.js';
import { UNIPEN_STROKE_FILES } from '../synth/files.js';
import {
  SOURCE_SPLIT_FRACTIONS,
  at,
  defineSource,
  idxPair,
  loadEmnistStyle,
  type LoadContext,
  type SourceLoader,
} from './common.js';

/** Seed of the one-time 80/10/10 writer-disjoint split of UNIPEN. */
export const UNIPEN_SPLIT_SEED = 20241;

const UNIPEN_CATEGORIES = Object.freeze(['1a-digits', '1b-uppercase', '1c-lowercase']);

/**
 * UNIPEN 1a/1b/1c, split once 80/10/10 by writer (contributor + writer id) with
 * {@link UNIPEN_SPLIT_SEED}, so no writer is in two splits (`unipen-test`).
 */
export const UNIPEN_SOURCE = defineSource({
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
});

/** Reads UNIPEN's three categories (cached) and splits them by writer. */
export const loadUnipen: SourceLoader = async (context) => {
  const { dataset, train, validation, test } = await unipenSplit(context);
  return {
    pieces: [{ dataset, train, validation, test }],
    droppedDuplicates: 0,
    splitSeed: UNIPEN_SPLIT_SEED,
    files: UNIPEN_SOURCE.files,
  };
};

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
