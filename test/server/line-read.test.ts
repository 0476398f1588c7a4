// A server with a line model (issue 21 §4), through app.inject(): POST /api/read reads each line
// whole with it (?reader=glyphs with the served character model), so does POST /api/ink (strokes
// rendered at the line model's scale and pen), GET /api/models announces it,
// the page downloads its files from /line-model/, and a server with none says so.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import type { ReadResult } from '../../src/core/read/read.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { saveLineModel } from '../../src/node/model/line-artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import { LINE_GLYPHS, linePng, saveFixtureModel } from './helpers.js';

let dir: string;
let loaded: LoadedModel;
let app: FastifyInstance;
let line: Awaited<ReturnType<typeof linePng>>;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-line-api-'));
  loaded = await loadModel(await saveFixtureModel(join(dir, 'model')));
  const model = getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1);
  await saveLineModel(join(dir, 'line'), model, {
    charset: LINE_CHARSET,
    architecture: 'line-tiny',
    training: {},
    data: {},
    metrics: {},
  });
  model.dispose();
  app = await buildServer({
    model: loaded,
    lineModel: join(dir, 'line'),
    webRoot: join(dir, 'web'),
    rateLimitPerMinute: 0,
    concurrency: 1,
  });
  line = await linePng([LINE_GLYPHS.L, LINE_GLYPHS['7']]);
});

afterAll(async () => {
  await app?.close();
  loaded?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const postRead = (query = '') =>
  app.inject({
    method: 'POST',
    url: `/api/read${query}`,
    headers: { 'content-type': 'image/png' },
    payload: line.png,
  });

// First in the file: the worker has not read a line yet.
it('counts the tensors a read leaves, not the line model a worker loads on its first read', async () => {
  const tensors = async (): Promise<number> => (await app.inject('/healthz')).json().tensors;
  const before = await tensors();
  expect((await postRead()).statusCode).toBe(200);
  expect(await tensors()).toBe(before);
  expect((await postRead()).statusCode).toBe(200);
  expect(await tensors()).toBe(before);
});

describe('a server with a line model', () => {
  it('reads /api/read lines whole with it, and glyphs when asked', async () => {
    const res = await postRead();
    expect(res.statusCode).toBe(200);
    const result = res.json() as ReadResult;
    expect(result).toMatchObject({ status: 'ok', reader: 'line' });
    expect(result.lines).toHaveLength(1);
    expect(Array.isArray(result.lines[0]!.words)).toBe(true);
    const glyphs = (await postRead('?reader=glyphs')).json() as ReadResult;
    expect(glyphs.reader).toBeUndefined();
    expect(glyphs.lines[0]!.characters).toHaveLength(2);
  });

  it("checks a lexicon against the line model's charset", async () => {
    // Lowercase and punctuation: the 36-class model cannot read them, the line model can.
    const ok = await postRead(`?lexicon=${encodeURIComponent("don't\nhello")}`);
    expect(ok.statusCode).toBe(200);
    const refused = await postRead(`?reader=glyphs&lexicon=${encodeURIComponent("don't")}`);
    expect(refused.statusCode).toBe(400);
  });

  it('reads /api/ink with it, and glyphs when asked', async () => {
    // "L1" as pointer strokes, 40 units tall: rendered at 64 px a line with the line model's pen.
    const strokes = [
      [
        { x: 10, y: 10, t: 0 },
        { x: 10, y: 50, t: 16 },
        { x: 32, y: 50, t: 32 },
      ],
      [
        { x: 50, y: 18, t: 200 },
        { x: 56, y: 10, t: 216 },
        { x: 56, y: 50, t: 232 },
      ],
    ];
    const res = await app.inject({ method: 'POST', url: '/api/ink', payload: { strokes } });
    expect(res.statusCode).toBe(200);
    const result = res.json() as ReadResult;
    expect(result).toMatchObject({ status: 'ok', reader: 'line' });
    expect(result.lines).toHaveLength(1);
    const glyphs = await app.inject({
      method: 'POST',
      url: '/api/ink?reader=glyphs',
      payload: { strokes },
    });
    expect(glyphs.statusCode).toBe(200);
    expect((glyphs.json() as ReadResult).reader).toBeUndefined();
    // The line model's charset decides what a lexicon may hold, as in /api/read.
    const lexicon = `?lexicon=${encodeURIComponent("don't")}`;
    const ok = await app.inject({
      method: 'POST',
      url: `/api/ink${lexicon}`,
      payload: { strokes },
    });
    expect(ok.statusCode).toBe(200);
    const refused = await app.inject({
      method: 'POST',
      url: `/api/ink${lexicon}&reader=glyphs`,
      payload: { strokes },
    });
    expect(refused.statusCode).toBe(400);
  });

  it('announces it in /api/models and serves its files to the page', async () => {
    const body = (await app.inject('/api/models')).json();
    expect(body.lineModel).toEqual({
      browserModel: '/line-model/model.json',
      charset: LINE_CHARSET,
      frameStride: 4,
      architecture: 'line-tiny',
    });
    const topology = await app.inject('/line-model/model.json');
    expect(topology.statusCode).toBe(200);
    expect(topology.json().weightsManifest[0].paths).toEqual(['weights.bin']);
    const weights = await app.inject('/line-model/weights.bin');
    expect(weights.statusCode).toBe(200);
    const again = await app.inject({
      url: '/line-model/weights.bin',
      headers: { 'if-none-match': weights.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect((await app.inject('/line-model/hcr.json')).json().kind).toBe('line');
    expect((await app.inject('/line-model/secret.txt')).statusCode).toBe(404);
  });

  it('says when none is served, and refuses a line model directory that holds none', async () => {
    const none = await buildServer({ model: loaded, lineModel: false, webRoot: join(dir, 'web') });
    try {
      expect((await none.inject('/api/models')).json().lineModel).toBeNull();
      const res = await none.inject('/line-model/model.json');
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toMatch(/no line model is served/);
    } finally {
      await none.close();
    }
    await expect(
      buildServer({ model: loaded, lineModel: join(dir, 'model'), webRoot: join(dir, 'web') }),
    ).rejects.toThrow(/no line model at .*model/);
  });
});
