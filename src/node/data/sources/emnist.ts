// The `emnist` source: EMNIST ByClass. Its official test split is always there; official train
// is optional (`hcr data download emnist`). Without train, the test split is divided once.

import {
  at,
  defineSource,
  fileBytes,
  idxPair,
  loadEmnistStyle,
  officialSplit,
  splitOnce,
  type SourceLoader,
} from './common.js';

/** Seed of the one-time 80/10/10 split of EMNIST ByClass test (when no official train is present). */
export const EMNIST_SPLIT_SEED = 20240;

const EMNIST_TRAIN_FILES = Object.freeze([
  'emnist/emnist-byclass-train-images-idx3-ubyte.gz',
  'emnist/emnist-byclass-train-labels-idx1-ubyte.gz',
]);

/**
 * EMNIST ByClass. With only its official test split present, that split is divided once,
 * stratified 80/10/10 with {@link EMNIST_SPLIT_SEED}; with the official train files, official
 * train is train and official test is `emnist-test`.
 */
export const EMNIST_SOURCE = defineSource({
  name: 'emnist',
  description:
    'EMNIST ByClass (62 classes): official test split, divided once 80/10/10; official train when present',
  files: [...idxPair('emnist/emnist-byclass-test'), 'emnist/emnist-byclass-mapping.txt'],
  optionalFiles: EMNIST_TRAIN_FILES,
  role: 'train+test',
  testName: 'emnist-test',
  origin: 'download',
});

/** Reads EMNIST ByClass (upright, re-normalized, cached) and splits it. */
export const loadEmnistByClass: SourceLoader = async (context) => {
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
    return officialSplit(train, test, [...EMNIST_SOURCE.files, ...EMNIST_TRAIN_FILES]);
  }
  context.onProgress?.({ phase: 'split', source: 'emnist' });
  return splitOnce(test, EMNIST_SPLIT_SEED, EMNIST_SOURCE.files);
};
