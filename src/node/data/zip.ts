// A reader for zip archives, as far as `hcr data download` needs one: core's zip parsing
// (src/core/zip.ts: the central directory, ZIP64 included, and where a member's data starts) over
// positioned reads of the file, and zip's CRC-32. Members are streamed out by the caller (stored
// or deflated), so an archive of gigabytes is never held in memory. The positioned read, readAt,
// also serves verify.ts, which reads IDX headers and gzip trailers the same way.

import { open, stat } from 'node:fs/promises';
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
