// What `hcr data download` fetches, and what it cannot: the public datasets (MNIST, EMNIST)
// with their mirrors and the known SHA-256 of every file (checksums.ts), fetched and checked by
// download-files.ts; and the Kaggle datasets, which need a login, so for them hcr only says
// which file to fetch and where to put it.

import { join } from 'node:path';
import { lookup } from '../../core/errors.js';
import { KNOWN_FILES, knownFile } from './checksums.js';
import {
  downloadFiles,
  type ArchiveMember,
  type DownloadEntry,
  type DownloadOptions,
  type DownloadResult,
  type RemoteFile,
} from './download-files.js';

/** A public dataset hcr can download by itself. */
export interface PublicDataset {
  readonly name: string;
  readonly description: string;
  /** Where the dataset is published. */
  readonly homepage: string;
  readonly entries: readonly DownloadEntry[];
}

/** Mirrors of the official MNIST files, tried in order. */
export const MNIST_MIRRORS: readonly string[] = Object.freeze([
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
]);

/** The official EMNIST archive (about 535 MB). */
export const EMNIST_ZIP_URL = 'https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip';

// Sizes and SHA-256 come from the one table of known files (checksums.ts).
function mnistFile(name: string): RemoteFile {
  const path = `mnist/${name}`;
  const { sha256, bytes } = knownFile(path);
  return Object.freeze({
    kind: 'file',
    path,
    urls: Object.freeze(MNIST_MIRRORS.map((mirror) => mirror + name)),
    sha256,
    bytes,
  });
}

function emnistMember(name: string): ArchiveMember {
  const path = `emnist/${name}`;
  const { sha256, bytes } = knownFile(path);
  return Object.freeze({ name, path, sha256, bytes });
}

function manualFile(path: string): ManualFile {
  const known = KNOWN_FILES[path];
  if (known === undefined) return Object.freeze({ path, verified: false });
  const { sha256, bytes, origin } = known;
  return Object.freeze({ path, sha256, bytes, verified: origin !== 'unverified' });
}

/**
 * The public datasets `hcr data download` fetches, with the official SHA-256 of every file
 * (docs/DATA.md):
 * - `mnist`: the four official gzip files, from the mirrors in {@link MNIST_MIRRORS};
 * - `emnist`: the ByClass and Balanced splits and their mappings, extracted from NIST's
 *   `gzip.zip`. NIST publishes no checksum of the zip itself, so the zip is not checked as a
 *   whole; every extracted member is. EMNIST Letters is not extracted: no official checksum
 *   of its files is known to hcr.
 *
 * @example
 * PUBLIC_DATASETS.mnist.entries.length; // 4
 */
export const PUBLIC_DATASETS: Readonly<Record<'mnist' | 'emnist', PublicDataset>> = Object.freeze({
  mnist: Object.freeze({
    name: 'mnist',
    description: 'MNIST handwritten digits: 60,000 training and 10,000 test images',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    entries: Object.freeze([
      mnistFile('train-images-idx3-ubyte.gz'),
      mnistFile('train-labels-idx1-ubyte.gz'),
      mnistFile('t10k-images-idx3-ubyte.gz'),
      mnistFile('t10k-labels-idx1-ubyte.gz'),
    ]),
  }),
  emnist: Object.freeze({
    name: 'emnist',
    description: 'EMNIST ByClass (62 classes) and Balanced (47 classes), official train and test',
    homepage: 'https://www.nist.gov/itl/products-and-services/emnist-dataset',
    entries: Object.freeze([
      Object.freeze({
        kind: 'zip',
        path: 'emnist/gzip.zip',
        urls: Object.freeze([EMNIST_ZIP_URL]),
        members: Object.freeze([
          emnistMember('emnist-byclass-train-images-idx3-ubyte.gz'),
          emnistMember('emnist-byclass-train-labels-idx1-ubyte.gz'),
          emnistMember('emnist-byclass-test-images-idx3-ubyte.gz'),
          emnistMember('emnist-byclass-test-labels-idx1-ubyte.gz'),
          emnistMember('emnist-byclass-mapping.txt'),
          emnistMember('emnist-balanced-train-images-idx3-ubyte.gz'),
          emnistMember('emnist-balanced-train-labels-idx1-ubyte.gz'),
          emnistMember('emnist-balanced-test-images-idx3-ubyte.gz'),
          emnistMember('emnist-balanced-test-labels-idx1-ubyte.gz'),
          emnistMember('emnist-balanced-mapping.txt'),
        ]),
      }),
    ]),
  }),
});

/** A file that needs a manual download (Kaggle requires a login). */
export interface ManualFile {
  /** Where the file must be put, relative to the data directory. */
  readonly path: string;
  /** Expected size in bytes, when known. */
  readonly bytes?: number;
  /** Expected SHA-256, when known. */
  readonly sha256?: string;
  /** False when the size and checksum come from a third party and were never checked. */
  readonly verified: boolean;
}

/** A Kaggle dataset: where to get it and where its files go. */
export interface KaggleDataset {
  readonly name: string;
  readonly title: string;
  /** The dataset's Kaggle page. */
  readonly url: string;
  /** `owner/dataset`, as the Kaggle CLI names it. */
  readonly slug: string;
  readonly files: readonly ManualFile[];
}

/**
 * Kaggle CSV datasets hcr reads but cannot download (a Kaggle login is required); see
 * {@link kaggleInstructions}. Their files live under `<dataDir>/kaggle/`.
 * The size and SHA-256 of `A_Z Handwritten Data.csv` come from a Git LFS pointer in a third
 * party's repository and have not been verified.
 *
 * @example
 * KAGGLE_DATASETS['az-csv'].files[0].path; // 'kaggle/A_Z Handwritten Data.csv'
 */
export const KAGGLE_DATASETS: Readonly<Record<'az-csv' | 'mnist-csv', KaggleDataset>> =
  Object.freeze({
    'az-csv': Object.freeze({
      name: 'az-csv',
      title: 'A-Z Handwritten Alphabets in CSV format (Sachin Patel)',
      url: 'https://www.kaggle.com/datasets/sachinpatel21/az-handwritten-alphabets-in-csv-format',
      slug: 'sachinpatel21/az-handwritten-alphabets-in-csv-format',
      files: Object.freeze([manualFile('kaggle/A_Z Handwritten Data.csv')]),
    }),
    'mnist-csv': Object.freeze({
      name: 'mnist-csv',
      title: 'MNIST in CSV (oddrationale)',
      url: 'https://www.kaggle.com/datasets/oddrationale/mnist-in-csv',
      slug: 'oddrationale/mnist-in-csv',
      files: Object.freeze([
        manualFile('kaggle/mnist_train.csv'),
        manualFile('kaggle/mnist_test.csv'),
      ]),
    }),
  });

/**
 * What to do by hand to get a Kaggle dataset: which page, which file, where to put it.
 *
 * @throws HcrError BAD_OPTION for a name not in {@link KAGGLE_DATASETS}
 * @example
 * kaggleInstructions('az-csv', '/home/me/.cache/hcr/data');
 */
export function kaggleInstructions(name: string, dataDir: string): string {
  const dataset = lookup(KAGGLE_DATASETS, name, 'Kaggle dataset');
  const folder = join(dataDir, 'kaggle');
  const lines = [
    `${dataset.name}: "${dataset.title}" is on Kaggle, which requires a login, so hcr cannot download it.`,
    `1. Sign in at kaggle.com, open ${dataset.url} and download the dataset (a zip).`,
    `   Or, with the Kaggle CLI: kaggle datasets download -d ${dataset.slug} -p "${folder}" --unzip`,
    `2. Put these file(s), unzipped and with these exact names, in ${folder}:`,
  ];
  for (const file of dataset.files) {
    const facts = [
      file.bytes === undefined ? undefined : `${file.bytes} bytes`,
      file.sha256 === undefined ? undefined : `SHA-256 ${file.sha256}`,
    ].filter((fact): fact is string => fact !== undefined);
    const note =
      facts.length === 0 ? '' : ` (${facts.join(', ')}${file.verified ? '' : ', unverified'})`;
    lines.push(`   ${join(dataDir, file.path)}${note}`);
  }
  return lines.join('\n');
}

/**
 * Downloads a public dataset into `<dataDir>`, skipping files already present with the right
 * SHA-256 and resuming interrupted downloads.
 *
 * @param name - a key of {@link PUBLIC_DATASETS}: `mnist` or `emnist`
 * @throws HcrError BAD_OPTION for an unknown name; DOWNLOAD when a file cannot be fetched or
 *   its checksum does not match (the message names the file, the expected and the actual hash)
 * @example
 * const { files } = await downloadDataset('mnist', { dataDir: defaultDataDir() });
 */
export async function downloadDataset(
  name: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const dataset = lookup(PUBLIC_DATASETS, name, 'downloadable dataset');
  return downloadFiles(dataset.entries, options);
}
