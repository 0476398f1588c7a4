// Downloads files into a data directory and checks every one against its known SHA-256 (the
// work behind `hcr data download`; download.ts says what is downloaded). Each file goes to
// `<file>.part`, fetched and resumed by resumable-fetch.ts, and is renamed into place only once
// its checksum matches, so a file under its final name is always complete. A zip archive is
// fetched whole, then only the wanted members are extracted (zip.ts), each checked as it is.

import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HcrError } from '../../core/errors.js';
import { exists } from '../fs-atomic.js';
import { fetchToPart, type FetchPartOptions } from './resumable-fetch.js';
import { sha256File } from './sha256.js';
import { extractZipMember, readZipDirectory, type ZipRecord } from './zip.js';

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

/** Options of {@link downloadFiles} (and `downloadDataset`); only `dataDir` is required. */
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

/** Result of {@link downloadFiles} (and `downloadDataset`). */
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
 * Downloads the given entries (the work behind `downloadDataset` in download.ts; tests pass
 * their own entries and checksums). Files are fetched one after another.
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

/** How resumable-fetch.ts fetches `file`, reporting its bytes as `download` progress. */
function fetchOptions(file: string, context: Context): FetchPartOptions {
  const { onProgress } = context;
  return {
    fetch: context.fetch,
    signal: context.signal,
    retries: context.retries,
    retryDelayMs: context.retryDelayMs,
    onBytes: (bytes, totalBytes) => onProgress?.({ phase: 'download', file, bytes, totalBytes }),
  };
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
  await fetchToPart(urls, part, entry.path, entry.bytes, fetchOptions(entry.path, context));
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
      const options = fetchOptions(entry.path, context);
      await fetchToPart(urlsOf(entry, context), part, entry.path, entry.bytes, options);
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

async function hasChecksum(path: string, sha256: string): Promise<boolean> {
  if (!(await exists(path))) return false;
  return (await sha256File(path)) === sha256;
}

/** Extracts one member into `<path>.part` (zip.ts checks length and CRC-32), checks its SHA-256, renames. */
async function extractMember(
  archive: string,
  file: string,
  record: ZipRecord,
  member: ArchiveMember,
  context: Context,
): Promise<DownloadedFile> {
  const target = join(context.dataDir, member.path);
  const part = `${target}.part`;
  const { onProgress } = context;
  const { sha256, problem } = await extractZipMember(archive, file, record, part, {
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    onBytes: (bytes) =>
      onProgress?.({ phase: 'extract', file: member.path, bytes, totalBytes: record.size }),
  });
  const mismatch =
    problem ??
    (sha256 !== member.sha256
      ? `SHA-256 mismatch: expected ${member.sha256}, got ${sha256}`
      : undefined);
  if (mismatch !== undefined) {
    await rm(part, { force: true });
    throw new HcrError(
      'DOWNLOAD',
      `${member.path} (from ${file}:${record.name}): ${mismatch}; the archive was deleted`,
    );
  }
  await rename(part, target);
  return { path: target, sha256, downloaded: true };
}
