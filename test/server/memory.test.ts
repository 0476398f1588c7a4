// Many requests in a row, good and bad, single and batched: the tensor count does not move and
// the heap stays flat (measured after a forced garbage collection).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import { L_PNG, grayPng, multipart, saveFixtureModel } from './helpers.js';

let dir: string;
let loaded: LoadedModel;
let app: FastifyInstance;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'hcr-memory-'));
  loaded = await loadModel(await saveFixtureModel(join(dir, 'model')));
  app = await buildServer({ model: loaded, webRoot: join(dir, 'web'), rateLimitPerMinute: 0 });
});

afterAll(async () => {
  await app?.close();
  loaded?.dispose();
  await rm(dir, { recursive: true, force: true });
});

it('keeps tensors and memory flat over many requests', async () => {
  const blank = await grayPng(200, 200);
  const photo = await grayPng(240, 180, { x: 100, y: 40, width: 20, height: 100 });
  const batch = multipart([
    { name: 'images', filename: 'a.png', data: L_PNG },
    { name: 'images', filename: 'b.png', data: photo },
    { name: 'images', filename: 'c.png', data: blank },
  ]);
  const send = async (i: number): Promise<number> => {
    const kind = i % 5;
    const res =
      kind === 3
        ? await app.inject({ method: 'POST', url: '/api/predict', ...batch })
        : await app.inject({
            method: 'POST',
            url: '/api/predict',
            headers: { 'content-type': 'image/png' },
            payload:
              kind === 0 ? L_PNG : kind === 1 ? photo : kind === 2 ? blank : Buffer.from('x'),
          });
    return res.statusCode;
  };
  const round = async (from: number, count: number) => {
    const statuses = new Set<number>();
    for (let i = from; i < from + count; i++) statuses.add(await send(i));
    return statuses;
  };

  expect(await round(0, 50)).toEqual(new Set([200, 422]));
  gc();
  // The model runs in the server's workers: /healthz adds their tensors beyond the models'
  // weights to the main thread's.
  const tensorsNow = async (): Promise<number> => (await app.inject('/healthz')).json().tensors;
  const tensors = await tensorsNow();
  expect(tensors).toBeGreaterThanOrEqual(tf.memory().numTensors);
  const heap = process.memoryUsage().heapUsed;
  const rss = process.memoryUsage().rss;
  await round(50, 250);
  gc();
  expect(await tensorsNow()).toBe(tensors);
  const grownMiB = (process.memoryUsage().heapUsed - heap) / 1024 / 1024;
  const rssGrownMiB = (process.memoryUsage().rss - rss) / 1024 / 1024;
  expect(grownMiB).toBeLessThan(8);
  // sharp's and tfjs's memory lives outside the heap; the process as a whole stays flat too.
  expect(rssGrownMiB).toBeLessThan(48);
});
