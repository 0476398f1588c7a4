// The registry of data sources: DATA_SOURCES, the frozen list of sources a data directory can
// hold (laid out like the project's data folder: mnist/, emnist/, unipen/, chars74k-hnd/,
// emnist-partial/, kaggle/), the loader of each, and `listSources` for what a directory holds.
// Each source has its own file beside this one; what they share is in common.ts. Planning
// (which images train, validate and test) is ../plan.ts.

import { join } from 'node:path';
import { AZ_CSV_SOURCE, loadAzCsv } from './az-csv.js';
import { CHARS74K_SOURCE, loadChars74k } from './chars74k.js';
import { fileBytes, type DataSource, type SourceLoader } from './common.js';
import { EMNIST_PARTIAL_SOURCE, loadEmnistPartial } from './emnist-partial.js';
import { EMNIST_SOURCE, loadEmnistByClass } from './emnist.js';
import { MNIST_CSV_SOURCE, loadMnistCsv } from './mnist-csv.js';
import { MNIST_SOURCE, loadMnist } from './mnist.js';
import { SYNTH_SOURCE, loadSynth } from './synth.js';
import { UNIPEN_SOURCE, loadUnipen } from './unipen.js';

export { AZ_SPLIT_SEED } from './az-csv.js';
export {
  SOURCE_SPLIT_FRACTIONS,
  type DataSource,
  type LoadContext,
  type PlanProgress,
  type SourceLoader,
  type SourceOrigin,
  type SourceParts,
} from './common.js';
export { EMNIST_SPLIT_SEED } from './emnist.js';
export {
  FOLDER_SOURCE_PREFIX,
  FOLDER_SPLIT_SEED,
  folderTestName,
  isFolderSource,
  loadFolderSource,
} from './folder.js';
export { UNIPEN_SPLIT_SEED, unipenTrainRows } from './unipen.js';

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
  mnist: MNIST_SOURCE,
  emnist: EMNIST_SOURCE,
  unipen: UNIPEN_SOURCE,
  chars74k: CHARS74K_SOURCE,
  'emnist-partial': EMNIST_PARTIAL_SOURCE,
  'az-csv': AZ_CSV_SOURCE,
  'mnist-csv': MNIST_CSV_SOURCE,
  synth: SYNTH_SOURCE,
});

/** Name of a source in {@link DATA_SOURCES}. */
export type DataSourceName = keyof typeof DATA_SOURCES;

/**
 * How each source of {@link DATA_SOURCES} is read, by name (folder sources are read by
 * `loadFolderSource`).
 *
 * @example
 * const parts = await SOURCE_LOADERS.mnist({ dataDir, cacheDir, onProgress: undefined });
 */
export const SOURCE_LOADERS: Readonly<Record<DataSourceName, SourceLoader>> = Object.freeze({
  mnist: loadMnist,
  emnist: loadEmnistByClass,
  unipen: loadUnipen,
  chars74k: loadChars74k,
  'emnist-partial': loadEmnistPartial,
  'az-csv': loadAzCsv,
  'mnist-csv': loadMnistCsv,
  synth: loadSynth,
});

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
