// Integrity of the files in the data folder, for `hcr data list` and `hcr data list --verify`.
// The quick check reads at most a few KiB of each file: an empty file, a size other than the
// published one, an IDX header that disagrees with the file's size (or, gzip-compressed, with
// the size in the gzip trailer). The full check reads every byte once, streaming: the gzip stream
// must end properly, the IDX header must agree with the decompressed payload, the SHA-256 must
// equal the published one where one is known, and the synthetic source's manifest must parse.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zlibConstants, createGunzip, inflateRawSync } from 'node:zlib';
import { isHcrError } from '../errors.js';
import { KNOWN_FILES, type ChecksumOrigin } from './checksums.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, isGzip } from './idx.js';
import { DATA_SOURCES, type DataSource } from './sources/index.js';
import { SYNTH_FILES, readSynthManifest } from './synth/files.js';
import { readAt } from './zip.js';

/** The outcome for one file. */
export interface FileCheck {
  /** Relative to the data directory. */
  readonly path: string;
  readonly optional: boolean;
  /** `missing`: not in the data folder (or not a regular file). */
  readonly status: 'ok' | 'bad' | 'missing';
  readonly bytes: number | undefined;
  /** Why the file is bad: each says what was expected and what was found. */
  readonly problems: readonly string[];
  /** Doubts that do not make the file bad (e.g. a mismatch with an unverified checksum). */
  readonly warnings: readonly string[];
  /** What was checked and passed, e.g. `gzip stream complete`, `SHA-256 (official)`. */
  readonly passed: readonly string[];
  /** The file's SHA-256 (full check only). */
  readonly sha256?: string;
  /** An IDX file's header, when it could be read. */
  readonly idx?: { readonly magic: number; readonly dims: readonly number[] };
}

/** The outcome for one source. */
export interface SourceCheck {
  readonly name: string;
  readonly description: string;
  /** True when every required file is present. */
  readonly present: boolean;
  /** `absent`: none of its required files is present; `bad`: a file is bad or some are missing. */
  readonly status: 'ok' | 'bad' | 'absent';
  /** Problems of the source as a whole (missing files of a partly present source, pair counts). */
  readonly problems: readonly string[];
  readonly files: readonly FileCheck[];
}

/** The outcome of {@link checkDataDir}. */
export interface DataDirCheck {
  readonly dataDir: string;
  /** True for the full check (every byte read), false for the quick one. */
  readonly full: boolean;
  /** False when any source is `bad`. */
  readonly ok: boolean;
  readonly sources: readonly SourceCheck[];
}

/** Progress of the full check, reported as bytes are read. */
export interface VerifyProgress {
  readonly phase: 'verify';
  readonly file: string;
  readonly bytes: number;
  readonly totalBytes: number;
}

/** Options of {@link checkDataDir}. */
export interface CheckOptions {
  /** Read every byte: gzip stream, IDX payload, SHA-256, manifest. Default: false (quick). */
  readonly full?: boolean;
  /** Called as bytes are read (full check). */
  readonly onProgress?: (progress: VerifyProgress) => void;
}

/** The defaults of {@link CheckOptions}. */
export const CHECK_DEFAULTS = Object.freeze({ full: false });

/** Bytes of a gzip file's start inflated by the quick check to find the IDX header. */
const QUICK_HEAD_BYTES = 1024;
/** Largest IDX header: magic plus 255 dimensions. */
const MAX_IDX_HEADER = 4 + 4 * 255;

/**
 * Checks the files of every source hcr knows in `dataDir` (see DATA_SOURCES), quickly or in full.
 *
 * @example
 * const result = await checkDataDir('/data', { full: true });
 * if (!result.ok) for (const s of result.sources) console.log(s.name, s.problems);
 */
export async function checkDataDir(
  dataDir: string,
  options: CheckOptions = {},
): Promise<DataDirCheck> {
  const full = options.full ?? CHECK_DEFAULTS.full;
  const sources: SourceCheck[] = [];
  // One source after another, one file after another: the full check is disk-bound.
  for (const entry of Object.values(DATA_SOURCES) as DataSource[]) {
    const files: FileCheck[] = [];
    const wanted = [
      ...entry.files.map((path) => ({ path, optional: false })),
      ...entry.optionalFiles.map((path) => ({ path, optional: true })),
    ];
    for (const { path, optional } of wanted) {
      files.push(await checkFile(dataDir, path, optional, full, options.onProgress));
    }
    if (full && entry.name === 'synth') await checkSynthManifest(dataDir, files);
    sources.push(summarize(entry, files));
  }
  return { dataDir, full, ok: sources.every((s) => s.status !== 'bad'), sources };
}

function summarize(entry: DataSource, files: readonly FileCheck[]): SourceCheck {
  const required = files.filter((f) => !f.optional);
  const missing = required.filter((f) => f.status === 'missing');
  const presentFiles = files.filter((f) => f.status !== 'missing');
  const problems: string[] = [];
  if (missing.length > 0 && presentFiles.length > 0) {
    problems.push(
      `incomplete: ${missing.length} of ${required.length} required files missing (${missing.map((f) => f.path).join(', ')})`,
    );
  }
  problems.push(...pairProblems(files));
  const bad = problems.length > 0 || files.some((f) => f.status === 'bad');
  return {
    name: entry.name,
    description: entry.description,
    present: missing.length === 0,
    status: bad ? 'bad' : presentFiles.length === 0 ? 'absent' : 'ok',
    problems,
    files,
  };
}

// An images file and its labels file must count the same images.
function pairProblems(files: readonly FileCheck[]): string[] {
  const problems: string[] = [];
  for (const images of files) {
    if (images.idx?.magic !== IDX_IMAGES_MAGIC || images.status !== 'ok') continue;
    const labelsPath = images.path.replace('-images-idx3-', '-labels-idx1-');
    const labels = files.find((f) => f.path === labelsPath);
    if (labels?.idx?.magic !== IDX_LABELS_MAGIC || labels.status !== 'ok') continue;
    if (images.idx.dims[0] !== labels.idx.dims[0]) {
      problems.push(
        `${images.path} holds ${images.idx.dims[0]} images but ${labels.path} holds ${labels.idx.dims[0]} labels`,
      );
    }
  }
  return problems;
}

async function checkSynthManifest(dataDir: string, files: FileCheck[]): Promise<void> {
  const k = files.findIndex((f) => f.path === SYNTH_FILES.manifest);
  const file = files[k];
  if (!file || file.status !== 'ok') return;
  try {
    await readSynthManifest(dataDir);
    files[k] = { ...file, passed: [...file.passed, 'synth manifest'] };
  } catch (error) {
    if (!isHcrError(error)) throw error;
    files[k] = { ...file, status: 'bad', problems: [...file.problems, error.message] };
  }
}

/** What the name of an IDX file says its magic is: `-idx3-ubyte` → 2051, `-idx1-ubyte` → 2049. */
function idxMagicOf(path: string): number | undefined {
  const match = /-idx(\d)-ubyte(\.gz)?$/.exec(path);
  return match ? 0x0800 + Number(match[1]) : undefined;
}

async function checkFile(
  dataDir: string,
  path: string,
  optional: boolean,
  full: boolean,
  onProgress: CheckOptions['onProgress'],
): Promise<FileCheck> {
  const absolute = join(dataDir, path);
  let bytes: number;
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new Error('not a file');
    bytes = info.size;
  } catch {
    return {
      path,
      optional,
      status: 'missing',
      bytes: undefined,
      problems: [],
      warnings: [],
      passed: [],
    };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const passed: string[] = [];
  const known = KNOWN_FILES[path];
  if (bytes === 0) problems.push('empty file: expected data, found 0 bytes');
  if (known?.bytes !== undefined && bytes !== known.bytes) {
    const message = `expected ${known.bytes} bytes (${describeOrigin(known.origin)}), found ${bytes}`;
    (known.origin === 'unverified' ? warnings : problems).push(message);
  } else if (known?.bytes !== undefined) {
    passed.push('size');
  }
  const expectMagic = idxMagicOf(path);
  let idx: FileCheck['idx'];
  let sha256: string | undefined;
  if (bytes > 0) {
    const result = full
      ? await readWhole(absolute, path, bytes, expectMagic, onProgress)
      : await readQuick(absolute, bytes, expectMagic);
    problems.push(...result.problems);
    passed.push(...result.passed);
    idx = result.idx;
    sha256 = result.sha256;
  }
  if (known && sha256 !== undefined) {
    if (sha256 === known.sha256) {
      passed.push(`SHA-256 (${describeOrigin(known.origin)})`);
    } else {
      const message = `expected SHA-256 ${known.sha256} (${describeOrigin(known.origin)}), found ${sha256}`;
      (known.origin === 'unverified' ? warnings : problems).push(message);
    }
  }
  return {
    path,
    optional,
    status: problems.length > 0 ? 'bad' : 'ok',
    bytes,
    problems,
    warnings,
    passed,
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(idx === undefined ? {} : { idx }),
  };
}

function describeOrigin(origin: ChecksumOrigin): string {
  if (origin === 'official') return 'published';
  if (origin === 'conversion') return 'as recorded at conversion';
  return 'third-party value, unverified';
}

interface ReadResult {
  readonly problems: string[];
  readonly passed: string[];
  readonly idx?: { magic: number; dims: number[] };
  readonly sha256?: string;
}

/** An IDX header read from the start of a file's (decompressed) content. */
type Header =
  | {
      readonly ok: true;
      readonly magic: number;
      readonly dims: number[];
      readonly headerBytes: number;
    }
  | { readonly ok: false; readonly problem: string };

function readHeader(head: Uint8Array, expectMagic: number, complete: boolean): Header {
  if (head.length < 4) {
    return { ok: false, problem: `expected an IDX header, found ${head.length} bytes` };
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expectMagic) {
    return { ok: false, problem: `expected IDX magic ${expectMagic}, found ${magic}` };
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) {
    return complete
      ? {
          ok: false,
          problem: `expected a ${headerBytes}-byte IDX header, found ${head.length} bytes`,
        }
      : {
          ok: false,
          problem: `expected a ${headerBytes}-byte IDX header at the start of the gzip stream, found ${head.length} bytes`,
        };
  }
  const dims = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d));
  return { ok: true, magic, dims, headerBytes };
}

function describeDims(magic: number, dims: readonly number[]): string {
  if (magic === IDX_IMAGES_MAGIC) return `${dims[0]} images of ${dims[1]}x${dims[2]}`;
  if (magic === IDX_LABELS_MAGIC) return `${dims[0]} labels`;
  return `dimensions ${dims.join('x')}`;
}

/** Total size an IDX file's header says the file has (header plus payload). */
function idxSize(header: Extract<Header, { ok: true }>): number {
  return header.headerBytes + header.dims.reduce((a, b) => a * b, 1);
}

async function readQuick(
  path: string,
  bytes: number,
  expectMagic: number | undefined,
): Promise<ReadResult> {
  if (expectMagic === undefined) return { problems: [], passed: [] };
  const head = await readAt(path, 0, Math.min(bytes, QUICK_HEAD_BYTES));
  if (!isGzip(head)) {
    const header = readHeader(head, expectMagic, true);
    if (!header.ok) return { problems: [header.problem], passed: [] };
    const idx = { magic: header.magic, dims: header.dims };
    const expected = idxSize(header);
    return expected === bytes
      ? { problems: [], passed: ['IDX header against size'], idx }
      : {
          problems: [
            `IDX header says ${describeDims(header.magic, header.dims)} = ${expected} bytes, found ${bytes}`,
          ],
          passed: [],
          idx,
        };
  }
  // gzip: inflate what the first bytes hold to read the header, and compare the size it implies
  // with the trailer's ISIZE (the uncompressed size mod 2^32) — a truncated file's last four bytes
  // are compressed data, which almost never match.
  const start = gzipDataStart(head);
  let inflated: Buffer;
  try {
    inflated =
      start === undefined
        ? Buffer.alloc(0)
        : inflateRawSync(head.subarray(start), {
            finishFlush: zlibConstants.Z_SYNC_FLUSH,
            // deflate expands at most 1032:1, so the head cannot exceed this
            maxOutputLength: 2 * 2 ** 20,
          });
  } catch (error) {
    return {
      problems: [`gzip stream is corrupt at its start (${(error as Error).message})`],
      passed: [],
    };
  }
  const header = readHeader(inflated, expectMagic, false);
  if (!header.ok) return { problems: [header.problem], passed: [] };
  const idx = { magic: header.magic, dims: header.dims };
  if (bytes < 18) {
    return {
      problems: [`expected a gzip stream of at least 18 bytes, found ${bytes}`],
      passed: [],
      idx,
    };
  }
  const trailer = await readAt(path, bytes - 4, 4);
  const isize = trailer.readUInt32LE(0);
  const expected = idxSize(header);
  if (isize !== expected % 2 ** 32) {
    return {
      problems: [
        `IDX header says ${describeDims(header.magic, header.dims)} = ${expected} bytes, the gzip trailer says ${isize}: truncated or not one gzip stream (--verify reads it whole)`,
      ],
      passed: [],
      idx,
    };
  }
  return { problems: [], passed: ['IDX header against gzip trailer'], idx };
}

/** Offset of the deflate data in a gzip member (after the optional fields), if the head holds it. */
function gzipDataStart(head: Uint8Array): number | undefined {
  if (head.length < 10 || head[2] !== 8) return undefined;
  const flags = head[3]!;
  let at = 10;
  if (flags & 4) {
    if (at + 2 > head.length) return undefined;
    at += 2 + (head[at]! | (head[at + 1]! << 8));
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    while (at < head.length && head[at] !== 0) at++;
    at++;
  }
  if (flags & 2) at += 2;
  return at < head.length ? at : undefined;
}

async function readWhole(
  path: string,
  name: string,
  bytes: number,
  expectMagic: number | undefined,
  onProgress: CheckOptions['onProgress'],
): Promise<ReadResult> {
  const hash = createHash('sha256');
  const first = await readAt(path, 0, 2);
  const gzip = isGzip(first);
  const head: Buffer[] = [];
  let headLength = 0;
  let content = 0;
  const take = (chunk: Buffer) => {
    content += chunk.length;
    if (headLength < MAX_IDX_HEADER) {
      head.push(chunk.subarray(0, MAX_IDX_HEADER - headLength));
      headLength += Math.min(chunk.length, MAX_IDX_HEADER - headLength);
    }
  };
  let read = 0;
  let gzipProblem: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const input = createReadStream(path);
    const gunzip = gzip ? createGunzip() : undefined;
    input.on('data', (chunk) => {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      read += buffer.length;
      onProgress?.({ phase: 'verify', file: name, bytes: read, totalBytes: bytes });
      if (!gunzip) take(buffer);
    });
    input.on('error', reject);
    if (!gunzip) {
      input.on('end', resolve);
      return;
    }
    gunzip.on('data', (chunk: Buffer) => take(chunk));
    gunzip.on('error', (error) => {
      gzipProblem = `gzip stream is truncated or corrupt: ${error.message} after ${content} decompressed bytes`;
      input.destroy();
      resolve();
    });
    gunzip.on('end', resolve);
    input.pipe(gunzip);
  });
  const problems: string[] = [];
  const passed: string[] = [];
  // Hash the rest of a file whose gzip stream failed part way, so that its SHA-256 is whole too.
  if (gzipProblem !== undefined) {
    problems.push(gzipProblem);
    if (read < bytes) {
      for await (const chunk of createReadStream(path, { start: read }))
        hash.update(chunk as Buffer);
    }
  } else if (gzip) {
    passed.push('gzip stream complete');
  }
  let idx: ReadResult['idx'];
  if (expectMagic !== undefined && gzipProblem === undefined) {
    const header = readHeader(Buffer.concat(head), expectMagic, true);
    if (!header.ok) {
      problems.push(header.problem);
    } else {
      idx = { magic: header.magic, dims: header.dims };
      const expected = idxSize(header);
      if (expected === content) {
        passed.push('IDX header against payload');
      } else {
        problems.push(
          `IDX header says ${describeDims(header.magic, header.dims)} = ${expected} bytes, found ${content}${gzip ? ' decompressed' : ''}`,
        );
      }
    }
  }
  return { problems, passed, sha256: hash.digest('hex'), ...(idx ? { idx } : {}) };
}
