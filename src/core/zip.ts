// Zip archives as bytes, for the page (exporting and importing the adapted model and the
// samples), bench:adapt-page and the data downloads alike. Writing stores the files as they are
// (PNGs and weights barely compress). Reading goes through the central directory (ZIP64
// included) with positioned reads passed in, so that Node can read an archive of gigabytes from
// disk a piece at a time and the page can read one held in memory; inflating deflated members
// is passed in too, as each runtime has its own.

import { crc32 } from './crc32.js';
import { HcrError } from './errors.js';

// The Encoding API is in every runtime core runs in (browsers, workers, Node), but in neither
// of the libraries core compiles against (ES2022, no DOM, no Node types).
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new (
  label: 'utf-8',
  options: { ignoreBOM: boolean },
) => { decode(bytes: Uint8Array): string };

/** One file of a zip: its path inside (forward slashes) and its bytes. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

/** One record of a zip central directory. */
export interface ZipRecord {
  readonly name: string;
  /** 0: stored, 8: deflated. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/**
 * Reads `length` bytes of the archive from `position` (fewer at its end).
 *
 * @example
 * const read: ZipRead = (position, length) => bytes.subarray(position, position + length);
 */
export type ZipRead = (position: number, length: number) => Uint8Array | Promise<Uint8Array>;

/** Makes the error thrown for a broken archive from what is wrong with it (`reason`). */
export type ZipFailure = (reason: string) => Error;

const LOCAL_SIGNATURE = 0x04034b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const MAX_U32 = 0xffffffff;
const LOCAL_HEADER_LENGTH = 30;
const CENTRAL_HEADER_LENGTH = 46;
const EOCD_LENGTH = 22;
const ZIP64_EOCD_LENGTH = 56;
/** Bit 11 of the flags: the names are UTF-8. */
const UTF8_NAMES = 0x0800;

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Writes the fields a local header and a central record share, from `at` (offset 4 of a local
 * header, 6 of a central record): version needed, flags, CRC-32, both sizes, name length.
 */
function setStoredFields(view: DataView, at: number, crc: number, size: number, name: number) {
  view.setUint16(at, 20, true);
  view.setUint16(at + 2, UTF8_NAMES, true);
  view.setUint32(at + 10, crc, true);
  view.setUint32(at + 14, size, true);
  view.setUint32(at + 18, size, true);
  view.setUint16(at + 22, name, true);
}

/**
 * A zip of `entries`, stored without compression, with UTF-8 names.
 *
 * @example
 * const bytes = encodeZip([{ name: 'model/model.json', data: json }]);
 */
export function encodeZip(entries: readonly ZipEntry[]): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const names = entries.map((e) => encoder.encode(e.name));
  const crcs = entries.map((e) => crc32(e.data));
  const locals = entries.reduce(
    (sum, e, k) => sum + LOCAL_HEADER_LENGTH + names[k]!.length + e.data.length,
    0,
  );
  const central = names.reduce((sum, n) => sum + CENTRAL_HEADER_LENGTH + n.length, 0);
  const bytes = new Uint8Array(locals + central + EOCD_LENGTH);
  const view = viewOf(bytes);
  let at = 0;
  const offsets = entries.map((entry, k) => {
    const name = names[k]!;
    const offset = at;
    view.setUint32(at, LOCAL_SIGNATURE, true);
    setStoredFields(view, at + 4, crcs[k]!, entry.data.length, name.length);
    bytes.set(name, at + LOCAL_HEADER_LENGTH);
    bytes.set(entry.data, at + LOCAL_HEADER_LENGTH + name.length);
    at += LOCAL_HEADER_LENGTH + name.length + entry.data.length;
    return offset;
  });
  entries.forEach((entry, k) => {
    const name = names[k]!;
    view.setUint32(at, CENTRAL_SIGNATURE, true);
    view.setUint16(at + 4, 20, true); // version made by
    setStoredFields(view, at + 6, crcs[k]!, entry.data.length, name.length);
    view.setUint32(at + 42, offsets[k]!, true);
    bytes.set(name, at + CENTRAL_HEADER_LENGTH);
    at += CENTRAL_HEADER_LENGTH + name.length;
  });
  view.setUint32(at, EOCD_SIGNATURE, true);
  view.setUint16(at + 8, entries.length, true);
  view.setUint16(at + 10, entries.length, true);
  view.setUint32(at + 12, central, true);
  view.setUint32(at + 16, locals, true);
  return bytes;
}

/** Where the central directory is and how many records it holds. */
interface DirectoryPlace {
  readonly count: number;
  readonly size: number;
  readonly offset: number;
}

/** The end-of-central-directory record (and the ZIP64 one it points to, when it does). */
async function directoryPlace(
  read: ZipRead,
  archiveSize: number,
  fail: ZipFailure,
): Promise<DirectoryPlace> {
  // The end record is the last thing in the archive, followed only by a comment of up to 64 KiB.
  const tailLength = Math.min(archiveSize, EOCD_LENGTH + 0xffff);
  const tail = await read(archiveSize - tailLength, tailLength);
  const view = viewOf(tail);
  let eocd = -1;
  for (let i = tail.length - EOCD_LENGTH; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail('no end-of-central-directory record');
  let place: DirectoryPlace = {
    count: view.getUint16(eocd + 10, true),
    size: view.getUint32(eocd + 12, true),
    offset: view.getUint32(eocd + 16, true),
  };
  if (place.count === 0xffff || place.size === MAX_U32 || place.offset === MAX_U32) {
    const locatorAt = eocd - 20;
    if (locatorAt < 0 || view.getUint32(locatorAt, true) !== ZIP64_LOCATOR_SIGNATURE) {
      throw fail('ZIP64 fields without a ZIP64 locator');
    }
    const record = await read(Number(view.getBigUint64(locatorAt + 8, true)), ZIP64_EOCD_LENGTH);
    const r = viewOf(record);
    if (record.length < ZIP64_EOCD_LENGTH || r.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) {
      throw fail('bad ZIP64 end-of-central-directory record');
    }
    place = {
      count: Number(r.getBigUint64(32, true)),
      size: Number(r.getBigUint64(40, true)),
      offset: Number(r.getBigUint64(48, true)),
    };
  }
  if (place.offset + place.size > archiveSize) {
    throw fail(
      `central directory ends at ${place.offset + place.size}, file has ${archiveSize} bytes`,
    );
  }
  return place;
}

/**
 * The central directory of a zip of `archiveSize` bytes (ZIP64 included), read through `read`
 * without reading the members.
 *
 * @throws what `fail` makes, when the archive is incomplete or no zip
 * @example
 * const records = await readZipRecords((p, n) => bytes.subarray(p, p + n), bytes.length, fail);
 */
export async function readZipRecords(
  read: ZipRead,
  archiveSize: number,
  fail: ZipFailure,
): Promise<ZipRecord[]> {
  const place = await directoryPlace(read, archiveSize, fail);
  const directory = await read(place.offset, place.size);
  const view = viewOf(directory);
  // A name is its bytes: a leading byte-order mark is kept, not taken as a marker.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const records: ZipRecord[] = [];
  let at = 0;
  for (let k = 0; k < place.count; k++) {
    if (
      at + CENTRAL_HEADER_LENGTH > directory.length ||
      view.getUint32(at, true) !== CENTRAL_SIGNATURE
    ) {
      throw fail(`bad central directory record ${k} at offset ${place.offset + at}`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameAt = at + CENTRAL_HEADER_LENGTH;
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    // ZIP64 extra field: the 64-bit values of whichever fields are 0xffffffff, in this order.
    const extraEnd = nameAt + nameLength + extraLength;
    for (let e = nameAt + nameLength; e + 4 <= extraEnd;) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let v = e + 4;
        if (size === MAX_U32) {
          size = Number(view.getBigUint64(v, true));
          v += 8;
        }
        if (compressedSize === MAX_U32) {
          compressedSize = Number(view.getBigUint64(v, true));
          v += 8;
        }
        if (localHeaderOffset === MAX_U32) localHeaderOffset = Number(view.getBigUint64(v, true));
      }
      e += 4 + length;
    }
    records.push({
      name: decoder.decode(directory.subarray(nameAt, nameAt + nameLength)),
      method: view.getUint16(at + 10, true),
      flags: view.getUint16(at + 8, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize,
      size,
      localHeaderOffset,
    });
    at = extraEnd + commentLength;
  }
  return records;
}

/**
 * Where the data of `record` starts in the archive: after its local header, whose name and
 * extra field may differ in length from the central directory's.
 *
 * @throws what `fail` makes, when there is no local header where the record says
 * @example
 * const start = await zipDataStart(read, record, fail);
 */
export async function zipDataStart(
  read: ZipRead,
  record: ZipRecord,
  fail: ZipFailure,
): Promise<number> {
  const local = await read(record.localHeaderOffset, LOCAL_HEADER_LENGTH);
  const view = viewOf(local);
  if (local.length < LOCAL_HEADER_LENGTH || view.getUint32(0, true) !== LOCAL_SIGNATURE) {
    throw fail(`no local header for ${record.name} at offset ${record.localHeaderOffset}`);
  }
  return (
    record.localHeaderOffset +
    LOCAL_HEADER_LENGTH +
    view.getUint16(26, true) +
    view.getUint16(28, true)
  );
}

/** Options of {@link decodeZip}. */
export interface DecodeZipOptions {
  /** Inflates a deflated member (raw deflate). Default: none, so deflated members are refused. */
  readonly inflateRaw?: (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;
}

/**
 * The files of a zip held in memory (folders left out), stored or (with `inflateRaw`) deflated.
 *
 * @throws HcrError BAD_DATA naming `where` when it is no zip or a member uses another compression
 * @example
 * const entries = await decodeZip(bytes, 'samples.zip', { inflateRaw: (d) => inflateRawSync(d) });
 */
export async function decodeZip(
  bytes: Uint8Array,
  where: string,
  options: DecodeZipOptions = {},
): Promise<ZipEntry[]> {
  const read: ZipRead = (position, length) => bytes.subarray(position, position + length);
  const fail: ZipFailure = (reason) =>
    new HcrError('BAD_DATA', `${where}: not a zip file (${reason})`);
  const entries: ZipEntry[] = [];
  for (const record of await readZipRecords(read, bytes.length, fail)) {
    if (record.name.endsWith('/')) continue;
    const start = await zipDataStart(read, record, fail);
    const raw = bytes.subarray(start, start + record.compressedSize);
    if (record.method === 0) entries.push({ name: record.name, data: raw });
    else if (record.method === 8 && options.inflateRaw) {
      entries.push({ name: record.name, data: await options.inflateRaw(raw) });
    } else {
      const expected = options.inflateRaw ? 'stored or deflate' : 'stored';
      throw new HcrError(
        'BAD_DATA',
        `${where}: ${record.name} uses compression method ${record.method} (expected ${expected})`,
      );
    }
  }
  return entries;
}
