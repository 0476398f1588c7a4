// Test helpers for the server and the page: a tiny model saved the way `hcr train` saves one
// (optionally leaning towards some classes, so a test knows what it will read), and small PNG
// images made on the spot, including broken ones (a header claiming 20000x20000, a 0x0 image)
// and lines of a few handwritten-looking characters with known boxes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { expect } from 'vitest';
import { createModel } from '../../src/core/architectures.js';
import { LABEL_SETS, type LabelSet } from '../../src/core/label-sets.js';
import { saveModel } from '../../src/node/model/artifact.js';

export const IMAGES = join(import.meta.dirname, '..', 'fixtures', 'images');

/** The fixture letter L (dark on light, 1.5 KB). */
export const L_PNG = readFileSync(join(IMAGES, 'L.png'));

/**
 * Saves a `tiny` model in `dir`, of 36 classes unless `labelSet` says otherwise. `favour` adds to
 * the output biases (class name -> logit), and the last layer's weights are scaled down, so the
 * favoured classes come first for almost any input while the probabilities still depend on it.
 */
export async function saveFixtureModel(
  dir: string,
  favour: Record<string, number> = {},
  labelSet: LabelSet = LABEL_SETS.alnum36,
): Promise<string> {
  const model = createModel({ architecture: 'tiny', numClasses: labelSet.classes.length });
  if (Object.keys(favour).length) {
    const last = model.layers.at(-1)!;
    const [kernel, bias] = last.getWeights();
    const boost = new Float32Array(labelSet.classes.length);
    for (const [label, logit] of Object.entries(favour)) {
      boost[labelSet.classes.indexOf(label)] = logit;
    }
    const next = tf.tidy(() => [kernel!.mul(0.2), bias!.add(tf.tensor1d(boost))]);
    last.setWeights(next);
    tf.dispose(next);
  }
  await saveModel(dir, model, {
    labelSet,
    normalization: { version: 2 },
    architecture: { name: 'tiny', options: {} },
    training: null,
    metrics: { 'fixture-test': { count: 10, accuracy: 0.5, accuracyMerged: 0.6, macroF1: 0.4 } },
  });
  model.dispose();
  return dir;
}

/** A gray PNG of `width` x `height`, white, with an optional black rectangle. */
export async function grayPng(
  width: number,
  height: number,
  ink?: { x: number; y: number; width: number; height: number },
): Promise<Buffer> {
  const data = Buffer.alloc(width * height, 255);
  if (ink) {
    for (let y = ink.y; y < ink.y + ink.height; y++) {
      data.fill(0, y * width + ink.x, y * width + ink.x + ink.width);
    }
  }
  return sharp(data, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(ihdr: { width: number; height: number; bitDepth: number }, idat?: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(ihdr.width, 0);
  header.writeUInt32BE(ihdr.height, 4);
  header[8] = ihdr.bitDepth;
  header[9] = 0; // gray
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(idat ? [chunk('IDAT', idat)] : []),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG whose header says `width` x `height` but that holds no pixel data (e.g. a 0x0 image). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  return png({ width, height, bitDepth: 8 });
}

/**
 * A valid, all-black PNG of `side` x `side` pixels at 1 bit per pixel: a 20000x20000 image
 * (400 megapixels) compresses to about 50 KB, a small upload that decodes to a huge image.
 */
export function hugeBlackPng(side: number): Buffer {
  const row = 1 + Math.ceil(side / 8);
  return png({ width: side, height: side, bitDepth: 1 }, deflateSync(Buffer.alloc(row * side)));
}

/** A glyph of {@link linePng}: polylines in a unit box (x right, y down), and its width / height. */
export interface LineGlyph {
  readonly aspect: number;
  readonly strokes: readonly (readonly [number, number][])[];
}

/** Glyphs for synthetic lines: an L, a 1 and a 7, each a few strokes. */
export const LINE_GLYPHS = Object.freeze({
  L: {
    aspect: 0.6,
    strokes: [
      [
        [0, 0],
        [0, 1],
        [1, 1],
      ],
    ],
  },
  '1': {
    aspect: 0.3,
    strokes: [
      [
        [0, 0.2],
        [1, 0],
        [1, 1],
      ],
    ],
  },
  '7': {
    aspect: 0.7,
    strokes: [
      [
        [0, 0],
        [1, 0],
        [0.35, 1],
      ],
    ],
  },
} satisfies Record<string, LineGlyph>);

/**
 * A PNG of one line of handwriting: `glyphs` left to right, `height` px tall, `gap` px apart,
 * dark ink (`pen` px wide) on white paper with a margin, drawn as SVG and rendered by sharp.
 * Returns the image with each glyph's box (the strokes' extent, pen included).
 */
export async function linePng(
  glyphs: readonly LineGlyph[],
  options: { height?: number; gap?: number; pen?: number; margin?: number } = {},
): Promise<{ png: Buffer; width: number; height: number; boxes: PixelBoxLike[] }> {
  const { height: h = 50, gap = 20, pen = 6, margin = 20 } = options;
  const paths: string[] = [];
  const boxes: PixelBoxLike[] = [];
  let x = margin;
  for (const glyph of glyphs) {
    const w = glyph.aspect * h;
    for (const stroke of glyph.strokes) {
      const d = stroke
        .map(
          ([px, py], i) =>
            `${i ? 'L' : 'M'}${(x + px * w).toFixed(1)} ${(margin + py * h).toFixed(1)}`,
        )
        .join(' ');
      paths.push(`<path d="${d}"/>`);
    }
    boxes.push({ x: x - pen / 2, y: margin - pen / 2, width: w + pen, height: h + pen });
    x += w + gap;
  }
  const width = Math.round(x - gap + margin);
  const height = h + 2 * margin;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<g fill="none" stroke="#111" stroke-width="${pen}" stroke-linecap="round" stroke-linejoin="round">` +
    `${paths.join('')}</g></svg>`;
  const png = await sharp(Buffer.from(svg)).greyscale().png().toBuffer();
  return { png, width, height, boxes };
}

/** A box in image pixels, as the API answers it. */
export interface PixelBoxLike {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A multipart/form-data body with files and text fields, for `app.inject()`. */
export function multipart(
  parts: { name: string; filename?: string; type?: string; data: Buffer | string }[],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----hcr-test-boundary-7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.filename
      ? `form-data; name="${part.name}"; filename="${part.filename}"`
      : `form-data; name="${part.name}"`;
    const type = part.filename ? `\r\nContent-Type: ${part.type ?? 'image/png'}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** The 784 gray bytes of a 28x28 PNG data URL. */
export async function dataUrlPixels(url: string): Promise<Uint8Array> {
  const png = Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64');
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== 28 || info.height !== 28)
    throw new Error(`expected 28x28, got ${info.width}x${info.height}`);
  return new Uint8Array(data.buffer, data.byteOffset, info.width * info.height * info.channels);
}

/** Checks a 4xx/5xx answer: JSON `{code, message}` and nothing else, no stack trace. */
export function expectError(
  res: LightMyRequestResponse,
  status: number,
  code: string,
  message: RegExp,
): void {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(body['code']).toBe(code);
  expect(body['message']).toMatch(message);
  expect(res.body).not.toMatch(/\n\s+at /);
}

/** One bad request: its name, how to send it, and the status, code and message expected. */
export type BadInputCase = [
  name: string,
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  code: string,
  message: RegExp,
];

/**
 * The bad uploads every image route (`/api/predict`, `/api/read`) answers alike, since both
 * read their image through the same parsing; each route's own cases come on top.
 *
 * @param server the app under test, asked for at send time (tests build it in `beforeAll`)
 */
export function badUploadCases(server: () => FastifyInstance, url: string): BadInputCase[] {
  const post = (payload: Buffer, type = 'image/png') =>
    server().inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
  return [
    [
      'not an image',
      () => post(Buffer.from('hello, not a picture')),
      422,
      'BAD_IMAGE',
      /^upload: not an image that can be decoded \(PNG, JPEG/,
    ],
    [
      'a truncated PNG',
      () => post(L_PNG.subarray(0, 120)),
      422,
      'BAD_IMAGE',
      /^upload: (cannot decode|not an image)/,
    ],
    ['a 0x0 PNG', () => post(pngHeaderOnly(0, 0)), 422, 'BAD_IMAGE', /^upload: /],
    [
      'a 20000x20000 image',
      () => post(hugeBlackPng(20000)),
      422,
      'BAD_IMAGE',
      /20000x20000 = 400000000 px exceeds the limit of 24000000/,
    ],
    ['a huge body', () => post(Buffer.alloc(300 * 1024, 1)), 413, 'TOO_LARGE', /262144 bytes/],
    [
      'a wrong content type',
      () => post(Buffer.from('hello'), 'text/plain'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /expected an image .* got text\/plain/,
    ],
    [
      'a missing multipart field',
      () =>
        server().inject({ method: 'POST', url, ...multipart([{ name: 'comment', data: 'hi' }]) }),
      400,
      'BAD_REQUEST',
      /expected a file in the field 'image'.*got only the field\(s\) comment/,
    ],
    [
      'a JSON image that is not base64',
      () => server().inject({ method: 'POST', url, payload: { image: 'not base64!' } }),
      400,
      'BAD_REQUEST',
      /body\/image must match pattern/,
    ],
    [
      'invalid JSON',
      () =>
        server().inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: '{"image": ',
        }),
      400,
      'BAD_REQUEST',
      /not valid JSON/,
    ],
    [
      'an empty request',
      () => server().inject({ method: 'POST', url }),
      400,
      'BAD_REQUEST',
      /got an empty request/,
    ],
  ];
}
