// The HTTP API through app.inject() (no socket): answers, input forms, limits and every kind of
// bad input, each a 4xx JSON {code, message} after which the server still answers.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import { normalizeToMnist } from '../../src/core/normalize.js';
import { initEngine } from '../../src/node/engine/index.js';
import { HcrError } from '../../src/node/errors.js';
import { decodeImage } from '../../src/node/image/decode.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer, type ServerEvent } from '../../src/node/server/app.js';
import { SERVER_DEFAULTS, resolveServerLimits } from '../../src/node/server/config.js';
import { ApiError, toErrorReply } from '../../src/node/server/errors.js';
import {
  L_PNG,
  dataUrlPixels,
  grayPng,
  multipart,
  saveFixtureModel,
  badUploadCases,
  expectError,
  type BadInputCase,
} from './helpers.js';

let dir: string;
let loaded: LoadedModel;
let app: FastifyInstance;
let webRoot: string;
const events: ServerEvent[] = [];

const postImage = (payload: Buffer, type = 'image/png', url = '/api/predict') =>
  app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });

async function expectStillServing(): Promise<void> {
  const res = await postImage(L_PNG);
  expect(res.statusCode).toBe(200);
  expect(res.json().status).toBe('ok');
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-server-'));
  loaded = await loadModel(await saveFixtureModel(join(dir, 'model')));
  webRoot = join(dir, 'web');
  await mkdir(join(webRoot, 'assets'), { recursive: true });
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>hcr</title>');
  await writeFile(join(webRoot, 'assets', 'main-abc123.js'), 'export {};');
  app = await buildServer({
    model: loaded,
    webRoot,
    rateLimitPerMinute: 0,
    maxUploadBytes: 256 * 1024,
    onEvent: (e) => events.push(e),
  });
});

afterAll(async () => {
  await app?.close();
  loaded?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('answers', () => {
  it('reads a raw PNG body: top 5 classes, best first, and the 28x28 the model saw', async () => {
    const res = await postImage(L_PNG);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(body.predictions).toHaveLength(SERVER_DEFAULTS.top);
    const probs = body.predictions.map((p: { probability: number }) => p.probability);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    expect(probs.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
    for (const p of body.predictions) expect(loaded.labelSet.classes).toContain(p.label);
    expect(body.inverted).toBe(true);
    const expected = normalizeToMnist(await decodeImage(L_PNG)).pixels;
    expect(await dataUrlPixels(body.image)).toEqual(expected);
  });

  it('gives the same answer for a multipart upload and a JSON data URL', async () => {
    const raw = (await postImage(L_PNG)).json();
    const form = multipart([{ name: 'image', filename: 'L.png', data: L_PNG }]);
    const viaForm = await app.inject({ method: 'POST', url: '/api/predict', ...form });
    expect(viaForm.json()).toEqual(raw);
    const viaJson = await app.inject({
      method: 'POST',
      url: '/api/predict',
      payload: { image: `data:image/png;base64,${L_PNG.toString('base64')}` },
    });
    expect(viaJson.json()).toEqual(raw);
  });

  it('answers a batch in order, with an entry per image whether read, empty or broken', async () => {
    const blank = await grayPng(40, 40);
    const form = multipart([
      { name: 'images', filename: 'a.png', data: L_PNG },
      { name: 'images', filename: 'blank.png', data: blank },
      { name: 'images', filename: 'notes.txt', type: 'text/plain', data: 'not an image' },
      { name: 'images', filename: 'b.png', data: L_PNG },
    ]);
    const res = await app.inject({ method: 'POST', url: '/api/predict?top=2', ...form });
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results.map((r: { status: string }) => r.status)).toEqual([
      'ok',
      'empty',
      'error',
      'ok',
    ]);
    expect(results[0].predictions).toHaveLength(2);
    expect(results[3]).toEqual(results[0]);
    expect(results[1].message).toMatch(/blank\.png: no character found.*draw/);
    expect(results[2]).toMatchObject({
      code: 'BAD_IMAGE',
      message: expect.stringMatching(/^notes\.txt: not an image/),
    });

    const json = await app.inject({
      method: 'POST',
      url: '/api/predict',
      payload: { images: [L_PNG.toString('base64')] },
    });
    expect(json.json().results).toHaveLength(1);
  });

  it('takes ?top= between 1 and the number of classes', async () => {
    const res = await postImage(L_PNG, 'image/png', '/api/predict?top=36');
    expect(res.json().predictions).toHaveLength(36);
    expectError(
      await postImage(L_PNG, 'image/png', '/api/predict?top=0'),
      400,
      'BAD_REQUEST',
      /top must be >= 1/,
    );
    expectError(
      await postImage(L_PNG, 'image/png', '/api/predict?top=37'),
      400,
      'BAD_REQUEST',
      /top must be <= 36/,
    );
    expectError(
      await postImage(L_PNG, 'image/png', '/api/predict?top=two'),
      400,
      'BAD_REQUEST',
      /top must be integer/,
    );
  });

  it('describes the model without the training machine details', async () => {
    const res = await app.inject('/api/model');
    expect(res.statusCode).toBe(200);
    const info = res.json();
    expect(info.labelSet.name).toBe('alnum36');
    expect(info.labelSet.classes).toHaveLength(36);
    expect(info.architecture.name).toBe('tiny');
    expect(info.metrics['fixture-test'].accuracy).toBe(0.5);
    expect(info.browserModel).toBe('/model/model.json');
    expect(info.limits).toEqual({
      maxUploadBytes: 256 * 1024,
      maxPixels: SERVER_DEFAULTS.maxPixels,
      maxRequestPixels: SERVER_DEFAULTS.maxRequestPixels,
      maxCandidates: SERVER_DEFAULTS.maxCandidates,
      workTimeoutMs: SERVER_DEFAULTS.workTimeoutMs,
      maxBatch: SERVER_DEFAULTS.maxBatch,
      rateLimitPerMinute: 0,
      top: SERVER_DEFAULTS.top,
    });
    expect(info).not.toHaveProperty('files');
  });

  it('serves the model files for the browser, with an ETag, and nothing else of the model', async () => {
    const res = await app.inject('/model/model.json');
    expect(res.statusCode).toBe(200);
    expect(res.json().weightsManifest[0].paths).toEqual(['weights.bin']);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await app.inject({
      url: '/model/model.json',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    const weights = await app.inject('/model/weights.bin');
    expect(weights.rawPayload.length).toBe(loaded.metadata.files['weights.bin']!.bytes);
    expectError(
      await app.inject('/model/hcr.json'),
      404,
      'NOT_FOUND',
      /no such model file: hcr\.json/,
    );
    expect((await app.inject('/model/..%2Fhcr.json')).statusCode).toBe(404);
  });

  it('answers /healthz', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      rssBytes: expect.any(Number),
      tensors: expect.any(Number),
    });
  });

  it('serves the page with its security headers, hashed assets cached for good', async () => {
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const asset = await app.inject('/assets/main-abc123.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectError(
      await app.inject('/nothing-here'),
      404,
      'NOT_FOUND',
      /no such route: GET \/nothing-here/,
    );
  });
});

describe('bad input: a 4xx JSON error, and the server keeps serving', () => {
  const cases: BadInputCase[] = [
    ...badUploadCases(() => app, '/api/predict'),
    [
      'a 1x1 image',
      async () => postImage(await grayPng(1, 1)),
      422,
      'EMPTY_IMAGE',
      /^upload: no character found.*draw or upload a character/,
    ],
    [
      'a blank white image',
      async () => postImage(await grayPng(300, 200)),
      422,
      'EMPTY_IMAGE',
      /no character found/,
    ],
    [
      'a huge multipart file',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/predict',
          ...multipart([{ name: 'image', filename: 'big.png', data: Buffer.alloc(300 * 1024, 1) }]),
        }),
      413,
      'TOO_LARGE',
      /262144 bytes/,
    ],
    [
      'a file in the wrong field',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/predict',
          ...multipart([{ name: 'photo', filename: 'L.png', data: L_PNG }]),
        }),
      400,
      'BAD_REQUEST',
      /got a file in 'photo'/,
    ],
    [
      'two files in "image"',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/predict',
          ...multipart([
            { name: 'image', filename: 'a.png', data: L_PNG },
            { name: 'image', filename: 'b.png', data: L_PNG },
          ]),
        }),
      400,
      'BAD_REQUEST',
      /send several in 'images'/,
    ],
    [
      'a JSON body without its field',
      () => app.inject({ method: 'POST', url: '/api/predict', payload: { picture: 'abc' } }),
      400,
      'BAD_REQUEST',
      /expected a field "image".*got only picture/,
    ],
    [
      'an empty image body',
      () => postImage(Buffer.alloc(0)),
      422,
      'BAD_IMAGE',
      /^upload: empty file, expected an image/,
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

describe('the small items of issue 13', () => {
  it('takes parameters on an image media type (image/png; charset=utf-8)', async () => {
    const res = await postImage(L_PNG, 'image/png; charset=utf-8');
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ok');
  });

  it('refuses JSON fields of the wrong type instead of coercing them', async () => {
    const send = (payload: unknown) =>
      app.inject({ method: 'POST', url: '/api/predict', payload: payload as object });
    expectError(
      await send({ image: 12345 }),
      400,
      'BAD_REQUEST',
      /expected "image" to be a string \(base64 or a data URL\), got a number/,
    );
    expectError(
      await send({ images: [L_PNG.toString('base64'), true] }),
      400,
      'BAD_REQUEST',
      /expected "images" to be a list of strings .*got a boolean at images\[1\]/,
    );
    expectError(await send([1, 2]), 400, 'BAD_REQUEST', /expected an object .* got a list/);
  });

  it('answers 65 images as JSON with 413, as docs/HTTP-API.md says', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/predict',
      payload: { images: Array.from({ length: 65 }, () => 'iVBORw0KGgo=') },
    });
    expectError(res, 413, 'TOO_LARGE', /at most 64 images in one request, got 65/);
  });

  it('answers malformed multipart with 400, not 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/predict',
      headers: { 'content-type': 'multipart/form-data' },
      payload: 'no boundary here',
    });
    expectError(res, 400, 'BAD_REQUEST', /multipart body: malformed .*boundary/);
  });

  it('refuses an SVG upload with 415 and says why', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>');
    expectError(
      await postImage(svg, 'image/svg+xml'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /^upload: SVG is not accepted by this server .*send the drawing as PNG/,
    );
  });

  it("gives a forbidden static path the code FORBIDDEN and a bad URL hcr's body", async () => {
    await writeFile(join(webRoot, '.env'), 'SECRET=1');
    expectError(
      await app.inject('/.env'),
      403,
      'FORBIDDEN',
      /GET \/\.env: this path is not served/,
    );
    expectError(await app.inject('/index.html%00'), 400, 'BAD_REQUEST', /^GET \/index\.html%00: /);
    expectError(await app.inject('/%E0%A4%A'), 400, 'BAD_REQUEST', /not a valid url/);
  });
});

describe('limits and failures', () => {
  it('limits requests per client per minute', async () => {
    const limited = await buildServer({ model: loaded, webRoot, rateLimitPerMinute: 2 });
    try {
      expect((await limited.inject('/api/model')).statusCode).toBe(200);
      expect((await limited.inject('/api/model')).statusCode).toBe(200);
      expectError(
        await limited.inject('/api/model'),
        429,
        'RATE_LIMITED',
        /at most 2 work units per minute per client, all API routes together/,
      );
      expect((await limited.inject('/healthz')).statusCode).toBe(200);
      // Another client address has its own budget.
      const other = await limited.inject({ url: '/api/model', remoteAddress: '10.0.0.9' });
      expect(other.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('limits the number of images in a batch', async () => {
    const small = await buildServer({ model: loaded, webRoot, maxBatch: 2, rateLimitPerMinute: 0 });
    try {
      const form = multipart(
        [1, 2, 3].map((i) => ({ name: 'images', filename: `${i}.png`, data: L_PNG })),
      );
      expectError(
        await small.inject({ method: 'POST', url: '/api/predict', ...form }),
        413,
        'TOO_LARGE',
        /at most 2 images in one request/,
      );
      const json = await small.inject({
        method: 'POST',
        url: '/api/predict',
        payload: { images: [1, 2, 3].map(() => L_PNG.toString('base64')) },
      });
      // More images than the limit is a 413 in JSON as in a form (docs/HTTP-API.md's promise).
      expectError(json, 413, 'TOO_LARGE', /expected at most 2 images in one request, got 3/);
    } finally {
      await small.close();
    }
  });

  it('hides an unexpected failure behind a 500 without details, and reports it as an event', async () => {
    // A model whose label set does not match its outputs (36 outputs, 10 labels): the reader
    // in the worker finds the wrong number of probabilities, a failure of the server's.
    const broken = { ...loaded, labelSet: LABEL_SETS.digits };
    const seen: ServerEvent[] = [];
    const server = await buildServer({
      model: broken,
      lineModel: false, // the glyph reader's worker is what fails here
      webRoot,
      onEvent: (e) => seen.push(e),
    });
    try {
      const res = await server.inject({
        method: 'POST',
        url: '/api/read',
        headers: { 'content-type': 'image/png' },
        payload: L_PNG,
      });
      expectError(res, 500, 'INTERNAL', /^internal error/);
      expect(seen.some((e) => e.type === 'error' && e.url === '/api/read')).toBe(true);
      expect(seen.some((e) => e.type === 'request' && e.status === 500)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('says how to build the page when it is not built, and still serves the API', async () => {
    const bare = await buildServer({ model: loaded, webRoot: join(dir, 'no-such-web') });
    try {
      expectError(await bare.inject('/'), 503, 'UNAVAILABLE', /not built .*npm run build:web/);
      expect((await bare.inject('/api/model')).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('refuses a model directory whose browser files are gone', async () => {
    await rm(join(dir, 'gone'), { recursive: true, force: true });
    const gone = await loadModel(await saveFixtureModel(join(dir, 'gone')));
    try {
      await rm(join(dir, 'gone', 'weights.bin'));
      await expect(buildServer({ model: gone, webRoot })).rejects.toThrow(/weights\.bin: missing/);
    } finally {
      gone.dispose();
    }
  });
});

describe('resolveServerLimits', () => {
  it('fills in the documented defaults', () => {
    expect(resolveServerLimits()).toEqual({
      maxUploadBytes: 10 * 1024 * 1024,
      maxPixels: 24_000_000,
      maxBatch: 64,
      requestTimeoutMs: 30_000,
      rateLimitPerMinute: 600,
      top: 5,
      concurrency: 2,
      maxQueue: 16,
      maxRequestPixels: 48_000_000,
      maxCandidates: 4_000,
      workTimeoutMs: 10_000,
      maxQueueWaitMs: 10_000,
      maxJobsPerClient: 4,
    });
    expect(Object.isFrozen(resolveServerLimits())).toBe(true);
  });

  it('names the option, what it expects and what it got', () => {
    expect(() => resolveServerLimits({ maxBatch: 0 })).toThrow(
      /server maxBatch: expected a positive integer, got 0/,
    );
    expect(() => resolveServerLimits({ rateLimitPerMinute: -1 })).toThrow(
      /rateLimitPerMinute: expected an integer >= 0 \(0 = off\), got -1/,
    );
  });
});

describe('toErrorReply', () => {
  const limits = resolveServerLimits();
  it("keeps an HcrError's code and message with its HTTP status", () => {
    expect(toErrorReply(new HcrError('BAD_IMAGE', 'x.png: not an image'), { limits })).toEqual({
      status: 422,
      body: { code: 'BAD_IMAGE', message: 'x.png: not an image' },
      internal: false,
    });
  });

  it('hides unknown errors and 5xx HcrErrors', () => {
    const plain = toErrorReply(new TypeError('secret detail'), { limits });
    expect(plain).toMatchObject({ status: 500, internal: true, body: { code: 'INTERNAL' } });
    expect(plain.body.message).not.toMatch(/secret/);
    expect(toErrorReply(new HcrError('ENGINE', 'kernel x'), { limits }).body.message).not.toMatch(
      /kernel/,
    );
  });

  it('maps ApiError codes to their status', () => {
    expect(toErrorReply(new ApiError('EMPTY_IMAGE', 'blank'), { limits }).status).toBe(422);
  });
});
