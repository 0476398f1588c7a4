// The `mnist-csv` source: MNIST as the Kaggle train and test CSVs. The same images as `mnist`,
// so it is left out of the default selection when `mnist` is present.

import { LABEL_SETS } from '../../../core/label-sets.js';
import { KAGGLE_DATASETS } from '../download.js';
import { defineSource, loadKaggleCsv, officialSplit, type SourceLoader } from './common.js';

/** MNIST as Kaggle CSVs (left out by default when `mnist` is present). */
export const MNIST_CSV_SOURCE = defineSource({
  name: 'mnist-csv',
  description: 'MNIST as Kaggle CSVs: train and test',
  files: KAGGLE_DATASETS['mnist-csv'].files.map((f) => f.path),
  role: 'train+test',
  testName: 'mnist-csv-test',
  origin: 'kaggle',
  supersedes: 'mnist',
});

/** Parses the train and test CSVs (cached). */
export const loadMnistCsv: SourceLoader = async (context) => {
  const [trainPath, testPath] = MNIST_CSV_SOURCE.files as [string, string];
  const { digits } = LABEL_SETS;
  const train = await loadKaggleCsv(context, 'mnist-csv', trainPath, digits, 'mnist-csv-train');
  const test = await loadKaggleCsv(context, 'mnist-csv', testPath, digits, 'mnist-csv-test');
  return officialSplit(train, test, MNIST_CSV_SOURCE.files);
};
