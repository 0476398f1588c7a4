// Fetches the public datasets (MNIST, EMNIST) into a data directory and checks every file
// against its published SHA-256. Downloads go to `<file>.part`, resume with an HTTP Range
// request, and are renamed into place only once their checksum matches, so a file under its
// final name is always complete. Kaggle datasets need a login, so for them hcr only says
// which file to fetch and where to put it.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { HcrError, lookup } from '../../core/errors.js';
import { exists } from '../fs-atomic.js';
import { KNOWN_FILES, knownFile } from './checksums.js';
import { sha256File } from './sha256.js';
import { crc32, readZipDirectory, zipMemberDataStart, type ZipRecord } from './zip.js';

/** One file fetched as it is: saved at `path` (relative to the data directory). */
export interface RemoteFile {
  readonly kind: 'file';
  /** Where the file goes, relative to the data directory, e.g. `mnist/t10k-labels-idx1-ubyte.gz`. */
  readonly path: string;
  /** Full URLs, tried in order (mirrors). */
  readonly urls: readonly string[];
  /** Expected SHA-256 (lowercase hex) of the file. */
  readonly sha256: string;
  /** Expected size in bytes, when known. */
  readonly bytes?: number;
}

/** One member taken out of a zip archive. */
export interface ArchiveMember {
  /** Base name of the member inside the archive (any folder prefix in the zip is ignored). */
  readonly name: string;
  /** Where the member goes, relative to the data directory. */
  readonly path: string;
  /** Expected SHA-256 of the extracted member. */
  readonly sha256: string;
  /** Expected size in bytes of the extracted member, when known. */
  readonly bytes?: number;
}

/**
 * A zip archive of which only some members are kept. The archive itself has no published
 * checksum; each member is checked (zip CRC-32, then SHA-256) as it is extracted.
 */
export interface RemoteArchive {
  readonly kind: 'zip';
  /** Where the archive is kept while it is extracted, relative to the data directory. */
  readonly path: string;
  /** Full URLs, tried in order (mirrors). */
  readonly urls: readonly string[];
  /** Expected size of the archive in bytes, when known. */
  readonly bytes?: number;
  readonly members: readonly ArchiveMember[];
}

/** Something {@link downloadFiles} fetches. */
export type DownloadEntry = RemoteFile | RemoteArchive;

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

/** Progress of a download, reported per chunk. */
export interface DownloadProgress {
  /** `download` while bytes arrive, `extract` while a zip member is written. */
  readonly phase: 'download' | 'extract';
  /** The file, relative to the data directory. */
  readonly file: string;
  /** Bytes done so far (including bytes of a resumed `.part`). */
  readonly bytes: number;
  /** Total bytes, when known. */
  readonly totalBytes: number | undefined;
}

/** Options of {@link downloadDataset} and {@link downloadFiles}; only `dataDir` is required. */
export interface DownloadOptions {
  /** Data directory the files go into (see `defaultDataDir()`). */
  readonly dataDir: string;
  /** Fetch every file from this base URL (`<baseUrl>/<file name>`) instead of the mirrors. */
  readonly baseUrl?: string;
  /** The fetch implementation. Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Called as bytes arrive and as zip members are extracted. */
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Aborts the download; the `.part` file is kept so that the next run resumes it. */
  readonly signal?: AbortSignal;
  /** Extra rounds over the mirrors after a failure, each resuming the `.part`. Default: 3. */
  readonly retries?: number;
  /** Wait before retry round k is k times this. Default: 1000 ms. */
  readonly retryDelayMs?: number;
  /** Keep a downloaded zip archive after its members are extracted. Default: false. */
  readonly keepArchive?: boolean;
}

/** The defaults of {@link DownloadOptions}. */
export const DOWNLOAD_DEFAULTS = Object.freeze({
  retries: 3,
  retryDelayMs: 1000,
  keepArchive: false,
});

/** A file in place after a download, with its checked SHA-256. */
export interface DownloadedFile {
  /** Absolute path of the file. */
  readonly path: string;
  readonly sha256: string;
  /** False when the file was already present with the right checksum (nothing fetched). */
  readonly downloaded: boolean;
}

/** Result of {@link downloadDataset} and {@link downloadFiles}. */
export interface DownloadResult {
  readonly files: readonly DownloadedFile[];
}

interface Context {
  readonly dataDir: string;
  readonly baseUrl: string | undefined;
  readonly fetch: typeof fetch;
  readonly onProgress: ((progress: DownloadProgress) => void) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly keepArchive: boolean;
}

function resolveContext(options: DownloadOptions): Context {
  const retries = options.retries ?? DOWNLOAD_DEFAULTS.retries;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new HcrError('BAD_OPTION', `retries: expected an integer >= 0, got ${retries}`);
  }
  return {
    dataDir: options.dataDir,
    baseUrl: options.baseUrl,
    fetch: options.fetch ?? globalThis.fetch,
    onProgress: options.onProgress,
    signal: options.signal,
    retries,
    retryDelayMs: options.retryDelayMs ?? DOWNLOAD_DEFAULTS.retryDelayMs,
    keepArchive: options.keepArchive ?? DOWNLOAD_DEFAULTS.keepArchive,
  };
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

/**
 * Downloads the given entries (the work behind {@link downloadDataset}; tests pass their own
 * entries and checksums). Files are fetched one after another.
 *
 * @example
 * await downloadFiles([{ kind: 'file', path: 'x/a.gz', urls: ['https://host/a.gz'], sha256 }], { dataDir });
 */
export async function downloadFiles(
  entries: readonly DownloadEntry[],
  options: DownloadOptions,
): Promise<DownloadResult> {
  const context = resolveContext(options);
  const files: DownloadedFile[] = [];
  for (const entry of entries) {
    if (entry.kind === 'file') files.push(await downloadFile(entry, context));
    else files.push(...(await downloadArchive(entry, context)));
  }
  return { files };
}

/** The URLs of an entry, or the one under `baseUrl` when that is given. */
function urlsOf(entry: RemoteFile | RemoteArchive, context: Context): readonly string[] {
  if (context.baseUrl === undefined) return entry.urls;
  const first = entry.urls[0] ?? entry.path;
  const name = basename(new URL(first, 'file:///').pathname);
  const base = context.baseUrl.endsWith('/') ? context.baseUrl : `${context.baseUrl}/`;
  return [new URL(encodeURIComponent(name), base).toString()];
}

async function downloadFile(entry: RemoteFile, context: Context): Promise<DownloadedFile> {
  const target = join(context.dataDir, entry.path);
  if (await hasChecksum(target, entry.sha256)) {
    return { path: target, sha256: entry.sha256, downloaded: false };
  }
  // A file under the final name with the wrong checksum is not the file: remove it now, so
  // that nothing complete-looking but wrong stays while the real one downloads.
  await rm(target, { force: true });
  await mkdir(dirname(target), { recursive: true });
  const part = `${target}.part`;
  const urls = urlsOf(entry, context);
  await fetchToPart(urls, part, entry.path, entry.bytes, context);
  const actual = await sha256File(part);
  if (actual !== entry.sha256) {
    await rm(part, { force: true });
    throw new HcrError(
      'DOWNLOAD',
      `${entry.path}: SHA-256 mismatch: expected ${entry.sha256}, got ${actual} ` +
        `(downloaded from ${urls.join(' or ')}); the download was deleted`,
    );
  }
  await rename(part, target);
  return { path: target, sha256: actual, downloaded: true };
}

async function downloadArchive(entry: RemoteArchive, context: Context): Promise<DownloadedFile[]> {
  const done = new Map<string, DownloadedFile>();
  for (const member of entry.members) {
    const target = join(context.dataDir, member.path);
    if (await hasChecksum(target, member.sha256)) {
      done.set(member.path, { path: target, sha256: member.sha256, downloaded: false });
    }
  }
  const missing = entry.members.filter((member) => !done.has(member.path));
  if (missing.length > 0) {
    const archive = join(context.dataDir, entry.path);
    await mkdir(dirname(archive), { recursive: true });
    // The archive has no known checksum, so it is renamed into place once its length is
    // complete; its members are then checked one by one, and a bad archive is deleted.
    if (!(await exists(archive))) {
      const part = `${archive}.part`;
      await fetchToPart(urlsOf(entry, context), part, entry.path, entry.bytes, context);
      await rename(part, archive);
    }
    try {
      const directory = await readZipDirectory(archive, entry.path);
      for (const member of missing) {
        const found = directory.find((record) => basename(record.name) === member.name);
        if (!found) {
          throw new HcrError(
            'DOWNLOAD',
            `${entry.path}: expected a member named ${member.name}, found ` +
              `${directory.map((record) => record.name).join(', ') || 'no members'}`,
          );
        }
        done.set(member.path, await extractMember(archive, entry.path, found, member, context));
      }
    } catch (error) {
      await rm(archive, { force: true });
      throw error;
    }
    if (!context.keepArchive) await rm(archive, { force: true });
  }
  return entry.members.map((member) => done.get(member.path)!);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hasChecksum(path: string, sha256: string): Promise<boolean> {
  if (!(await exists(path))) return false;
  return (await sha256File(path)) === sha256;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/**
 * Brings `part` to the complete remote content, trying each URL in turn, for `retries` extra
 * rounds; every attempt resumes from what `part` already holds.
 */
async function fetchToPart(
  urls: readonly string[],
  part: string,
  file: string,
  expectedBytes: number | undefined,
  context: Context,
): Promise<void> {
  const failures: string[] = [];
  for (let round = 0; round <= context.retries; round++) {
    if (round > 0 && context.retryDelayMs > 0) {
      await sleep(context.retryDelayMs * round, context.signal);
    }
    for (const url of urls) {
      try {
        await fetchOnce(url, part, file, expectedBytes, context);
        return;
      } catch (error) {
        if (context.signal?.aborted) throw error;
        failures.push(`${url}: ${describe(error)}`);
      }
    }
  }
  const kept =
    (await fileSize(part)) > 0 ? `; the partial download ${part} is kept, run again to resume` : '';
  throw new HcrError(
    'DOWNLOAD',
    `${file}: download failed after ${context.retries + 1} round(s): ${failures.slice(-urls.length).join('; ')}${kept}`,
  );
}

/** `bytes a-b/total` or `bytes * /total` of a Content-Range header. */
function parseContentRange(
  header: string | null,
): { start: number | undefined; total: number | undefined } | undefined {
  const match = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === '*' || match[2] === undefined ? undefined : Number(match[2]),
  };
}

/** One request: appends to `part` (206) or rewrites it (200) until the body ends. */
async function fetchOnce(
  url: string,
  part: string,
  file: string,
  expectedBytes: number | undefined,
  context: Context,
): Promise<void> {
  let start = await fileSize(part);
  if (expectedBytes !== undefined && start > expectedBytes) {
    await rm(part, { force: true });
    start = 0;
  }
  if (expectedBytes !== undefined && start === expectedBytes) return;

  const init = { signal: context.signal };
  let response = await context.fetch(
    url,
    start > 0 ? { ...init, headers: { Range: `bytes=${start}-` } } : init,
  );
  if (response.status === 416) {
    // The part is at least as long as the remote file: complete, or stale and longer.
    const range = parseContentRange(response.headers.get('content-range'));
    await response.body?.cancel();
    if (range?.total === start) return;
    await rm(part, { force: true });
    start = 0;
    response = await context.fetch(url, init);
  }

  let total: number | undefined;
  let append: boolean;
  if (response.status === 206 && start > 0) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (range?.start !== start) {
      await response.body?.cancel();
      // Start over on the next attempt rather than stitch mismatched pieces together.
      await rm(part, { force: true });
      throw new HcrError(
        'DOWNLOAD',
        `expected Content-Range starting at byte ${start}, got '${response.headers.get('content-range')}'`,
      );
    }
    total = range.total;
    append = true;
  } else if (response.status === 200) {
    // A server that ignores Range sends the whole file again: start over.
    const length = response.headers.get('content-length');
    total = length === null ? undefined : Number(length);
    append = false;
    start = 0;
  } else {
    await response.body?.cancel();
    throw new HcrError('DOWNLOAD', `HTTP ${response.status} ${response.statusText}`.trim());
  }
  total ??= expectedBytes;
  if (!response.body) throw new HcrError('DOWNLOAD', 'the response has no body');

  const handle = await open(part, append ? 'a' : 'w');
  let bytes = start;
  try {
    for await (const chunk of response.body) {
      // Each chunk is on disk before the next is read, so the part is always a prefix.
      await handle.write(chunk);
      bytes += chunk.length;
      context.onProgress?.({ phase: 'download', file, bytes, totalBytes: total });
    }
  } finally {
    await handle.close();
  }
  if (total !== undefined && bytes !== total) {
    throw new HcrError('DOWNLOAD', `the connection ended after ${bytes} of ${total} bytes`);
  }
}

/** Streams one member out of the archive into `<path>.part`, checks CRC-32 and SHA-256, renames. */
async function extractMember(
  archive: string,
  file: string,
  record: ZipRecord,
  member: ArchiveMember,
  context: Context,
): Promise<DownloadedFile> {
  const where = `${file}:${record.name}`;
  if (record.flags & 1)
    throw new HcrError('DOWNLOAD', `${where}: encrypted members are not supported`);
  if (record.method !== 0 && record.method !== 8) {
    throw new HcrError(
      'DOWNLOAD',
      `${where}: expected compression method 0 (stored) or 8 (deflate), got ${record.method}`,
    );
  }
  const dataStart = await zipMemberDataStart(archive, file, record);

  const target = join(context.dataDir, member.path);
  const part = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  const hash = createHash('sha256');
  let crc = 0;
  let bytes = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      crc = crc32(chunk, crc);
      bytes += chunk.length;
      context.onProgress?.({ phase: 'extract', file: member.path, bytes, totalBytes: record.size });
      callback(null, chunk);
    },
  });
  try {
    const source =
      record.compressedSize === 0
        ? PassThrough.from([])
        : createReadStream(archive, {
            start: dataStart,
            end: dataStart + record.compressedSize - 1,
          });
    const decoder = record.method === 8 ? zlib.createInflateRaw() : new PassThrough();
    await pipeline(source, decoder, check, createWriteStream(part), { signal: context.signal });
  } catch (error) {
    await rm(part, { force: true });
    if (context.signal?.aborted) throw error;
    throw new HcrError('DOWNLOAD', `${where}: cannot extract: ${describe(error)}`, {
      cause: error,
    });
  }
  const actual = hash.digest('hex');
  const problem =
    bytes !== record.size
      ? `expected ${record.size} bytes, got ${bytes}`
      : crc !== record.crc32
        ? `CRC-32 mismatch: expected ${record.crc32.toString(16)}, got ${crc.toString(16)}`
        : actual !== member.sha256
          ? `SHA-256 mismatch: expected ${member.sha256}, got ${actual}`
          : undefined;
  if (problem !== undefined) {
    await rm(part, { force: true });
    throw new HcrError(
      'DOWNLOAD',
      `${member.path} (from ${where}): ${problem}; the archive was deleted`,
    );
  }
  await rename(part, target);
  return { path: target, sha256: actual, downloaded: true };
}
