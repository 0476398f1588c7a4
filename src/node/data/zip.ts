// A reader for zip archives, as far as `hcr data download` needs one: the central directory
// (ZIP64 included), where a member's data starts, and zip's CRC-32. Members are streamed out by
// the caller (stored or deflated), so an archive of gigabytes is never held in memory.

import { open, stat } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { HcrError } from '../../core/errors.js';
import { crc32 as crc32Js } from '../../core/crc32.js';

/** One record of a zip central directory. */
export interface ZipRecord {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const MAX_U32 = 0xffffffff;

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function zipError(file: string, message: string): HcrError {
  return new HcrError('DOWNLOAD', `${file}: not a complete zip archive: ${message}`);
}

/**
 * Reads the central directory of a zip file (ZIP64 included), without reading the members.
 * `file` names the archive in errors (`DOWNLOAD`: not a complete zip archive).
 *
 * @example
 * const records = await readZipDirectory('/data/emnist/gzip.zip', 'emnist/gzip.zip');
 */
export async function readZipDirectory(path: string, file: string): Promise<ZipRecord[]> {
  const size = (await stat(path)).size;
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(path, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw zipError(file, 'no end-of-central-directory record');
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === MAX_U32 || directoryOffset === MAX_U32) {
    const locatorAt = eocd - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_LOCATOR_SIGNATURE) {
      throw zipError(file, 'ZIP64 fields without a ZIP64 locator');
    }
    const record = await readAt(path, Number(tail.readBigUInt64LE(locatorAt + 8)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) {
      throw zipError(file, 'bad ZIP64 end-of-central-directory record');
    }
    count = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
  }
  if (directoryOffset + directorySize > size) {
    throw zipError(
      file,
      `central directory ends at ${directoryOffset + directorySize}, file has ${size} bytes`,
    );
  }
  const directory = await readAt(path, directoryOffset, directorySize);
  const records: ZipRecord[] = [];
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw zipError(file, `bad central directory record ${k} at offset ${directoryOffset + at}`);
    }
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    let compressedSize = directory.readUInt32LE(at + 20);
    let uncompressed = directory.readUInt32LE(at + 24);
    let localHeaderOffset = directory.readUInt32LE(at + 42);
    // ZIP64 extra field: the 64-bit values of whichever fields are 0xffffffff, in this order.
    const extraEnd = at + 46 + nameLength + extraLength;
    for (let e = at + 46 + nameLength; e + 4 <= extraEnd;) {
      const id = directory.readUInt16LE(e);
      const length = directory.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let v = e + 4;
        if (uncompressed === MAX_U32) {
          uncompressed = Number(directory.readBigUInt64LE(v));
          v += 8;
        }
        if (compressedSize === MAX_U32) {
          compressedSize = Number(directory.readBigUInt64LE(v));
          v += 8;
        }
        if (localHeaderOffset === MAX_U32) localHeaderOffset = Number(directory.readBigUInt64LE(v));
      }
      e += 4 + length;
    }
    records.push({
      name,
      method: directory.readUInt16LE(at + 10),
      flags: directory.readUInt16LE(at + 8),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize,
      size: uncompressed,
      localHeaderOffset,
    });
    at = extraEnd + commentLength;
  }
  return records;
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
export async function zipMemberDataStart(
  path: string,
  file: string,
  record: ZipRecord,
): Promise<number> {
  const local = await readAt(path, record.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) {
    throw zipError(
      file,
      `no local header for ${record.name} at offset ${record.localHeaderOffset}`,
    );
  }
  return record.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
}
