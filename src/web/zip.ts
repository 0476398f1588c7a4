// Zip files in the browser, for exporting and importing the adapted model and the samples: core's
// zip (src/core/zip.ts) with the browser's parts, a Blob to download and DecompressionStream to
// inflate the deflated members that zip tools and file managers make.

import { decodeZip, encodeZip, type ZipEntry } from '../core/zip.js';

export type { ZipEntry } from '../core/zip.js';

/**
 * A zip of `entries`, stored without compression, as a Blob to download.
 *
 * @example
 * const blob = writeZip([{ name: 'model/model.json', data: bytes }]);
 */
export function writeZip(entries: readonly ZipEntry[]): Blob {
  return new Blob([encodeZip(entries)], { type: 'application/zip' });
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The files of a zip (folders left out), stored or deflated.
 *
 * @throws HcrError BAD_DATA naming `where` when it is no zip or uses another compression than
 * store/deflate
 * @example
 * for (const entry of await readZip(new Uint8Array(await file.arrayBuffer()), file.name)) ...
 */
export function readZip(bytes: Uint8Array, where: string): Promise<ZipEntry[]> {
  return decodeZip(bytes, where, { inflateRaw });
}
