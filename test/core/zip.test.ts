// core's zip (src/core/zip.ts) as bytes: a round trip of stored files with UTF-8 names, deflated
// members only with an inflater passed in, the central directory read in small pieces as Node
// reads a large archive, and errors that name the file and say what is wrong.

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/core/crc32.js';
import { decodeZip, encodeZip, readZipRecords, zipDataStart } from '../../src/core/zip.js';

const files = [
  { name: 'hcr-samples/A/0001.png', data: Uint8Array.from([1, 2, 3]) },
  { name: 'hcr-samples/7/0002.png', data: new Uint8Array(0) },
  { name: 'é/ü.txt', data: new TextEncoder().encode('ünïcode') },
];

/** A zip of one deflated member, as zip tools write one. */
function deflated(name: string, data: Buffer): Buffer {
  const zip = Buffer.from(encodeZip([{ name, data: deflateRawSync(data) }]));
  const central = zip.length - 22 - 46 - Buffer.byteLength(name);
  // The local header has the method at 8, the CRC at 14 and the size at 22; the central
  // record has each 2 bytes further on.
  for (const at of [0, central + 2]) {
    zip.writeUInt16LE(8, at + 8);
    zip.writeUInt32LE(crc32(data), at + 14);
    zip.writeUInt32LE(data.length, at + 22);
  }
  return zip;
}

/** `zip` with its end record in ZIP64 form: the sizes and offsets in the ZIP64 record only. */
function asZip64(zip: Uint8Array, count: number): Buffer {
  const body = Buffer.from(zip.subarray(0, zip.length - 22));
  const end = Buffer.from(zip.subarray(zip.length - 22));
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(end.readUInt32LE(12)), 40);
  record.writeBigUInt64LE(BigInt(end.readUInt32LE(16)), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(body.length), 8);
  locator.writeUInt32LE(1, 16);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([body, record, locator, end]);
}

const fail = (reason: string) => new Error(reason);

describe('core zip', () => {
  it('reads back what it wrote, names, bytes and checksums', async () => {
    const bytes = encodeZip(files);
    const entries = await decodeZip(bytes, 'x.zip');
    expect(entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
    expect(entries.map((e) => [...e.data])).toEqual(files.map((f) => [...f.data]));
    const records = await readZipRecords((p, n) => bytes.subarray(p, p + n), bytes.length, fail);
    expect(records.map((r) => [r.method, r.crc32, r.size])).toEqual(
      files.map((f) => [0, crc32(f.data), f.data.length]),
    );
  });

  it('reads the directory and data offsets through positioned reads', async () => {
    const bytes = encodeZip(files);
    const reads: [number, number][] = [];
    const read = async (position: number, length: number) => {
      reads.push([position, length]);
      return Buffer.from(bytes.subarray(position, position + length));
    };
    const records = await readZipRecords(read, bytes.length, fail);
    const start = await zipDataStart(read, records[2]!, fail);
    expect(Buffer.from(bytes.subarray(start, start + records[2]!.size)).toString()).toBe('ünïcode');
    // The tail, the central directory, one local header: never the members.
    expect(reads.length).toBe(3);
  });

  it('finds the central directory through a ZIP64 end record', async () => {
    const entries = await decodeZip(asZip64(encodeZip(files), files.length), 'z64.zip');
    expect(entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
    const broken = asZip64(encodeZip(files), files.length);
    broken.writeUInt32LE(0, broken.length - 22 - 20);
    await expect(decodeZip(broken, 'z64.zip')).rejects.toThrow(
      /^z64\.zip: not a zip file \(ZIP64 fields without a ZIP64 locator\)$/,
    );
  });

  it('inflates deflated members with the inflater it is given, else refuses them', async () => {
    const text = Buffer.from('hcr '.repeat(500));
    const zip = deflated('a/b.txt', text);
    const [entry] = await decodeZip(zip, 'd.zip', { inflateRaw: (d) => inflateRawSync(d) });
    expect(entry!.name).toBe('a/b.txt');
    expect(Buffer.from(entry!.data).equals(text)).toBe(true);
    await expect(decodeZip(zip, 'd.zip')).rejects.toThrow(
      /^d\.zip: a\/b\.txt uses compression method 8 \(expected stored\)$/,
    );
  });

  it('says which file is no zip, and why', async () => {
    await expect(decodeZip(new Uint8Array(100), 'photo.png')).rejects.toThrow(
      /^photo\.png: not a zip file \(no end-of-central-directory record\)$/,
    );
    const cut = encodeZip(files).subarray(40);
    await expect(decodeZip(cut, 'cut.zip')).rejects.toThrow(
      /^cut\.zip: not a zip file \(central directory ends at \d+, file has \d+ bytes\)$/,
    );
  });
});
