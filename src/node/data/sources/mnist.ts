// The `mnist` source: MNIST digits from their official IDX files, official train and t10k.

import { LABEL_SETS } from '../../../core/label-sets.js';
import type { Dataset } from '../../../core/types.js';
import { loadIdxPair } from '../idx.js';
import { at, cached, defineSource, idxPair, officialSplit, type SourceLoader } from './common.js';

/** MNIST: official train (train) and t10k (test, `mnist-test`). */
export const MNIST_SOURCE = defineSource({
  name: 'mnist',
  description: 'MNIST digits: official train and test (t10k)',
  files: [...idxPair('mnist/train'), ...idxPair('mnist/t10k')],
  role: 'train+test',
  testName: 'mnist-test',
  origin: 'download',
});

/** Reads MNIST's official train and test pairs (cached). */
export const loadMnist: SourceLoader = async (context) => {
  const digits = LABEL_SETS.digits;
  const load = (prefix: string, name: string): Promise<Dataset> => {
    const [images, labels] = idxPair(prefix) as [string, string];
    return cached(context, [images, labels], 'idx:digits:v1', () =>
      loadIdxPair(at(context, images), at(context, labels), digits, name),
    );
  };
  const train = await load('mnist/train', 'mnist-train');
  const test = await load('mnist/t10k', 'mnist-test');
  return officialSplit(train, test, MNIST_SOURCE.files);
};
