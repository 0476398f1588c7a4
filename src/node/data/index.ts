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
  CSV_DEFAULTS,
  parseCsvChunks,
  parseCsvDataset,
  type CsvDatasetOptions,
  type CsvProgress,
} from './csv.js';
export { CSV_COLUMNS } from './csv-parser.js';
export {
  FOLDER_DEFAULTS,
  listImageFolder,
  loadImageFolder,
  type ImageFolderDataset,
  type ImageFolderListing,
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
export { defaultCacheDir, defaultDataDir, type PathEnvironment } from './paths.js';
export {
  EMNIST_ZIP_URL,
  KAGGLE_DATASETS,
  MNIST_MIRRORS,
  PUBLIC_DATASETS,
  downloadDataset,
  kaggleInstructions,
  type KaggleDataset,
  type ManualFile,
  type PublicDataset,
} from './download.js';
export {
  DOWNLOAD_DEFAULTS,
  downloadFiles,
  type ArchiveMember,
  type DownloadEntry,
  type DownloadOptions,
  type DownloadProgress,
  type DownloadResult,
  type DownloadedFile,
  type RemoteArchive,
  type RemoteFile,
} from './download-files.js';
export {
  PLAN_DEFAULTS,
  planData,
  type DataPlan,
  type PlanOptions,
  type PlanProgress,
  type SourceProvenance,
} from './plan.js';
export {
  AZ_SPLIT_SEED,
  DATA_SOURCES,
  EMNIST_SPLIT_SEED,
  FOLDER_SOURCE_PREFIX,
  FOLDER_SPLIT_SEED,
  SOURCE_SPLIT_FRACTIONS,
  UNIPEN_SPLIT_SEED,
  listSources,
  type DataSource,
  type DataSourceName,
  type SourceListing,
  type SourceOrigin,
} from './sources/index.js';
export { KNOWN_FILES, type ChecksumOrigin, type KnownFile } from './checksums.js';
export {
  CHECK_DEFAULTS,
  checkDataDir,
  type CheckOptions,
  type DataDirCheck,
  type FileCheck,
  type SourceCheck,
  type VerifyProgress,
} from './verify.js';
