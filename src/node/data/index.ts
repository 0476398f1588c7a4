// Public API of hcr's dataset loading in Node: file formats (IDX, EMNIST, CSV, image folders),
// the parsed-dataset cache and file hashing.

export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  isGzip,
  loadIdxPair,
  parseIdx,
  readIdx,
  readIdxImages,
  readIdxLabels,
  readMaybeGzip,
  writeIdx,
  type IdxFile,
  type IdxImages,
  type WriteIdxOptions,
} from './idx.js';
export {
  EMNIST_DEFAULTS,
  EMNIST_LOADER_VERSION,
  emnistCacheVariant,
  loadEmnist,
  readEmnistMapping,
  type EmnistOptions,
} from './emnist.js';
export {
  CSV_COLUMNS,
  CSV_DEFAULTS,
  parseCsvChunks,
  parseCsvDataset,
  type CsvDatasetOptions,
  type CsvProgress,
} from './csv.js';
export {
  FOLDER_DEFAULTS,
  loadImageFolder,
  type ImageFolderDataset,
  type ImageFolderOptions,
  type ImageFolderProgress,
} from './folder.js';
export {
  DATASET_CACHE_EXTENSION,
  DATASET_CACHE_FORMAT,
  DATASET_CACHE_MAGIC,
  cachedDataset,
  datasetCachePath,
  readDatasetCache,
  writeDatasetCache,
  type CachedDatasetOptions,
  type DatasetCacheEvent,
  type DatasetCacheKey,
} from './cache.js';
export {
  HASH_STORE_FILE,
  clearSha256Memo,
  sha256Bytes,
  sha256File,
  type Sha256Options,
} from './sha256.js';
