// POST /api/ink: strokes as JSON in the Handwriting Recognition API's point shape, or W3C
// InkML, read like an uploaded line (the answer of /api/read), and hostile ink (a million
// points, ten thousand strokes, NaN, deep or entity-laden InkML) refused with BAD_INK (422)
// before anything is drawn.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import { packagePath } from '../../src/node/package-root.js';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'ink', name), 'utf8');

/** An "L" and a "1" written side by side, as a page's pointer events give them. */
const L1 = {
  strokes: [
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
  ],
};

describe('POST /api/ink', () => {
  let dir: string;
  let loaded: LoadedModel;
  let app: FastifyInstance;

  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'hcr-ink-'));
    loaded = await loadModel(packagePath('models/alnum36'));
    // No line model: these pin the glyph reader (test/server/line-read.test.ts reads ink with one).
    app = await buildServer({
      model: loaded,
      lineModel: false,
      webRoot: dir,
      concurrency: 1,
      rateLimitPerMinute: 0,
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    loaded?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads strokes as JSON with the served model', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/ink', payload: L1 });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { text: string; lines: unknown[] };
    expect(body.lines).toHaveLength(1);
    expect(body.text).toBe('L1');
  });

  it('reads InkML, and strokes as {points}', async () => {
    const inkml = await app.inject({
      method: 'POST',
      url: '/api/ink?top=2',
      headers: { 'content-type': 'application/inkml+xml' },
      payload: fixture('unipen-hello.inkml'),
    });
    expect(inkml.statusCode).toBe(200);
    expect(typeof (inkml.json() as { text: string }).text).toBe('string');
    const points = await app.inject({
      method: 'POST',
      url: '/api/ink',
      payload: { strokes: L1.strokes.map((points) => ({ points })) },
    });
    expect((points.json() as { text: string }).text).toBe('L1');
    const bare = await app.inject({ method: 'POST', url: '/api/ink', payload: L1.strokes });
    expect((bare.json() as { text: string }).text).toBe('L1');
  });

  it('checks the reading options as /api/read does: a bad one is a 400 that names it', async () => {
    for (const query of ['decoder=bogus', 'contextScope=some', 'lmWeight=heavy', 'keepSpacing=2']) {
      const [name] = query.split('=');
      const ink = await app.inject({ method: 'POST', url: `/api/ink?${query}`, payload: L1 });
      expect(ink.statusCode, query).toBe(400);
      expect(ink.json().message, query).toContain(name);
    }
    // ?top= up to the served model's classes, with /api/read's message beyond them
    const top = await app.inject({ method: 'POST', url: '/api/ink?top=36', payload: L1 });
    expect(top.statusCode).toBe(200);
    const over = await app.inject({ method: 'POST', url: '/api/ink?top=37', payload: L1 });
    const read = await app.inject({
      method: 'POST',
      url: '/api/read?top=37',
      headers: { 'content-type': 'image/png' },
      payload: Buffer.from('x'),
    });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toEqual(read.json());
    // and a good one reaches the reader coerced: 'false' is false, not a truthy string
    const spaced = await app.inject({
      method: 'POST',
      url: '/api/ink?keepSpacing=false&lmWeight=0.5&decoder=rules',
      payload: L1,
    });
    expect(spaced.statusCode).toBe(200);
  });

  it('refuses a million points by the upload limit, before parsing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/ink',
      payload: { strokes: [Array.from({ length: 1_000_000 }, () => ({ x: 1, y: 1 }))] },
    });
    expect(res.statusCode).toBe(413);
  });

  it('refuses hostile ink with BAD_INK and a message that says what and where', async () => {
    const post = (payload: unknown, type = 'application/json') =>
      app.inject({
        method: 'POST',
        url: '/api/ink',
        headers: { 'content-type': type },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
    const cases: [unknown, RegExp, string?][] = [
      [
        { strokes: Array.from({ length: 10_000 }, () => [{ x: 0, y: 0 }]) },
        /at most 2000 strokes, got 10000/,
      ],
      [
        { strokes: [Array.from({ length: 300_000 }, () => ({ x: 1, y: 1 }))] },
        /at most 200000 points, got 300000/,
      ],
      [
        { strokes: [[{ x: 1, y: null }]] },
        /stroke 0, point 0: expected y to be a finite number, got null/,
      ],
      [
        `<ink>${'<traceGroup>'.repeat(5000)}${'</traceGroup>'.repeat(5000)}</ink>`,
        /nested at most 64 deep/,
        'application/xml',
      ],
      [
        '<!DOCTYPE ink [<!ENTITY a "1 2, 1 2, 1 2"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><ink><trace>&b;</trace></ink>',
        /expected a number, got "&b;"/,
        'text/xml',
      ],
      [
        '<ink><trace>1 NaN</trace></ink>',
        /trace 0: point 0: expected a number, got "NaN"/,
        'application/inkml+xml',
      ],
    ];
    for (const [payload, message, type] of cases) {
      const res = await post(payload, type);
      if (res.statusCode === 200) throw new Error(`accepted: ${String(payload).slice(0, 60)}`);
      const body = res.json() as { code: string; message: string };
      expect(res.statusCode, res.body.slice(0, 200)).toBe(422);
      expect(body.code).toBe('BAD_INK');
      expect(body.message).toMatch(message);
    }
  });
});
