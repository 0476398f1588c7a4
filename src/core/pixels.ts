// Pixel helpers around the image convention: the box type every reader reports, the check that
// an image's size matches its bytes, colour to gray, and EMNIST's transposition.

import { HcrError } from './errors.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from './types.js';
import type { GrayImage } from './types.js';

/** A rectangle in pixels; `x`, `y` is its top-left pixel. */
export interface PixelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const SIZE = IMAGE_SIZE;
const PIXELS = IMAGE_PIXELS;

/** True when `width` x `height` is a size of at least 1x1 and `length` bytes hold it, `channels` per pixel. */
function fitsSize(width: number, height: number, length: number, channels: number): boolean {
  return (
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    width >= 1 &&
    height >= 1 &&
    length === width * height * channels
  );
}

/**
 * Checks that an image is at least 1x1 and holds width*height bytes.
 *
 * @param where - the function named in the message
 * @throws HcrError BAD_IMAGE saying what was expected and what arrived
 * @example
 * checkGrayImage(image, 'normalizeToMnist');
 */
export function checkGrayImage(image: GrayImage, where: string): void {
  const { width, height, data } = image;
  if (!fitsSize(width, height, data.length, 1)) {
    throw new HcrError(
      'BAD_IMAGE',
      `${where}: expected an image of at least 1x1 with width*height bytes, ` +
        `got ${width}x${height} with ${data.length} bytes`,
    );
  }
}

/**
 * Converts interleaved 1-4 channel pixels (gray, gray+alpha, RGB, RGBA) to gray with the Rec.
 * 601 luminance 0.299 R + 0.587 G + 0.114 B. Transparency is composited onto a backdrop that
 * contrasts with the visible pixels: onto white when they are dark on average (black strokes on
 * a transparent canvas), onto black when they are light (white strokes), so a transparent PNG
 * keeps its ink either way.
 *
 * @param channels - 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
 * @throws HcrError BAD_IMAGE when the data length is not width*height*channels
 * @example
 * const gray = rgbaToGray(imageData.data, imageData.width, imageData.height, 4);
 */
export function rgbaToGray(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
): GrayImage {
  const n = width * height;
  if (![1, 2, 3, 4].includes(channels) || !fitsSize(width, height, data.length, channels)) {
    throw new HcrError(
      'BAD_IMAGE',
      `rgbaToGray: expected ${width}x${height}x${channels} = ${n * channels} bytes, got ${data.length}`,
    );
  }
  const gray = new Uint8Array(n);
  if (channels === 1) {
    gray.set(data);
    return { width, height, data: gray };
  }
  const hasAlpha = channels === 2 || channels === 4;
  const lum = new Float32Array(n);
  let visible = 0;
  let visibleLum = 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const l =
      channels <= 2 ? data[p]! : 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
    lum[i] = l;
    if (hasAlpha) {
      const a = data[p + channels - 1]! / 255;
      visible += a;
      visibleLum += a * l;
    }
  }
  const backdrop = hasAlpha && visible > 0 && visibleLum / visible > 127.5 ? 0 : 255;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const a = hasAlpha ? data[p + channels - 1]! / 255 : 1;
    gray[i] = Math.round(lum[i]! * a + backdrop * (1 - a));
  }
  return { width, height, data: gray };
}

/**
 * Transposes each 28x28 image (EMNIST stores its images transposed); returns a new array.
 *
 * @throws HcrError BAD_DATA when `images` does not hold `count` * 784 bytes
 * @example
 * const fixed = transposeImages(emnistImages, emnistImages.length / 784);
 */
export function transposeImages(images: Uint8Array, count: number): Uint8Array {
  if (!Number.isInteger(count) || count < 0 || images.length !== count * PIXELS) {
    throw new HcrError(
      'BAD_DATA',
      `transposeImages: expected ${count} * ${PIXELS} bytes, got ${images.length}`,
    );
  }
  const out = new Uint8Array(images.length);
  for (let k = 0; k < count; k++) {
    const base = k * PIXELS;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        out[base + x * SIZE + y] = images[base + y * SIZE + x]!;
      }
    }
  }
  return out;
}
