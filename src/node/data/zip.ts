// A reader for zip archives, as far as `hcr data download` needs one: core's zip parsing
// (src/core/zip.ts: the central directory, ZIP64 included, and where a member's data starts) over
// positioned reads of the file, zip's CRC-32, and a member streamed out to a file (stored or
// deflated) and checked against its record, so an archive of gigabytes is never held in memory.
// The positioned read, readAt, also serves verify.ts, which reads IDX headers and gzip trailers
// the same way.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { HcrError } from '../../core/errors.js';
import { crc32 as crc32Js } from '../../core/crc32.js';
import {
  readZipRecords,
  zipDataStart,
  type ZipFailure,
  type ZipRead,
  type ZipRecord,
} from '../../core/zip.js';
import { describeError } from './files.js';

export type { ZipRecord } from '../../core/zip.js';

/**
 * Up to `length` bytes of the file at `path` from `position` (fewer at its end), opening the
 * file for just that read.
 *
 * @example
 * const trailer = await readAt('/data/mnist/train-labels-idx1-ubyte.gz', size - 4, 4);
 */
export async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Reads of the file at `path`, each opening it for just that read. */
function readsOf(path: string): ZipRead {
  return (position, length) => readAt(path, position, length);
}

function zipFailure(file: string): ZipFailure {
  return (reason) => new HcrError('DOWNLOAD', `${file}: not a complete zip archive: ${reason}`);
}

/**
 * Reads the central directory of a zip file (ZIP64 included), without reading the members.
 * `file` names the archive in errors (`DOWNLOAD`: not a complete zip archive).
 *
 * @example
 * const records = await readZipDirectory('/data/emnist/gzip.zip', 'emnist/gzip.zip');
 */
export async function readZipDirectory(path: string, file: string): Promise<ZipRecord[]> {
  return readZipRecords(readsOf(path), (await stat(path)).size, zipFailure(file));
}

/**
 * CRC-32 (zip's) of `data` continuing from `crc`; uses zlib's when Node has it (>= 20.15).
 *
 * @example
 * crc32(new TextEncoder().encode('123456789'), 0); // 0xcbf43926
 */
export function crc32(data: Uint8Array, crc: number): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  return native ? native(data, crc) : crc32Js(data, crc);
}

/**
 * Where the data of `record` starts in the archive: after its local header, whose name and
 * extra field may differ in length from the central directory's.
 *
 * @example
 * const start = await zipMemberDataStart(archive, 'emnist/gzip.zip', record);
 */
export function zipMemberDataStart(path: string, file: string, record: ZipRecord): Promise<number> {
  return zipDataStart(readsOf(path), record, zipFailure(file));
}

/** Options of {@link extractZipMember}. */
export interface ExtractMemberOptions {
  /** Aborts the extraction (the output is removed). Default: none. */
  readonly signal?: AbortSignal;
  /** Called after each chunk written, with the bytes written so far. Default: none. */
  readonly onBytes?: (bytes: number) => void;
}

/** A member written out by {@link extractZipMember}. */
export interface ExtractedMember {
  /** SHA-256 of what was written. */
  readonly sha256: string;
  /** What disagrees with the member's record (its length, then its CRC-32), or undefined. */
  readonly problem: string | undefined;
}

/**
 * Streams the member `record` of the archive at `path` into the file `out` (its folder is
 * created), inflating a deflated member, and checks what was written against the record's length
 * and CRC-32; the output stays for the caller to rename or remove. `file` names the archive in
 * errors.
 *
 * @throws HcrError DOWNLOAD for an encrypted member, a compression other than stored or
 *   deflate, or a stream that fails (the output is then removed)
 * @example
 * const { sha256, problem } = await extractZipMember(zip, 'emnist/gzip.zip', record, `${target}.part`);
 */
export async function extractZipMember(
  path: string,
  file: string,
  record: ZipRecord,
  out: string,
  options: ExtractMemberOptions = {},
): Promise<ExtractedMember> {
  const where = `${file}:${record.name}`;
  if (record.flags & 1)
    throw new HcrError('DOWNLOAD', `${where}: encrypted members are not supported`);
  if (record.method !== 0 && record.method !== 8) {
    throw new HcrError(
      'DOWNLOAD',
      `${where}: expected compression method 0 (stored) or 8 (deflate), got ${record.method}`,
    );
  }
  const dataStart = await zipMemberDataStart(path, file, record);

  await mkdir(dirname(out), { recursive: true });
  const hash = createHash('sha256');
  let crc = 0;
  let bytes = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      crc = crc32(chunk, crc);
      bytes += chunk.length;
      options.onBytes?.(bytes);
      callback(null, chunk);
    },
  });
  try {
    const source =
      record.compressedSize === 0
        ? PassThrough.from([])
        : createReadStream(path, {
            start: dataStart,
            end: dataStart + record.compressedSize - 1,
          });
    const decoder = record.method === 8 ? zlib.createInflateRaw() : new PassThrough();
    await pipeline(source, decoder, check, createWriteStream(out), { signal: options.signal });
  } catch (error) {
    await rm(out, { force: true });
    if (options.signal?.aborted) throw error;
    throw new HcrError('DOWNLOAD', `${where}: cannot extract: ${describeError(error)}`, {
      cause: error,
    });
  }
  const problem =
    bytes !== record.size
      ? `expected ${record.size} bytes, got ${bytes}`
      : crc !== record.crc32
        ? `CRC-32 mismatch: expected ${record.crc32.toString(16)}, got ${crc.toString(16)}`
        : undefined;
  return { sha256: hash.digest('hex'), problem };
}
