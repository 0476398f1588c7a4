// The server under hostile input (issue 13), on a real socket: each bad request of the issue is
// answered within its work budget with its documented code while /healthz, polled throughout,
// answers within 100 ms; work past its time budget or whose client left is stopped (the worker
// is replaced); the queue is bounded; the rate limit weighs batches; memory comes back after.

import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import { LINE_GLYPHS, L_PNG, linePng, saveFixtureModel } from '../server/helpers.js';
import { blurSvg, gridOfBarsPng, malformedMultipart, truncatedJpeg } from './inputs.js';
import { startHostileServer, stopHostileServer, type HostileServer } from './serve-child.js';

let dir: string;
let loaded: LoadedModel;
let server: HostileServer;
let url: string;
let idleRssBytes: number;
let control: ChildProcess;
let controlUrl: string;
const controlLatencies: number[] = [];
/** The hostile inputs, made before the server starts so that making them loads nothing measured. */
const inputs = {} as {
  grid4800: Buffer;
  grid2400: Buffer;
  jpegEoi: Buffer;
  jpegCut: Buffer;
};

interface Answer {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

async function send(
  path: string,
  init: { body?: Buffer | string; type?: string; json?: unknown; method?: string } = {},
): Promise<Answer> {
  const start = performance.now();
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const type = init.json !== undefined ? 'application/json' : init.type;
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    ...(type ? { headers: { 'content-type': type } } : {}),
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: JSON.parse(text) as Record<string, unknown>,
    ms: performance.now() - start,
  };
}

const png = (body: Buffer, path = '/api/predict') => send(path, { body, type: 'image/png' });

/** Polls /healthz every 25 ms while `work` runs; answers the work's result and every latency. */
/**
 * Polls /healthz every 25 ms while `work` runs, and with each poll an idle control server in a
 * process of its own: what the control takes is the machine's scheduling, not hcr's.
 */
async function whilePolling<T>(work: () => Promise<T>): Promise<{ result: T; health: number[] }> {
  const health: number[] = [];
  let running = true;
  const timed = async (target: string): Promise<number> => {
    const start = performance.now();
    const res = await fetch(target);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    return performance.now() - start;
  };
  const poller = (async () => {
    while (running) {
      health.push(await timed(`${url}/healthz`));
      controlLatencies.push(await timed(controlUrl));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  try {
    const result = await work();
    return { result, health };
  } finally {
    running = false;
    await poller;
  }
}

function expectCode(answer: Answer, status: number, code: string, message: RegExp): void {
  expect({ status: answer.status, code: answer.body['code'] }).toEqual({ status, code });
  expect(answer.body['message']).toMatch(message);
  expect(Object.keys(answer.body).sort()).toEqual(['code', 'message']);
}

async function stillServing(): Promise<void> {
  const res = await png(L_PNG);
  expect(res.status).toBe(200);
  expect(res.body['status']).toBe('ok');
}

async function healthz(): Promise<{ rssBytes: number; workers: Record<string, number> }> {
  return (await send('/healthz')).body as never;
}

beforeAll(async () => {
  inputs.grid4800 = await gridOfBarsPng(4800);
  inputs.grid2400 = await gridOfBarsPng(2400);
  inputs.jpegEoi = await truncatedJpeg(4800, 2400, true);
  inputs.jpegCut = await truncatedJpeg(4800, 2400, false);
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-hostile-'));
  const modelDir = await saveFixtureModel(join(dir, 'model'));
  loaded = await loadModel(modelDir);
  // Work time budget smaller than the default so that the run stays short; the defaults are
  // tested in test/server/server.test.ts. The server runs with the allocator settings of
  // `hcr serve` (startHostileServer's default; docs/HTTP-API.md "Memory").
  server = await startHostileServer(modelDir, { rateLimitPerMinute: 0, workTimeoutMs: 6_000 });
  url = server.url;
  idleRssBytes = (await healthz()).rssBytes;
  control = spawn(
    process.execPath,
    [
      '-e',
      "require('http').createServer((q, s) => s.end('{}')).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port); })",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  controlUrl = await new Promise<string>((resolve) =>
    createInterface({ input: control.stdout! }).once('line', resolve),
  );
});

afterAll(async () => {
  control?.kill();
  if (server) await stopHostileServer(server);
  loaded?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('the issue 13 inputs, with /healthz polled throughout', () => {
  const latencies: number[] = [];

  it('refuses the 4800x4800 grid of bars on /api/read within its budget (OVER_BUDGET)', async () => {
    const grid = inputs.grid4800;
    expect(grid.length).toBeLessThan(200 * 1024);
    const { result, health } = await whilePolling(() => png(grid, '/api/read'));
    latencies.push(...health);
    expectCode(
      result,
      422,
      'OVER_BUDGET',
      /106600 candidate characters, over the work budget of 4000|longer than the budget of 6 s/,
    );
    expect(result.ms).toBeLessThan(6_000 + 2_000);
    await stillServing();
  });

  it('refuses the SVG with a 500-pixel blur at once (415), raw or in a form', async () => {
    const svg = blurSvg(4800);
    expect(svg.length).toBeLessThan(400);
    const { result, health } = await whilePolling(async () => [
      await send('/api/read', { body: svg, type: 'image/svg+xml' }),
      await png(svg),
      await send('/api/predict', {
        json: { images: [svg.toString('base64'), L_PNG.toString('base64')] },
      }),
    ]);
    latencies.push(...health);
    const [asSvg, asPng, batch] = result;
    expectCode(asSvg!, 415, 'UNSUPPORTED_MEDIA_TYPE', /SVG is not accepted by this server/);
    expectCode(asPng!, 415, 'UNSUPPORTED_MEDIA_TYPE', /SVG is not accepted/);
    expect(asSvg!.ms).toBeLessThan(1_000);
    const [first, second] = batch!.body['results'] as Record<string, unknown>[];
    expect(first).toMatchObject({ status: 'error', code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(second).toMatchObject({ status: 'ok' });
  });

  it('refuses a truncated JPEG whose header says 4800x4800 (422, never a prediction)', async () => {
    const { result, health } = await whilePolling(async () => [
      await send('/api/predict', {
        body: inputs.jpegEoi,
        type: 'image/jpeg',
      }),
      await send('/api/predict', {
        body: inputs.jpegCut,
        type: 'image/jpeg',
      }),
      await send('/api/read', { body: inputs.jpegEoi, type: 'image/jpeg' }),
    ]);
    latencies.push(...health);
    for (const answer of result) {
      expectCode(
        answer,
        422,
        'BAD_IMAGE',
        /cannot decode the image .*(premature end|Corrupt JPEG)/i,
      );
    }
    await stillServing();
  });

  it('refuses 64 lying JPEGs in one JSON request from their headers, before decoding any', async () => {
    const jpeg = inputs.jpegEoi.toString('base64');
    const { result, health } = await whilePolling(() =>
      send('/api/predict', { json: { images: Array.from({ length: 64 }, () => jpeg) } }),
    );
    latencies.push(...health);
    expectCode(
      result,
      422,
      'OVER_BUDGET',
      /64 image\(s\) of 1474560000 px in all exceed the work budget of 48000000 decoded pixels/,
    );
    // Within its budget (6 s of work), although it may wait for a worker being replaced.
    expect(result.ms).toBeLessThan(6_000);
    // Two of them fit the pixel budget: each is decoded, and each is refused as truncated.
    const two = await send('/api/predict', { json: { images: [jpeg, jpeg] } });
    expect(two.status).toBe(200);
    for (const entry of two.body['results'] as Record<string, unknown>[]) {
      expect(entry).toMatchObject({ status: 'error', code: 'BAD_IMAGE' });
    }
  });

  it('answers malformed multipart bodies with 400 BAD_REQUEST', async () => {
    for (const body of malformedMultipart()) {
      const answer = await send('/api/predict', {
        body: body.payload,
        type: body.headers['content-type']!,
      });
      expectCode(answer, 400, 'BAD_REQUEST', /^multipart body: malformed/);
    }
    await stillServing();
  });

  it('kept /healthz under 100 ms throughout', () => {
    expect(latencies.length).toBeGreaterThan(50);
    const p99 = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * 0.99)]!;
    // 99% of the answers within the 100 ms, plus what an idle control server polled at
    // the same moments took at its own 99th percentile: on a quiet machine that is a few ms, on
    // an oversubscribed one (this machine under the full suite: load 12 on 2 cores) the
    // scheduler alone delays answers past 100 ms, and that is not the server's doing. None
    // near a second: before the pool, one upload held the event loop for 139 s.
    expect(p99(latencies)).toBeLessThan(100 + p99(controlLatencies));
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });
});

describe('work budgets and cancellation', () => {
  it('stops work past its time budget, replaces the worker and keeps serving', async () => {
    const quick = await buildServer({
      model: loaded,
      lineModel: false, // the glyph reader's segmentation of the grid is the slow work
      webRoot: join(dir, 'web'),
      rateLimitPerMinute: 0,
      workTimeoutMs: 1_000,
      concurrency: 1,
    });
    try {
      // Segmenting this grid takes about 4 s on one core: far past the budget.
      const grid = inputs.grid4800;
      const started = performance.now();
      const res = await quick.inject({
        method: 'POST',
        url: '/api/read',
        headers: { 'content-type': 'image/png' },
        payload: grid,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        code: 'OVER_BUDGET',
        message: expect.stringMatching(/longer than the budget of 1 s per request and was stopped/),
      });
      expect(performance.now() - started).toBeLessThan(2_500);
      const health = (await quick.inject('/healthz')).json();
      expect(health.workers.restarts).toBe(1);
      // The replacement worker reads the next request (waiting for it to start if need be).
      const line = await linePng([LINE_GLYPHS.L, LINE_GLYPHS['1']]);
      const next = await quick.inject({
        method: 'POST',
        url: '/api/read',
        headers: { 'content-type': 'image/png' },
        payload: line.png,
      });
      expect(next.statusCode).toBe(200);
      expect(next.json().candidates).toBeGreaterThan(0);
    } finally {
      await quick.close();
    }
  });

  it('refuses requests past the queue with 503 BUSY', async () => {
    const small = await buildServer({
      model: loaded,
      webRoot: join(dir, 'web'),
      rateLimitPerMinute: 0,
      concurrency: 1,
      maxQueue: 1,
      workTimeoutMs: 2_000,
    });
    try {
      const grid = inputs.grid2400;
      const post = () =>
        small.inject({
          method: 'POST',
          url: '/api/read',
          headers: { 'content-type': 'image/png' },
          payload: grid,
        });
      const answers = await Promise.all([post(), post(), post()]);
      const statuses = answers.map((a) => a.statusCode).sort();
      expect(statuses).toContain(503);
      const busy = answers.find((a) => a.statusCode === 503)!;
      expect(busy.json()).toEqual({
        code: 'BUSY',
        message: expect.stringMatching(/server busy: 1 requests already wait for 1 worker/),
      });
    } finally {
      await small.close();
    }
  });

  it('shares the workers fairly between clients, and caps what one client may queue', async () => {
    const fair = await buildServer({
      model: loaded,
      webRoot: join(dir, 'web'),
      rateLimitPerMinute: 0,
      concurrency: 1,
      maxJobsPerClient: 3,
      workTimeoutMs: 5_000,
      // Generous, so that on a loaded machine no page waits out its turn: only the cap refuses.
      maxQueueWaitMs: 60_000,
    });
    try {
      const finished: string[] = [];
      const post = (name: string, remoteAddress: string, url: string, payload: Buffer) =>
        fair
          .inject({
            method: 'POST',
            url,
            remoteAddress,
            headers: { 'content-type': 'image/png' },
            payload,
          })
          .then((res) => {
            finished.push(name);
            return res;
          });
      // Client A sends four slow pages at once (each segments for a second or more, then is over
      // the candidate budget): three are taken, the fourth is refused.
      const pages = ['a1', 'a2', 'a3', 'a4'].map((name) =>
        post(name, '10.0.0.1', '/api/read', inputs.grid2400),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Client B's one character goes before A's second page.
      const character = post('b', '10.0.0.2', '/api/predict', L_PNG);
      const answers = await Promise.all([...pages, character]);
      const refused = answers.filter((a) => a.statusCode === 503);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.json()).toEqual({
        code: 'BUSY',
        message: expect.stringMatching(/this client already has 3 request\(s\) waiting or running/),
      });
      expect(answers.at(-1)!.statusCode).toBe(200);
      const order = finished.filter((name) => name !== 'a4');
      expect(order.indexOf('b')).toBeLessThan(order.indexOf('a2'));
      expect(order.indexOf('b')).toBeLessThan(order.indexOf('a3'));
    } finally {
      await fair.close();
    }
  });

  it('stops the work of a client that leaves', async () => {
    const before = (await healthz()).workers['restarts']!;
    const grid = inputs.grid4800;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${url}/api/read`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', 'content-length': grid.length },
      });
      req.on('error', () => resolve());
      req.end(grid, () => setTimeout(() => req.destroy(), 300));
      req.on('close', () => resolve());
    });
    await expect
      .poll(async () => (await healthz()).workers['restarts'], { timeout: 5_000, interval: 50 })
      .toBe(before + 1);
    expect((await healthz()).workers['busy']).toBe(0);
    await stillServing();
  });
});

describe('rate limit', () => {
  it('counts work across all API routes: a batch costs one unit per image', async () => {
    const limited = await buildServer({
      model: loaded,
      webRoot: join(dir, 'web'),
      rateLimitPerMinute: 10,
      concurrency: 1,
    });
    try {
      const batch = (n: number) =>
        limited.inject({
          method: 'POST',
          url: '/api/predict',
          payload: { images: Array.from({ length: n }, () => L_PNG.toString('base64')) },
        });
      const eight = await batch(8);
      expect(eight.statusCode).toBe(200);
      expect(eight.headers['x-ratelimit-remaining']).toBe('2');
      const three = await batch(3);
      expect(three.statusCode).toBe(429);
      expect(three.json()).toEqual({
        code: 'RATE_LIMITED',
        message: expect.stringMatching(
          /at most 10 work units per minute per client, all API routes/,
        ),
      });
      expect(Number(three.headers['retry-after'])).toBeGreaterThan(0);
      // The refused batch cost its first unit only: 9 spent, one left for any route.
      expect((await limited.inject('/api/model')).statusCode).toBe(200);
      const read = await limited.inject({
        method: 'POST',
        url: '/api/read',
        headers: { 'content-type': 'image/png' },
        payload: L_PNG,
      });
      expect(read.statusCode).toBe(429);
      expect((await limited.inject('/healthz')).statusCode).toBe(200);
      const other = await limited.inject({ url: '/api/model', remoteAddress: '10.0.0.9' });
      expect(other.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

it('brings the server memory back after the run (workers recycled), with no internal error', async () => {
  const { rssBytes, workers } = await healthz();
  expect(workers['busy']).toBe(0);
  // Workers that ran over budget or held much memory were replaced.
  expect(workers['restarts']).toBeGreaterThanOrEqual(2);
  const grownMiB = (rssBytes - idleRssBytes) / 1024 / 1024;
  // Right after the run glibc may still hold some of what the workers freed (docs/HTTP-API.md,
  // "Memory"); what is measured here is that the run's gigabyte of work does not stay.
  expect(grownMiB).toBeLessThan(200);
  expect(server.errors()).toBe('');
});
