// The page's zip reader and writer (src/web/zip.ts), run in Node (Blob, Response and
// DecompressionStream are the browser's APIs there too): a round trip of stored files, a
// deflated zip as zip tools write it, and the errors that name the file.

import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readZip, writeZip } from '../../src/web/zip.js';

/** A one-file zip with a deflated entry, laid out as zip tools write one. */
function deflatedZip(name: string, data: Buffer): Buffer {
  const packed = deflateRawSync(data);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const head = Buffer.alloc(46);
  head.writeUInt32LE(0x02014b50, 0);
  head.writeUInt16LE(8, 10);
  head.writeUInt32LE(packed.length, 20);
  head.writeUInt32LE(data.length, 24);
  head.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + packed.length, 16);
  return Buffer.concat([local, n, packed, head, n, end]);
}

describe('zip', () => {
  it('reads back what it wrote, names and bytes', async () => {
    const files = [
      { name: 'hcr-samples/A/0001.png', data: Uint8Array.from([1, 2, 3]) },
      { name: 'hcr-samples/7/0002.png', data: new Uint8Array(0) },
      { name: 'é/ü.txt', data: new TextEncoder().encode('ünïcode') },
    ];
    const blob = writeZip(files);
    const entries = await readZip(new Uint8Array(await blob.arrayBuffer()), 'x.zip');
    expect(entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
    expect(entries.map((e) => [...e.data])).toEqual(files.map((f) => [...f.data]));
  });

  it('inflates deflated entries', async () => {
    const text = Buffer.from('hcr '.repeat(500));
    const [entry] = await readZip(new Uint8Array(deflatedZip('a/b.txt', text)), 'd.zip');
    expect(entry!.name).toBe('a/b.txt');
    expect(Buffer.from(entry!.data).equals(text)).toBe(true);
  });

  it('says which file is no zip', async () => {
    await expect(readZip(new Uint8Array(100), 'photo.png')).rejects.toThrow(
      /photo\.png: not a zip file/,
    );
  });
});
