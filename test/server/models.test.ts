// Several models in one server (issue 16), through app.inject(): GET /api/models lists them,
// ?model=NAME picks one for /api/predict, /api/read and /api/model, an unknown name is a 400 that
// lists the served names, each model's browser files sit under /model/NAME/ (the default's also
// under /model/), a second model's workers start only on its first request, and two models of
// one name are refused. Also which shipped directories `hcr serve` serves without --model.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import type { ReadResult } from '../../src/core/read/read.js';
import { DEFAULT_MODEL_DIR } from '../../src/node/cli/common.js';
import { shippedModelDirs } from '../../src/node/cli/serve.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { packagePath } from '../../src/node/package-root.js';
import { buildServer, type ServerEvent } from '../../src/node/server/app.js';
import { describeClasses } from '../../src/node/server/served-models.js';
import {
  LINE_GLYPHS,
  L_PNG,
  expectError,
  linePng,
  multipart,
  saveFixtureModel,
} from './helpers.js';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { saveLineModel } from '../../src/node/model/line-artifact.js';

let dir: string;
let loaded: LoadedModel;
let app: FastifyInstance;
const events: ServerEvent[] = [];

const post = (url: string, payload: Buffer = L_PNG) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'image/png' }, payload });

const workers = async (): Promise<number> =>
  ((await app.inject('/healthz')).json() as { workers: { workers: number } }).workers.workers;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-models-'));
  loaded = await loadModel(await saveFixtureModel(join(dir, 'alnum36'), { O: 6 }));
  await saveFixtureModel(join(dir, 'byclass62'), { o: 6 }, LABEL_SETS.byclass62);
  app = await buildServer({
    model: loaded,
    // The glyph reader's answers: a shipped line model would read these lines otherwise.
    lineModel: false,
    moreModels: [join(dir, 'byclass62')],
    webRoot: join(dir, 'web'),
    rateLimitPerMinute: 0,
    concurrency: 1,
    onEvent: (e) => events.push(e),
  });
});

afterAll(async () => {
  await app?.close();
  loaded?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('several models', () => {
  it('lists them: name, label set, a line for people, the default, the browser files', async () => {
    const res = await app.inject('/api/models');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.default).toBe('alnum36');
    expect(body.models).toEqual([
      {
        name: 'alnum36',
        default: true,
        title: 'digits and capitals',
        description: 'digits and capitals',
        labelSet: { name: 'alnum36', classes: LABEL_SETS.alnum36.classes },
        architecture: 'tiny',
        browserModel: '/model/alnum36/model.json',
        browserFiles: {
          'model.json': '/model/alnum36/model.json',
          'weights.bin': '/model/alnum36/weights.bin',
        },
        info: '/api/model?model=alnum36',
      },
      {
        name: 'byclass62',
        default: false,
        title: 'all characters',
        description: 'all characters: digits, capitals and lowercase',
        labelSet: { name: 'byclass62', classes: LABEL_SETS.byclass62.classes },
        architecture: 'tiny',
        browserModel: '/model/byclass62/model.json',
        browserFiles: {
          'model.json': '/model/byclass62/model.json',
          'weights.bin': '/model/byclass62/weights.bin',
        },
        info: '/api/model?model=byclass62',
      },
    ]);
  });

  it('starts a second model only on its first API request, then reads with it', async () => {
    expect(await workers()).toBe(1);
    // Describing it or serving its files to the page starts nothing.
    expect((await app.inject('/api/model?model=byclass62')).statusCode).toBe(200);
    expect((await app.inject('/model/byclass62/weights.bin')).statusCode).toBe(200);
    expect(await workers()).toBe(1);

    const res = await post('/api/predict?model=byclass62&top=62');
    expect(res.statusCode).toBe(200);
    const predictions = res.json().predictions as { label: string }[];
    expect(predictions).toHaveLength(62);
    expect(predictions[0]!.label).toBe('o');
    expect(await workers()).toBe(2);

    const byDefault = await post('/api/predict');
    expect(byDefault.json().predictions[0].label).toBe('O');
    const named = await post('/api/predict?model=alnum36');
    expect(named.json().predictions).toEqual(byDefault.json().predictions);
    expect(await workers()).toBe(2);
  });

  it('reads a line with the model named, and takes a batch', async () => {
    const line = await linePng([LINE_GLYPHS.L, LINE_GLYPHS['7']]);
    const res = await post('/api/read?model=byclass62&top=3', line.png);
    expect(res.statusCode).toBe(200);
    const result = res.json() as ReadResult;
    expect(result.lines[0]!.characters).toHaveLength(2);
    for (const c of result.lines[0]!.characters) {
      expect(LABEL_SETS.byclass62.classes).toContain(c.label);
      expect(c.top).toHaveLength(3);
    }
    const batch = await app.inject({
      method: 'POST',
      url: '/api/predict?model=byclass62',
      ...multipart([
        { name: 'images', filename: 'a.png', data: L_PNG },
        { name: 'images', filename: 'b.png', data: L_PNG },
      ]),
    });
    expect(batch.statusCode).toBe(200);
    expect(
      batch
        .json()
        .results.map((r: { predictions: { label: string }[] }) => r.predictions[0]!.label),
    ).toEqual(['o', 'o']);
  });

  it("answers GET /api/model for the default unchanged, and for ?model= that model's", async () => {
    const plain = (await app.inject('/api/model')).json();
    expect(plain.labelSet.name).toBe('alnum36');
    expect(plain.browserModel).toBe('/model/model.json');
    expect(plain).not.toHaveProperty('name');
    const other = (await app.inject('/api/model?model=byclass62')).json();
    expect(other.labelSet.classes).toEqual(LABEL_SETS.byclass62.classes);
    expect(other.browserModel).toBe('/model/byclass62/model.json');
    expect(other.limits).toEqual(plain.limits);
  });

  it('refuses an unknown model with a 400 that lists the served ones', async () => {
    const unknown = /no model named 'nope' on this server; expected one of alnum36, byclass62/;
    expectError(await post('/api/predict?model=nope'), 400, 'BAD_REQUEST', unknown);
    expectError(await post('/api/read?model=nope'), 400, 'BAD_REQUEST', unknown);
    expectError(await app.inject('/api/model?model=nope'), 400, 'BAD_REQUEST', unknown);
    expectError(
      await post('/api/predict?model='),
      400,
      'BAD_REQUEST',
      /model must NOT have fewer than 1 characters/,
    );
  });

  it("checks ?top= against the named model's classes", async () => {
    expectError(await post('/api/predict?top=62'), 400, 'BAD_REQUEST', /top must be <= 36/);
    expectError(
      await post('/api/read?model=alnum36&top=40'),
      400,
      'BAD_REQUEST',
      /top must be <= 36 \(the classes of the model alnum36\)/,
    );
    expectError(
      await post('/api/predict?model=byclass62&top=63'),
      400,
      'BAD_REQUEST',
      /top must be <= 62/,
    );
  });

  it('serves each model its browser files under /model/NAME/, the default also under /model/', async () => {
    const json = await app.inject('/model/byclass62/model.json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json().weightsManifest[0].paths).toEqual(['weights.bin']);
    const weights = await app.inject('/model/byclass62/weights.bin');
    const etag = weights.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await app.inject({
      url: '/model/byclass62/weights.bin',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);

    const legacy = await app.inject('/model/weights.bin');
    const named = await app.inject('/model/alnum36/weights.bin');
    expect(named.rawPayload.equals(legacy.rawPayload)).toBe(true);
    expect(named.headers.etag).toBe(legacy.headers.etag);
    expect(named.headers.etag).not.toBe(etag);

    expectError(
      await app.inject('/model/nope/model.json'),
      404,
      'NOT_FOUND',
      /no such model: nope \(this server serves alnum36, byclass62\)/,
    );
    expectError(
      await app.inject('/model/byclass62/hcr.json'),
      404,
      'NOT_FOUND',
      /no such model file: hcr\.json/,
    );
  });

  it('reported no unexpected error', () => {
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });
});

describe('what is served', () => {
  it('refuses two models of one name, and a second model that is not there', async () => {
    await saveFixtureModel(join(dir, 'other', 'alnum36'));
    await expect(
      buildServer({ model: loaded, moreModels: [join(dir, 'other', 'alnum36')] }),
    ).rejects.toThrow(/two models named 'alnum36' \(.*alnum36 and .*other\/alnum36\)/);
    await expect(
      buildServer({ model: loaded, moreModels: [join(dir, 'missing')] }),
    ).rejects.toThrow(/missing: no such model directory/);
  });

  it('serves one model without a switch to offer: /api/models lists it alone', async () => {
    const single = await buildServer({ model: loaded, webRoot: join(dir, 'web'), concurrency: 1 });
    try {
      const body = (await single.inject('/api/models')).json();
      expect(body.models.map((m: { name: string }) => m.name)).toEqual(['alnum36']);
      expect((await single.inject('/model/alnum36/model.json')).statusCode).toBe(200);
    } finally {
      await single.close();
    }
  });

  it('serves every shipped classifier without --model, the default first', async () => {
    const root = join(dir, 'shipped');
    for (const name of ['byclass62', 'alnum36', 'alnum36.checkpoint']) {
      await saveFixtureModel(join(root, name));
    }
    await mkdir(join(root, 'lm-en'), { recursive: true });
    await writeFile(join(root, 'lm-en', 'language-model.json'), '{}');
    await mkdir(join(root, 'replay-alnum36'), { recursive: true });
    await writeFile(join(root, 'replay-alnum36', 'replay.json'), '{}');
    await mkdir(join(root, '.byclass62.tmp-1-ab'), { recursive: true });
    // A line model is served beside the classifiers (the lineModel option), not as one.
    const line = getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1);
    await saveLineModel(join(root, 'line-en'), line, {
      charset: LINE_CHARSET,
      architecture: 'line-tiny',
      training: {},
      data: {},
      metrics: {},
    });
    line.dispose();
    expect(await shippedModelDirs(root, join(root, 'alnum36'))).toEqual([
      join(root, 'alnum36'),
      join(root, 'byclass62'),
    ]);
    await expect(shippedModelDirs(join(dir, 'none'))).rejects.toThrow(/no shipped model under/);
    // The package's own: the default first, the language model and replay sample left out.
    const dirs = await shippedModelDirs();
    expect(dirs[0]).toBe(DEFAULT_MODEL_DIR);
    expect(dirs).toContain(packagePath('models', 'byclass62'));
    expect(dirs).not.toContain(packagePath('models', 'lm-en'));
    expect(dirs).not.toContain(packagePath('models', 'replay-alnum36'));
  });

  it('describes label sets in words', () => {
    expect(describeClasses(LABEL_SETS.alnum36.classes).description).toBe('digits and capitals');
    expect(describeClasses(LABEL_SETS.byclass62.classes)).toEqual({
      title: 'all characters',
      description: 'all characters: digits, capitals and lowercase',
    });
    expect(describeClasses(LABEL_SETS.digits.classes).description).toBe('digits');
    expect(describeClasses(LABEL_SETS.letters.classes).description).toBe('capitals');
    expect(describeClasses(['A', 'b', '?']).description).toBe(
      'capitals, lowercase and other characters',
    );
  });
});
