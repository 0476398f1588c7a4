// Turning what a person gives the page (a picked, dropped or pasted image file; the drawing
// canvas) into gray pixels with core's rgbaToGray, the function the server uses on decoded
// files, so that both sides hand normalizeToMnist the same pixels; and back, a 28x28 image
// painted on a canvas. Also the one test of whether a key press is typing in a text field.

import { HcrError } from '../core/errors.js';
import { borderMedian, rgbaToGray } from '../core/normalize.js';
import { IMAGE_PIXELS, IMAGE_SIZE, type GrayImage } from '../core/types.js';

/** A decoded upload: its gray pixels and a bitmap to show on the pad. */
export interface DecodedFile {
  readonly gray: GrayImage;
  readonly bitmap: ImageBitmap;
  /** The paper's gray level, 0-255: the median of the border pixels (above 127: dark ink). */
  readonly paper: number;
}

/**
 * Gray pixels of a canvas (RGBA, transparency composited as on the server).
 *
 * @example
 * const gray = canvasToGray(pad.canvas);
 */
export function canvasToGray(canvas: HTMLCanvasElement | OffscreenCanvas): GrayImage {
  const context = canvas.getContext('2d', { willReadFrequently: true }) as
    CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new HcrError('ENGINE', 'canvas: the browser gave no 2D context');
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  return rgbaToGray(data, width, height, 4);
}

/**
 * A copy of an image scaled down (never up, aspect kept) to at most `maxPixels` pixels, on an
 * OffscreenCanvas: bounds the work of reading a line from a large canvas or photo.
 *
 * @param width - the source's width in pixels (its natural size)
 * @param height - the source's height in pixels
 * @example
 * const small = scaledCanvas(pad.canvas, pad.canvas.width, pad.canvas.height, 500_000);
 * const gray = canvasToGray(small);
 */
export function scaledCanvas(
  source: CanvasImageSource,
  width: number,
  height: number,
  maxPixels: number,
): OffscreenCanvas {
  const scale = Math.min(1, Math.sqrt(maxPixels / Math.max(1, width * height)));
  const canvas = new OffscreenCanvas(
    Math.max(1, Math.round(width * scale)),
    Math.max(1, Math.round(height * scale)),
  );
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new HcrError('ENGINE', 'canvas: the browser gave no 2D context');
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** Loads an image element from a file, to read its size before decoding all of it. */
function loadElement(file: Blob): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(file);
  const image = new Image();
  return new Promise<HTMLImageElement>((resolve, reject) => {
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the browser cannot decode it'));
    image.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}

/**
 * Decodes an image file in the browser (PNG, JPEG, WebP, GIF, SVG, as the browser can; EXIF
 * orientation applied). Returns undefined when the browser cannot decode it (TIFF in most
 * browsers): the caller then sends the file to the server, which can.
 *
 * @param maxPixels - the largest image (width x height) accepted, the server's limit
 * @throws HcrError BAD_IMAGE when the image is larger than `maxPixels` or has no pixels
 * @example
 * const decoded = await decodeFile(file, 24_000_000);
 */
export async function decodeFile(
  file: Blob & { name?: string },
  maxPixels: number,
): Promise<DecodedFile | undefined> {
  const name = file.name || 'image';
  let element: HTMLImageElement;
  try {
    element = await loadElement(file);
  } catch {
    return undefined;
  }
  const width = element.naturalWidth;
  const height = element.naturalHeight;
  if (width < 1 || height < 1) return undefined;
  if (width * height > maxPixels) {
    throw new HcrError(
      'BAD_IMAGE',
      `${name}: ${width}x${height} = ${width * height} px exceeds the limit of ${maxPixels}`,
    );
  }
  const bitmap = await createImageBitmap(element);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new HcrError('ENGINE', 'canvas: the browser gave no 2D context');
  context.drawImage(bitmap, 0, 0);
  const gray = canvasToGray(canvas);
  return { gray, bitmap, paper: borderMedian(gray) };
}

/**
 * The first image file among dropped or pasted items, if any.
 *
 * @example
 * const file = firstImageFile(event.dataTransfer);
 */
export function firstImageFile(transfer: DataTransfer | null): File | undefined {
  if (!transfer) return undefined;
  for (const file of Array.from(transfer.files)) {
    if (file.type.startsWith('image/') || file.type === '') return file;
  }
  for (const item of Array.from(transfer.items)) {
    if (item.kind === 'file' && item.type.startsWith('image/')) {
      const file = item.getAsFile();
      if (file) return file;
    }
  }
  return undefined;
}

/**
 * Paints a 28x28 image as the model sees it (one gray value per pixel, ink white on black) at
 * the top-left of a 2D context: the 28x28 view of a reading, a sample's thumbnail, its PNG.
 *
 * @example
 * putGrayPixels(canvas.getContext('2d')!, recognition.pixels);
 */
export function putGrayPixels(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  pixels: Uint8Array,
): void {
  const image = ctx.createImageData(IMAGE_SIZE, IMAGE_SIZE);
  for (let i = 0; i < IMAGE_PIXELS; i++) {
    const v = pixels[i]!;
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * Whether a key event's target is a text field (a textarea or a text input): the page's keyboard
 * shortcuts stay out of the way while a person types.
 *
 * @example
 * document.addEventListener('keydown', (e) => { if (isTypingIn(e.target)) return; ... });
 */
export function isTypingIn(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLTextAreaElement ||
    (target instanceof HTMLInputElement && target.type === 'text')
  );
}

/**
 * True when the ink of an image (pixels at least 80 levels from the paper's gray) is over twice
 * as wide as it is tall: a word or a line rather than one character.
 *
 * @param paper - the paper's gray level (decodeFile's `paper`)
 * @example
 * if (looksLikeALine(gray, decoded.paper)) hint.hidden = false; // "read it as a line"
 */
export function looksLikeALine(gray: GrayImage, paper: number): boolean {
  let left = gray.width;
  let right = -1;
  let top = gray.height;
  let bottom = -1;
  for (let y = 0; y < gray.height; y++) {
    for (let x = 0; x < gray.width; x++) {
      if (Math.abs(gray.data[y * gray.width + x]! - paper) < 80) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return right >= left && right - left + 1 > 2 * (bottom - top + 1);
}
