// Parsed datasets cached in a compact binary form, keyed by the SHA-256 of their source files
// and a variant string (parser, options and their version), so that a second run loads 442k
// images with one read instead of re-parsing 700 MB of CSV or re-normalizing EMNIST.
//
// File `<cacheDir>/datasets/<key>.hcrds`:
//   'HCRDS1\n\0' | u32 LE header length | header JSON (space-padded to 8-byte alignment)
//   | images (N*784) | labels (N) | zero padding to 4 bytes | groups (N int32 LE, optional)
// The header records the payload's length and SHA-256; a file that does not match is never
// trusted: it is reported and rebuilt.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { IMAGE_PIXELS, type Dataset } from '../../core/types.js';
import { LABEL_SETS, sourceLabelSet, type LabelSet } from '../../core/label-sets.js';
import { HcrError } from '../errors.js';
import { displayName, isErrno, writePartsAtomic } from './files.js';
import { sha256File } from './sha256.js';

/** The first 8 bytes of a cache file. */
export const DATASET_CACHE_MAGIC = 'HCRDS1\n\0';
/** Version of the cache layout; part of every key, so a new layout never reads an old file. */
export const DATASET_CACHE_FORMAT = 1;
/** File extension of a cached dataset. */
export const DATASET_CACHE_EXTENSION = '.hcrds';

/** What identifies a cached dataset: the content of its sources and how they were parsed. */
export interface DatasetCacheKey {
  /** Source file paths; their SHA-256 (not their paths) enter the key, in this order. */
  readonly sources: readonly string[];
  /**
   * The parser, its options and its version, e.g. `emnist:transposed:renorm:v1`. Change it
   * whenever the loader's output would change.
   */
  readonly variant: string;
}

/** What {@link cachedDataset} did, for logs. */
export type DatasetCacheEvent =
  | { readonly kind: 'hit'; readonly file: string }
  | { readonly kind: 'miss'; readonly file: string }
  | { readonly kind: 'corrupt'; readonly file: string; readonly reason: string }
  | { readonly kind: 'written'; readonly file: string; readonly bytes: number }
  | { readonly kind: 'write-failed'; readonly file: string; readonly reason: string };

/** Options of {@link cachedDataset}. */
export interface CachedDatasetOptions {
  /** Told whether the cache was used, rebuilt or could not be written. Default: none. */
  readonly onEvent?: (event: DatasetCacheEvent) => void;
}

interface CacheHeader {
  readonly format: number;
  readonly name: string;
  readonly count: number;
  readonly labelSet: { readonly name: string; readonly classes: readonly string[] };
  readonly hasGroups: boolean;
  readonly payloadBytes: number;
  readonly sha256: string;
}

const PREFIX_BYTES = 12;

/**
 * Returns the dataset cached for `key` in `cacheDir`, or calls `load`, caches its result and
 * returns it. A cache file that is truncated or corrupt is ignored and rebuilt; a cache that
 * cannot be written (read-only folder, full disk) does not fail the load (see `onEvent`).
 * Source hashes are remembered in `<cacheDir>/hashes.json`, so a second run reads no source.
 *
 * @example
 * const ds = await cachedDataset(
 *   { sources: [images, labels, mapping], variant: 'emnist:transposed:renorm:v1' },
 *   cacheDir,
 *   () => loadEmnist(images, labels, mapping),
 * );
 */
export async function cachedDataset(
  key: DatasetCacheKey,
  cacheDir: string,
  load: () => Promise<Dataset>,
  options: CachedDatasetOptions = {},
): Promise<Dataset> {
  const file = await datasetCachePath(key, cacheDir);
  const emit = options.onEvent ?? (() => undefined);
  try {
    const cached = await readDatasetCache(file);
    if (cached) {
      emit({ kind: 'hit', file });
      return cached;
    }
    emit({ kind: 'miss', file });
  } catch (error) {
    if (!(error instanceof HcrError)) throw error;
    emit({ kind: 'corrupt', file, reason: error.message });
  }
  const dataset = await load();
  try {
    const bytes = await writeDatasetCache(file, dataset);
    emit({ kind: 'written', file, bytes });
  } catch (error) {
    emit({
      kind: 'write-failed',
      file,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  return dataset;
}

/**
 * The cache file of `key`: `<cacheDir>/datasets/<sha256 of format, variant and source hashes>.hcrds`.
 * Hashes the sources (remembered in `<cacheDir>/hashes.json`).
 *
 * @example
 * await datasetCachePath({ sources: ['a.csv'], variant: 'csv:v1' }, '/tmp/c'); // '/tmp/c/datasets/9f...hcrds'
 */
export async function datasetCachePath(key: DatasetCacheKey, cacheDir: string): Promise<string> {
  const hashes = await Promise.all(key.sources.map((source) => sha256File(source, { cacheDir })));
  const id = createHash('sha256')
    .update(JSON.stringify({ format: DATASET_CACHE_FORMAT, variant: key.variant, sources: hashes }))
    .digest('hex');
  return join(cacheDir, 'datasets', `${id}${DATASET_CACHE_EXTENSION}`);
}

/**
 * Writes a dataset in the cache format, atomically (temporary file, then rename). Returns the
 * file's size in bytes.
 *
 * @example
 * await writeDatasetCache('/tmp/mnist.hcrds', mnistTrain);
 */
export async function writeDatasetCache(file: string, dataset: Dataset): Promise<number> {
  const count = dataset.labels.length;
  if (dataset.images.length !== count * IMAGE_PIXELS) {
    throw new HcrError(
      'BAD_DATA',
      `${dataset.name}: ${count} labels need ${count * IMAGE_PIXELS} image bytes, got ${dataset.images.length}`,
    );
  }
  if (dataset.groups && dataset.groups.length !== count) {
    throw new HcrError(
      'BAD_DATA',
      `${dataset.name}: ${count} labels need ${count} groups, got ${dataset.groups.length}`,
    );
  }
  const padding = new Uint8Array(padTo(count, 4));
  const groups = dataset.groups ? int32LittleEndian(dataset.groups) : new Uint8Array(0);
  const payload = [dataset.images, dataset.labels, padding, groups];
  const hash = createHash('sha256');
  for (const part of payload) hash.update(part);
  const header: CacheHeader = {
    format: DATASET_CACHE_FORMAT,
    name: dataset.name,
    count,
    labelSet: { name: dataset.labelSet.name, classes: [...dataset.labelSet.classes] },
    hasGroups: dataset.groups !== undefined,
    payloadBytes: payload.reduce((sum, part) => sum + part.length, 0),
    sha256: hash.digest('hex'),
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  // Pad the header so the payload starts 8-byte aligned (the groups view needs 4).
  const pad = padTo(PREFIX_BYTES + json.length, 8);
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(DATASET_CACHE_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 8);
  await writePartsAtomic(file, [prefix, json, ...payload]);
  return PREFIX_BYTES + json.length + header.payloadBytes;
}

/**
 * Reads a cached dataset with one read and no copies (the arrays are views of the file's
 * buffer). Returns undefined when the file does not exist; a file that is truncated, corrupt
 * or of another format throws `BAD_DATA` saying why.
 *
 * @example
 * const ds = await readDatasetCache('/tmp/mnist.hcrds'); // Dataset | undefined
 */
export async function readDatasetCache(file: string): Promise<Dataset | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
    const reason = error instanceof Error ? error.message : String(error);
    throw new HcrError('BAD_DATA', `${displayName(file)}: cannot read the cache (${reason})`);
  }
  const name = displayName(file);
  const fail = (reason: string): never => {
    throw new HcrError('BAD_DATA', `${name}: ${reason}`);
  };
  if (bytes.length < PREFIX_BYTES || bytes.toString('latin1', 0, 8) !== DATASET_CACHE_MAGIC) {
    fail(`expected a dataset cache starting with ${JSON.stringify(DATASET_CACHE_MAGIC)}`);
  }
  const headerBytes = bytes.readUInt32LE(8);
  if (PREFIX_BYTES + headerBytes > bytes.length) {
    fail(`header of ${headerBytes} bytes runs past the end of the file (${bytes.length} bytes)`);
  }
  const header = parseHeader(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerBytes));
  if (header === undefined) return fail('header is not a valid dataset cache header');
  const start = PREFIX_BYTES + headerBytes;
  const { count } = header;
  const groupsBytes = header.hasGroups ? 4 * count : 0;
  const expected = count * IMAGE_PIXELS + count + padTo(count, 4) + groupsBytes;
  if (header.payloadBytes !== expected || bytes.length - start !== expected) {
    fail(
      `expected ${expected} bytes of data for ${count} images, file has ${bytes.length - start}`,
    );
  }
  const payload = bytes.subarray(start);
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) {
    fail('checksum of the data does not match its header (file is corrupt)');
  }
  const base = bytes.byteOffset + start;
  const images = new Uint8Array(bytes.buffer, base, count * IMAGE_PIXELS);
  const labels = new Uint8Array(bytes.buffer, base + count * IMAGE_PIXELS, count);
  const classCount = header.labelSet.classes.length;
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= classCount)
      fail(`label ${labels[i]} at index ${i} is not below ${classCount}`);
  }
  const dataset: Dataset = {
    name: header.name,
    images,
    labels,
    labelSet: restoreLabelSet(header.labelSet),
  };
  if (!header.hasGroups) return dataset;
  const groupsOffset = base + expected - groupsBytes;
  const groups =
    groupsOffset % 4 === 0 && endianness() === 'LE'
      ? new Int32Array(bytes.buffer, groupsOffset, count)
      : readInt32LittleEndian(new Uint8Array(bytes.buffer, groupsOffset, groupsBytes), count);
  return { ...dataset, groups };
}

function parseHeader(text: string): CacheHeader | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const header = value as Partial<Record<keyof CacheHeader, unknown>>;
  const labelSet = header.labelSet as { name?: unknown; classes?: unknown } | null | undefined;
  const valid =
    header.format === DATASET_CACHE_FORMAT &&
    typeof header.name === 'string' &&
    Number.isSafeInteger(header.count) &&
    (header.count as number) >= 0 &&
    typeof header.hasGroups === 'boolean' &&
    Number.isSafeInteger(header.payloadBytes) &&
    typeof header.sha256 === 'string' &&
    typeof labelSet === 'object' &&
    labelSet !== null &&
    typeof labelSet.name === 'string' &&
    Array.isArray(labelSet.classes) &&
    labelSet.classes.length > 0 &&
    labelSet.classes.length <= 256 &&
    labelSet.classes.every((c) => typeof c === 'string');
  return valid ? (header as CacheHeader) : undefined;
}

// A named label set comes back as the registered (frozen) object, so identity checks and
// lookups by name keep working; any other comes back as a source label set.
function restoreLabelSet(stored: CacheHeader['labelSet']): LabelSet {
  const registered: LabelSet | undefined = (LABEL_SETS as Readonly<Record<string, LabelSet>>)[
    stored.name
  ];
  if (
    registered &&
    Object.prototype.hasOwnProperty.call(LABEL_SETS, stored.name) &&
    registered.classes.length === stored.classes.length &&
    registered.classes.every((c, i) => c === stored.classes[i])
  ) {
    return registered;
  }
  return sourceLabelSet(stored.name, stored.classes);
}

function padTo(length: number, alignment: number): number {
  return (alignment - (length % alignment)) % alignment;
}

function int32LittleEndian(values: Int32Array): Uint8Array {
  if (endianness() === 'LE')
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return out;
}

function readInt32LittleEndian(bytes: Uint8Array, count: number): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}
