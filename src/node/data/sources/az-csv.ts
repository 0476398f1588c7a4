// The `az-csv` source: the Kaggle A-Z handwritten letters CSV, which has no test set of its own
// and is split once by hcr.

import { LABEL_SETS } from '../../../core/label-sets.js';
import { KAGGLE_DATASETS } from '../download.js';
import { defineSource, loadKaggleCsv, splitOnce, type SourceLoader } from './common.js';

/** Seed of the one-time 80/10/10 split of the Kaggle A-Z CSV (it has no test set). */
export const AZ_SPLIT_SEED = 20242;

/** The Kaggle A-Z CSV, split once 80/10/10 with {@link AZ_SPLIT_SEED}. */
export const AZ_CSV_SOURCE = defineSource({
  name: 'az-csv',
  description: 'Kaggle A-Z handwritten letters (CSV), split once 80/10/10',
  files: KAGGLE_DATASETS['az-csv'].files.map((f) => f.path),
  role: 'train+test',
  testName: 'az-csv-test',
  origin: 'kaggle',
});

/** Parses the CSV (cached) and splits it once. */
export const loadAzCsv: SourceLoader = async (context) => {
  const [path] = AZ_CSV_SOURCE.files as [string];
  const dataset = await loadKaggleCsv(context, 'az-csv', path, LABEL_SETS.letters, 'az-csv');
  context.onProgress?.({ phase: 'split', source: 'az-csv' });
  return splitOnce(dataset, AZ_SPLIT_SEED, AZ_CSV_SOURCE.files);
};
