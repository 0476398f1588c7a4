// What may be an input image: a file path is refused before a byte of it is read when it cannot
// be an image file (missing, a device, a directory, too large), then the file or the uploaded
// bytes are decoded with the shared decodeImage. `hcr predict`, `hcr read` and the server's
// recognition all take their images through here.

import { stat } from 'node:fs/promises';
import type { GrayImage } from '../../core/types.js';
import { HcrError } from '../errors.js';
import { decodeImage, type DecodeOptions } from '../image/decode.js';

/** The largest input file read, in bytes (a photo is a few MB; /dev/zero is endless). */
export const MAX_INPUT_FILE_BYTES = 64 * 2 ** 20;

/**
 * Refuses what cannot be an image file before reading a byte of it: a missing path
 * (`NOT_FOUND`), anything but a regular file (a device such as /dev/zero, a FIFO, a
 * directory) and a file over {@link MAX_INPUT_FILE_BYTES} (`BAD_IMAGE`).
 *
 * @example
 * await checkInputFile('/dev/zero'); // throws: expected a regular image file, got a character device
 */
export async function checkInputFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HcrError('NOT_FOUND', `${file}: no such file`);
    }
    throw new HcrError('BAD_IMAGE', `${file}: cannot read (${(error as Error).message})`);
  }
  if (!info.isFile()) {
    const kind = info.isDirectory()
      ? 'a directory'
      : info.isCharacterDevice()
        ? 'a character device'
        : info.isBlockDevice()
          ? 'a block device'
          : info.isFIFO()
            ? 'a pipe'
            : info.isSocket()
              ? 'a socket'
              : 'not a regular file';
    throw new HcrError('BAD_IMAGE', `${file}: expected a regular image file, got ${kind}`);
  }
  if (info.size > MAX_INPUT_FILE_BYTES) {
    throw new HcrError(
      'BAD_IMAGE',
      `${file}: ${info.size} bytes, over the ${MAX_INPUT_FILE_BYTES / 2 ** 20} MiB an image file may have`,
    );
  }
}

/**
 * Decodes an image file (after {@link checkInputFile}) or an image's bytes to a gray image.
 *
 * @param options - decodeImage's: `maxPixels` (default DECODE_DEFAULTS.maxPixels, checked from
 *   the header before decoding) and `name` in messages (default: the file's base name, or `image`)
 * @throws HcrError NOT_FOUND for a missing file; BAD_IMAGE for a device, a directory, a file over
 *   the size limit, something that is not an image, or an image over the pixel limit
 * @example
 * const gray = await decodeInput('a.png');
 * const upload = await decodeInput(bytes, { name: 'upload', maxPixels: 24_000_000 });
 */
export async function decodeInput(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): Promise<GrayImage> {
  if (typeof input === 'string') await checkInputFile(input);
  return decodeImage(input, options);
}
