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
import { KAGGLE_DATASETS, PUBLIC_DATASETS } from './download.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, isGzip } from './idx.js';
import { DATA_SOURCES, type DataSource } from './sources/index.js';
import { SYNTH_FILES, readSynthManifest } from './synth/files.js';
import { readAt } from './zip.js';

/** Where a known SHA-256 comes from. */
export type ChecksumOrigin =
  /** The publisher's own checksum (MNIST, EMNIST). */
  | 'official'
  /** Recorded when the file was converted for this project (the data sources document). */
  | 'conversion'
  /** A third party's value that nobody has checked (e.g. a Git LFS pointer); a mismatch only warns. */
  | 'unverified';

/** What is known of a file in advance: its SHA-256 and size. */
export interface KnownFile {
  readonly sha256: string;
  readonly bytes: number | undefined;
  readonly origin: ChecksumOrigin;
}

// The conversions' sizes and SHA-256, as the data sources document (SOURCES.md) records them.
const CONVERTED: readonly (readonly [string, number, string])[] = [
  [
    'unipen/unipen-1b-uppercase-images-idx3-ubyte.gz',
    3763268,
    'a020aae13967622a70133c045a5ea5b4da4abb167fac284086c398ed06af54fd',
  ],
  [
    'unipen/unipen-1b-uppercase-labels-idx1-ubyte.gz',
    8900,
    '385940e7fbc194ff53abf33aedb264f353cac71cb0fcf9be980d0ab8953f1090',
  ],
  [
    'unipen/unipen-1b-uppercase-metadata.csv.gz',
    215797,
    'a1c82b661814c076fb33240d17678f7bf990702cb94b98af1735c2803883c732',
  ],
  [
    'unipen/unipen-1c-lowercase-images-idx3-ubyte.gz',
    7646840,
    '4170ba7a3f9606480fa46456dcbabd26675297fc89fb605120065db70e68facc',
  ],
  [
    'unipen/unipen-1c-lowercase-labels-idx1-ubyte.gz',
    16392,
    '89af795f8139a02d5ef2f97500e63c1720578b7a3f8343eb2aa5bdf46d11a761',
  ],
  [
    'unipen/unipen-1c-lowercase-metadata.csv.gz',
    445130,
    'f6a02d07eed54075d27bc4fe52caa7a7c91be632ab6ded10e12467934ed443a4',
  ],
  [
    'unipen/unipen-1a-digits-images-idx3-ubyte.gz',
    2051415,
    'a448fb7bc798e2b485be73bc4a9dc10525ebd77d1da37734d4a9269b5b3e5098',
  ],
  [
    'unipen/unipen-1a-digits-labels-idx1-ubyte.gz',
    4888,
    '8c3702eb30d905b09bce9b5ee7b685a96e45254af35b2e98171af037ebbb0ab2',
  ],
  [
    'unipen/unipen-1a-digits-metadata.csv.gz',
    113085,
    'f8c367cc5b2115c930a15e2fb096911c7f12929bde66a6bdf6b7e2e0151ef41d',
  ],
  [
    'unipen/unipen-byclass-mapping.txt',
    447,
    '68fa9091ed325830418b5a8d732f32316e54a480b9f8994a161abb4eddd0d078',
  ],
  [
    'chars74k-hnd/chars74k-hnd-images-idx3-ubyte.gz',
    399367,
    'b666fe1b9288eede9acf81f057a55fe269996e273d913da8e986b132a1661c0f',
  ],
  [
    'chars74k-hnd/chars74k-hnd-labels-idx1-ubyte.gz',
    148,
    'c4cf337f645b10e46678a7e8de366efb5187a7d7e3c10413fd7748ee20b496e8',
  ],
  [
    'chars74k-hnd/chars74k-hnd-byclass-mapping.txt',
    447,
    '68fa9091ed325830418b5a8d732f32316e54a480b9f8994a161abb4eddd0d078',
  ],
  [
    'emnist-partial/emnist-letters-test-AtoS-images-idx3-ubyte.gz',
    3615826,
    '906b49ee09edbc1c33844a8a8225c464d8bc9594f791694f621f055046a1a0cc',
  ],
  [
    'emnist-partial/emnist-letters-test-AtoS-labels-idx1-ubyte.gz',
    134,
    '699af7bde33946cc64196332e48b4fad216ff44583e4bce60529dbd375c1f097',
  ],
  [
    'emnist-partial/emnist-letters-train-85264to88799-images-idx3-ubyte.gz',
    883777,
    '36f81e012eb024252bceb72f142eb32a619bbe60faf5dc3199740203ed633587',
  ],
  [
    'emnist-partial/emnist-letters-train-85264to88799-labels-idx1-ubyte.gz',
    2276,
    '6f577916649532fe3fbc41d29701efd616b6e1100a07279065dae57d93b5a011',
  ],
  [
    'emnist-partial/emnist-balanced-train-103680to112799-images-idx3-ubyte.gz',
    2290494,
    'c56de5b132cfcb9a38c2b0df06caddcdbc4d1f6c55f3804e6097c91dbf72ed3d',
  ],
  [
    'emnist-partial/emnist-balanced-train-103680to112799-labels-idx1-ubyte.gz',
    6585,
    '20693a1241c79f06eee1075dd6ef38cbe842f44fe860ffb446b5ee24d966742f',
  ],
  [
    'emnist-partial/emnist-balanced-test-18496to18799-images-idx3-ubyte.gz',
    77998,
    'e265d47b32193ae738878d98696530eecab606e58bebdfdc2bd73e414f63cd58',
  ],
  [
    'emnist-partial/emnist-balanced-test-18496to18799-labels-idx1-ubyte.gz',
    312,
    'a9dc8a4b59f1b582a8e3a410674d7041be8a9f4e00b1ac1d0879e77f38577e0f',
  ],
  [
    'emnist-partial/emnist-letters-mapping.txt',
    274,
    'a56cb9a31c08e3251a61ea7b1ec8bc4f4cabdc1edf3128508d3a485ad53fa456',
  ],
  [
    'emnist-partial/emnist-balanced-mapping.txt',
    328,
    '956dc507bf69e9f31f4e3e876d22ec66124aa229b5d0bd65ab8956a8044d3ede',
  ],
  [
    'emnist-partial/emnist-partial-overlap-with-byclass-test.csv',
    171437,
    'bd5794b155d4dfff6517c51dc4096e7b5ee6748ac6eae898294ac22c39e10111',
  ],
];

function knownFiles(): Readonly<Record<string, KnownFile>> {
  const known: Record<string, KnownFile> = {};
  for (const dataset of Object.values(PUBLIC_DATASETS)) {
    for (const entry of dataset.entries) {
      const files = entry.kind === 'file' ? [entry] : entry.members;
      for (const f of files) {
        known[f.path] = Object.freeze({ sha256: f.sha256, bytes: f.bytes, origin: 'official' });
      }
    }
  }
  for (const dataset of Object.values(KAGGLE_DATASETS)) {
    for (const f of dataset.files) {
      if (f.sha256 === undefined) continue;
      known[f.path] = Object.freeze({
        sha256: f.sha256,
        bytes: f.bytes,
        origin: f.verified ? 'official' : 'unverified',
      });
    }
  }
  for (const [path, bytes, sha256] of CONVERTED) {
    known[path] = Object.freeze({ sha256, bytes, origin: 'conversion' });
  }
  return Object.freeze(known);
}

/**
 * The SHA-256 and size of every data-folder file whose content is known in advance (relative
 * path → facts): the official MNIST and EMNIST files (from `hcr data download`'s catalogue),
 * the Kaggle A-Z CSV (an unverified third-party value) and the project's conversions (UNIPEN,
 * Chars74K, EMNIST pieces) as the data sources document records them. Generated files (`synth`)
 * and the Kaggle MNIST CSVs have none.
 *
 * @example
 * KNOWN_FILES['mnist/t10k-labels-idx1-ubyte.gz'].bytes; // 4542
 */
export const KNOWN_FILES: Readonly<Record<string, KnownFile>> = knownFiles();

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
