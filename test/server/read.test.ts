// POST /api/read through app.inject(): a synthetic line of two characters reads as two, with
// boxes where they were drawn, in every input form; options by query; a blank page and ink
// without characters are answers, not errors; bad input gets the same 4xx JSON errors as
// /api/predict and the server keeps serving; no tensor is left behind over many requests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_DEFAULTS } from '../../src/core/read/options.js';
import type { ReadResult } from '../../src/core/read/read.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer, type ServerEvent } from '../../src/node/server/app.js';
import {
  LINE_GLYPHS,
  L_PNG,
  grayPng,
  linePng,
  multipart,
  saveFixtureModel,
  type PixelBoxLike,
  badUploadCases,
  expectError,
  type BadInputCase,
} from './helpers.js';

let dir: string;
let loaded: LoadedModel;
let app: FastifyInstance;
let line: Awaited<ReturnType<typeof linePng>>;
const events: ServerEvent[] = [];

const postRead = (payload: Buffer, type = 'image/png', query = '') =>
  app.inject({
    method: 'POST',
    url: `/api/read${query}`,
    headers: { 'content-type': type },
    payload,
  });

/** The share of box `a` that box `b` covers. */
function covered(a: PixelBoxLike, b: PixelBoxLike): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? (w * h) / (a.width * a.height) : 0;
}

function expectTwoCharacters(result: ReadResult): void {
  expect(result.status).toBe('ok');
  expect(result.lines).toHaveLength(1);
  const characters = result.lines[0]!.characters;
  expect(characters).toHaveLength(2);
  expect(result.text).toHaveLength(2);
  expect(result.text).not.toMatch(/\s/);
  expect([result.width, result.height]).toEqual([line.width, line.height]);
  expect(result.inverted).toBe(true);
  characters.forEach((c, i) => {
    // Each box holds the glyph drawn there (allowing for anti-aliasing at the pen's edge).
    expect(covered(c.box, line.boxes[i]!)).toBeGreaterThan(0.85);
    expect(covered(line.boxes[i]!, c.box)).toBeGreaterThan(0.85);
    expect(c.top).toHaveLength(READ_DEFAULTS.top);
    const probs = c.top.map((t) => t.probability);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    expect(loaded.labelSet.classes).toContain(c.label);
    expect(Array.isArray(c.alternatives)).toBe(true);
  });
}

async function expectStillServing(): Promise<void> {
  const res = await postRead(line.png);
  expect(res.statusCode).toBe(200);
  expect((res.json() as ReadResult).lines[0]!.characters).toHaveLength(2);
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-read-api-'));
  loaded = await loadModel(await saveFixtureModel(join(dir, 'model')));
  app = await buildServer({
    model: loaded,
    // The glyph reader's answers: a shipped line model would read these lines otherwise.
    lineModel: false,
    webRoot: join(dir, 'web'),
    rateLimitPerMinute: 0,
    maxUploadBytes: 256 * 1024,
    onEvent: (e) => events.push(e),
  });
  line = await linePng([LINE_GLYPHS.L, LINE_GLYPHS['7']]);
});

afterAll(async () => {
  await app?.close();
  loaded?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('POST /api/read', () => {
  it('reads a line of two characters: text, boxes where they were drawn, top 3 each', async () => {
    const res = await postRead(line.png);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const result = res.json() as ReadResult;
    expectTwoCharacters(result);
    expect(result.context).toBe(true);
    expect(result.text).toBe(result.lines[0]!.characters.map((c) => c.label).join(''));
  });

  it('gives the same answer for a form upload and a JSON data URL', async () => {
    const raw = (await postRead(line.png)).json();
    const form = multipart([{ name: 'image', filename: 'line.png', data: line.png }]);
    const viaForm = await app.inject({ method: 'POST', url: '/api/read', ...form });
    expect(viaForm.json()).toEqual(raw);
    const viaJson = await app.inject({
      method: 'POST',
      url: '/api/read',
      payload: { image: `data:image/png;base64,${line.png.toString('base64')}` },
    });
    expect(viaJson.json()).toEqual(raw);
  });

  it('takes ?reader=glyphs (the line model reads by default when one is installed) and refuses another reader', async () => {
    const res = await postRead(line.png, 'image/png', '?reader=glyphs');
    expect(res.statusCode).toBe(200);
    const result = res.json() as ReadResult;
    expectTwoCharacters(result);
    expect(result.reader).toBeUndefined();
    expect((await postRead(line.png, 'image/png', '?reader=words')).statusCode).toBe(400);
  });

  it('takes ?top= and ?context=false', async () => {
    const res = await postRead(line.png, 'image/png', '?top=5&context=false');
    const result = res.json() as ReadResult;
    expect(result.context).toBe(false);
    expect(result.text).toBe(result.rawText);
    for (const c of result.lines[0]!.characters) {
      expect(c.top).toHaveLength(5);
      expect(c.label).toBe(c.raw);
      expect(c.label).toBe(c.top[0]!.label);
    }
    const all = await postRead(line.png, 'image/png', '?top=36&contextScope=all');
    expect((all.json() as ReadResult).lines[0]!.characters[0]!.top).toHaveLength(36);
  });

  it('takes ?charset=, ?pattern=, ?lexicon= and ?alternatives=, decoding with the language model', async () => {
    const plain = (await postRead(line.png)).json() as ReadResult;
    expect(plain.decoder).toBe('language-model');
    const digits = (await postRead(line.png, 'image/png', '?charset=digits')).json() as ReadResult;
    expect(digits.text).toMatch(/^\d\d$/);
    const shaped = (
      await postRead(line.png, 'image/png', `?pattern=${encodeURIComponent('A9')}`)
    ).json() as ReadResult;
    expect(shaped.text).toMatch(/^[A-Z]\d$/);
    expect(shaped.lines[0]!.patternMatched).toBe(true);
    const lexicon = encodeURIComponent('L7\nXY\n12');
    const entry = (
      await postRead(line.png, 'image/png', `?lexicon=${lexicon}`)
    ).json() as ReadResult;
    expect(['L7', 'XY', '12']).toContain(entry.text);
    expect(entry.lines[0]!.lexicon).toMatchObject({ entry: entry.text });
    expect(entry.lines[0]!.lexicon!.reading).toMatch(/^[0-9A-Z]{2}$/);
    const three = (await postRead(line.png, 'image/png', '?alternatives=3')).json() as ReadResult;
    expect(three.lines[0]!.alternatives).toHaveLength(3);
    expect(three.lines[0]!.alternatives![0]!.text).toBe(three.text);
  });

  it('answers a bad pattern or lexicon with a 400 naming the position', async () => {
    const pattern = await postRead(
      line.png,
      'image/png',
      `?pattern=${encodeURIComponent('[A-Z]{2')}`,
    );
    expect(pattern.statusCode).toBe(400);
    expect(pattern.json().message).toMatch(/pattern '\[A-Z\]\{2', position 6: expected '\}'/);
    const lexicon = await postRead(
      line.png,
      'image/png',
      `?lexicon=${encodeURIComponent('OK\nNO WAY?')}`,
    );
    expect(lexicon.statusCode).toBe(400);
    expect(lexicon.json().message).toMatch(/lexicon: line 2, column 7: '\?' is not a character/);
    const charset = await postRead(line.png, 'image/png', '?charset=%2B%2B');
    expect(charset.statusCode).toBe(400);
    expect(charset.json().message).toMatch(
      /charset: expected digits, letters, alnum or characters/,
    );
    await expectStillServing();
  });

  it('answers a blank page and ink without characters with a message, not an error', async () => {
    const blank = await postRead(await grayPng(300, 100));
    expect(blank.statusCode).toBe(200);
    expect(blank.json()).toMatchObject({
      status: 'blank',
      text: '',
      lines: [],
      message: expect.stringMatching(/^upload: blank image, no ink found/),
    });
    const one = await postRead(await grayPng(1, 1));
    expect(one.json()).toMatchObject({ status: 'blank', text: '' });

    // Specks: three 3x3 dots, each under the 8 px a character is at least.
    const specks = Buffer.alloc(200 * 80, 255);
    for (const x0 of [40, 100, 160]) {
      for (let y = 38; y < 41; y++) specks.fill(0, y * 200 + x0, y * 200 + x0 + 3);
    }
    const png = await sharp(specks, { raw: { width: 200, height: 80, channels: 1 } })
      .png()
      .toBuffer();
    const form = multipart([{ name: 'image', filename: 'dots.png', data: png }]);
    const res = await app.inject({ method: 'POST', url: '/api/read', ...form });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'no-characters',
      text: '',
      message: expect.stringMatching(/^dots\.png: no character-like components/),
    });
  });
});

describe('POST /api/read with bad input: a 4xx JSON error, and the server keeps serving', () => {
  const cases: BadInputCase[] = [
    ...badUploadCases(() => app, '/api/read'),
    [
      'a batch field',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/read',
          ...multipart([{ name: 'images', filename: 'a.png', data: L_PNG }]),
        }),
      400,
      'BAD_REQUEST',
      /expected one file in the field 'image', got a file in 'images'/,
    ],
    [
      'two files in "image"',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/read',
          ...multipart([
            { name: 'image', filename: 'a.png', data: L_PNG },
            { name: 'image', filename: 'b.png', data: L_PNG },
          ]),
        }),
      400,
      'BAD_REQUEST',
      /expected one file in 'image', got 2 files: this route reads one image/,
    ],
    [
      'a JSON list of images',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/read',
          payload: { images: [L_PNG.toString('base64')] },
        }),
      400,
      'BAD_REQUEST',
      /expected a field "image" \(one base64 image or data URL\), got only images/,
    ],
    [
      '?top=0',
      () => postRead(L_PNG, 'image/png', '?top=0'),
      400,
      'BAD_REQUEST',
      /top must be >= 1/,
    ],
    [
      '?top=37',
      () => postRead(L_PNG, 'image/png', '?top=37'),
      400,
      'BAD_REQUEST',
      /top must be <= 36/,
    ],
    [
      '?context=maybe',
      () => postRead(L_PNG, 'image/png', '?context=maybe'),
      400,
      'BAD_REQUEST',
      /context must be boolean/,
    ],
    [
      '?contextScope=words',
      () => postRead(L_PNG, 'image/png', '?contextScope=words'),
      400,
      'BAD_REQUEST',
      /contextScope must be equal to one of the allowed values/,
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, code, message) => {
    expectError(await send(), status, code, message);
    await expectStillServing();
  });

  it("reports no error event for bad input (those are the client's, not the server's)", () => {
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });
});

it('leaves no tensor behind over many requests, good and bad', async () => {
  const blank = await grayPng(200, 80);
  const three = await linePng([LINE_GLYPHS['1'], LINE_GLYPHS.L, LINE_GLYPHS['7']], { gap: 40 });
  const bodies = [line.png, three.png, blank, Buffer.from('x')];
  for (const body of bodies) await postRead(body);
  const before = tf.memory().numTensors;
  const statuses = new Set<number>();
  for (let i = 0; i < 40; i++)
    statuses.add((await postRead(bodies[i % bodies.length]!)).statusCode);
  expect(statuses).toEqual(new Set([200, 422]));
  expect(tf.memory().numTensors).toBe(before);
  const threeRead = (await postRead(three.png)).json() as ReadResult;
  expect(threeRead.lines[0]!.characters).toHaveLength(3);
});
