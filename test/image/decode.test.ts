// Image decoding: every format to the same gray pixels, EXIF orientation, transparency,
// colour spaces, and the errors for empty, foreign, missing and oversized files.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrayImage } from '../../src/core/types.js';
import { DECODE_DEFAULTS, decodeImage, loadImageForModel } from '../../src/node/image/decode.js';

const images = join(import.meta.dirname, '..', 'fixtures', 'images');
const fixture = (name: string): string => join(images, name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-decode-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function meanAbsDiff(a: GrayImage, b: GrayImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

// A PNG whose header claims `width`x`height` (a decompression bomb needs no more to be refused).
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // gray
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('decodeImage', () => {
  it('decodes every lossless format to the same pixels as the PNG', async () => {
    const png = await decodeImage(fixture('L.png'));
    expect([png.width, png.height]).toEqual([48, 64]);
    expect(png.data[0]).toBe(255); // white paper
    expect(Math.min(...png.data)).toBe(0); // black ink
    for (const name of ['L.webp', 'L.gif', 'L.tiff', 'L-transparent.png']) {
      expect(meanAbsDiff(await decodeImage(fixture(name)), png), name).toBe(0);
    }
  });

  it('decodes JPEG and SVG close to the PNG', async () => {
    const png = await decodeImage(fixture('L.png'));
    expect(meanAbsDiff(await decodeImage(fixture('L.jpg')), png)).toBeLessThan(3);
    // The SVG draws the same L with vector strokes: same place, slightly different edges.
    expect(meanAbsDiff(await decodeImage(fixture('L.svg')), png)).toBeLessThan(12);
  });

  it('applies the EXIF orientation', async () => {
    const meta = await sharp(fixture('L-exif-rotated.jpg')).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([64, 48, 6]);
    const upright = await decodeImage(fixture('L-exif-rotated.jpg'));
    expect(meanAbsDiff(upright, await decodeImage(fixture('L.png')))).toBeLessThan(3);
  });

  it('converts 16-bit and CMYK images like 8-bit sRGB ones', async () => {
    const png = await decodeImage(fixture('L.png'));
    const source = sharp(fixture('L.png'));
    const rgb16 = await source.clone().toColourspace('rgb16').png().toBuffer();
    expect((await sharp(rgb16).metadata()).depth).toBe('ushort');
    expect(meanAbsDiff(await decodeImage(rgb16), png)).toBeLessThan(1);
    const cmyk = await source.clone().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    expect(meanAbsDiff(await decodeImage(cmyk), png)).toBeLessThan(4);
  });

  it('decodes bytes, naming them in errors', async () => {
    const bytes = await readFile(fixture('L.png'));
    expect((await decodeImage(bytes)).width).toBe(48);
    await expect(decodeImage(Buffer.from('hello'), { name: 'upload' })).rejects.toThrow(
      /^upload: not an image that can be decoded \(PNG, JPEG, WebP, GIF, TIFF, SVG\)$/,
    );
    await expect(decodeImage(new Uint8Array(0))).rejects.toThrow(/^image: empty file/);
  });

  it('refuses empty files, non-images, directories and missing files', async () => {
    await expect(decodeImage(fixture('empty.png'))).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message: 'empty.png: empty file, expected an image (PNG, JPEG, WebP, GIF, TIFF, SVG)',
    });
    await expect(decodeImage(fixture('not-an-image.txt'))).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message:
        'not-an-image.txt: not an image that can be decoded (PNG, JPEG, WebP, GIF, TIFF, SVG)',
    });
    await expect(decodeImage(images)).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message: 'images: is a directory, expected an image file',
    });
    await expect(decodeImage(fixture('missing.png'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/missing\.png: no such file$/),
    });
  });

  it('refuses a truncated image', async () => {
    const bytes = await readFile(fixture('L.png'));
    const cut = join(dir, 'cut.png');
    await writeFile(cut, bytes.subarray(0, bytes.length - 60));
    await expect(decodeImage(cut)).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message: expect.stringMatching(/^cut\.png: (cannot decode the image|not an image)/),
    });
  });

  it('refuses an image over the pixel limit from its header, before decoding', async () => {
    expect(DECODE_DEFAULTS.maxPixels).toBe(40_000_000);
    const bomb = join(dir, 'bomb.png');
    await writeFile(bomb, pngHeaderOnly(20000, 20000));
    const start = performance.now();
    await expect(decodeImage(bomb)).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message: 'bomb.png: 20000x20000 = 400000000 px exceeds the limit of 40000000',
    });
    expect(performance.now() - start).toBeLessThan(1000);
    await expect(decodeImage(fixture('L.png'), { maxPixels: 1000 })).rejects.toThrow(
      /^L\.png: 48x64 = 3072 px exceeds the limit of 1000$/,
    );
    expect((await decodeImage(fixture('L.png'), { maxPixels: 3072 })).height).toBe(64);
  });
});

describe('loadImageForModel', () => {
  it('decodes and normalizes to 28x28 ink on dark', async () => {
    const { normalized, source } = await loadImageForModel(fixture('L.png'));
    expect([source.width, source.height]).toEqual([48, 64]);
    expect(normalized.empty).toBe(false);
    expect(normalized.inverted).toBe(true);
    expect(normalized.pixels.length).toBe(784);
    expect(normalized.pixels[0]).toBe(0);
    expect(Math.max(...normalized.pixels)).toBeGreaterThan(200);
    // The L is taller than wide: scaled to 20 px high.
    const rows = [];
    for (let y = 0; y < 28; y++) {
      if (normalized.pixels.subarray(y * 28, y * 28 + 28).some((v) => v > 0)) rows.push(y);
    }
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.length).toBeLessThanOrEqual(21);
  });

  it('gives the same model input for every format of the same drawing', async () => {
    const reference = (await loadImageForModel(fixture('L.png'))).normalized.pixels;
    for (const name of ['L-transparent.png', 'L.webp', 'L-exif-rotated.jpg', 'L.jpg']) {
      const { pixels } = (await loadImageForModel(fixture(name))).normalized;
      let diff = 0;
      for (let i = 0; i < 784; i++) diff += Math.abs(pixels[i]! - reference[i]!);
      expect(diff / 784, name).toBeLessThan(4);
    }
  });

  it('reports a blank page as empty', async () => {
    const { normalized } = await loadImageForModel(fixture('blank.png'));
    expect(normalized.empty).toBe(true);
    expect(normalized.pixels.every((v) => v === 0)).toBe(true);
  });
});
