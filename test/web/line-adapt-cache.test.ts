// The Teach panel's line adaptation reads the line model from the browser's Cache API
// (src/web/model-cache.ts), in Debian's Chromium on the page of `hcr serve`: a word written in
// line mode is read by the polyfill's worker, which fetches the served line model once and keeps
// its files under the SHA-256s its hcr.json records; three words imported into the Teach panel
// are then adapted to in the line adaptation worker, which takes model.json and weights.bin from
// the cache: the server is asked for them once in all, only hcr.json (which says whether they
// changed) again. The server answers the line model with an ETag and no-cache, so without the
// Cache API the browser's HTTP cache would still ask it again (a 304), which the server counts.

import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeZip } from '../../src/core/zip.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import { serveUntilSignal, type RunningServer } from '../../src/node/server/listen.js';
import { saveFixtureModel } from '../server/helpers.js';
import { ensureWebBuilt } from './build.js';
import { saveOneCharacterLineModel } from './line-fixture.js';

const CHROMIUM = process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium';

/** One request the server answered: its path and status. */
interface Served {
  readonly path: string;
  readonly status: number;
}

/** A word of a few loops in pad units (x across, y down, a pad's height 1), shaped by `k`. */
function loops(x: number, k: number): { x: number; y: number; t: number }[] {
  const points = [];
  for (let i = 0; i <= 12 * (2 + (k % 2)); i++) {
    const a = (i / 12) * 2 * Math.PI;
    points.push({
      x: x + 0.02 * i * (1 + 0.1 * k) + 0.04 * Math.sin(a),
      y: 0.3 - 0.1 * Math.abs(Math.cos(a / 2)),
      t: 16 * i,
    });
  }
  return points;
}

describe.skipIf(!existsSync(CHROMIUM))('the Teach panel’s line model from the Cache API', () => {
  let dir: string;
  let loaded: LoadedModel;
  let app: FastifyInstance;
  let running: RunningServer;
  let browser: Browser;
  const served: Served[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    await initEngine({ backend: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'hcr-line-adapt-cache-'));
    loaded = await loadModel(await saveFixtureModel(join(dir, 'model')));
    await saveOneCharacterLineModel(join(dir, 'line'), 'a');
    app = await buildServer({ model: loaded, lineModel: join(dir, 'line'), rateLimitPerMinute: 0 });
    app.addHook('onResponse', async (request, reply) => {
      served.push({ path: request.url, status: reply.statusCode });
    });
    running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    // A page build on a loaded machine can take 10 minutes.
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    loaded?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function draw(page: Page, points: { x: number; y: number }[]): Promise<void> {
    await page.locator('#pad').scrollIntoViewIfNeeded();
    const box = (await page.locator('#pad').boundingBox())!;
    const [first, ...rest] = points;
    await page.mouse.move(box.x + first!.x * box.height, box.y + first!.y * box.height);
    await page.mouse.down();
    for (const p of rest) await page.mouse.move(box.x + p.x * box.height, box.y + p.y * box.height);
    await page.mouse.up();
  }

  const asked = (list: readonly Served[], file: string) =>
    list.filter((s) => s.path === `/line-model/${file}`).length;

  it('adapts the line model without asking the server for its files again', async () => {
    const zip = join(dir, 'words.zip');
    const entries = [0, 1, 2].map((k) => ({
      name: `hcr-samples/lines/000${k + 1}.json`,
      data: new TextEncoder().encode(
        JSON.stringify({ text: 'b', readAs: 'a', strokes: [loops(0.2 + 0.1 * k, k)] }),
      ),
    }));
    await writeFile(zip, encodeZip(entries));

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${running.url}/?line-adapt-steps=2#line`);
    await page.waitForFunction(() => document.body.dataset['teachLines'] === 'ready', null, {
      timeout: 120_000,
    });

    // The polyfill's worker reads a word: it fetches the line model and keeps it in the cache.
    await draw(page, loops(0.2, 0));
    await expect
      .poll(() => page.textContent('#line-summary'), { timeout: 120_000 })
      .toBe('Reads a');
    expect(asked(served, 'weights.bin')).toBeGreaterThan(0);
    const beforeAdapting = served.length;

    await page.click('#teach-toggle');
    await page.setInputFiles('#import', zip);
    await expect.poll(() => page.locator('#teach-line-samples .line-sample').count()).toBe(3);
    await page.click('#adapt-lines');
    await page.waitForFunction(() => document.body.dataset['lineModel'] === 'adapted', null, {
      timeout: 300_000,
    });
    expect(await page.textContent('#adapt-lines-status')).toMatch(/Adapted in [\d.]+ s/);

    const adapting = served.slice(beforeAdapting);
    expect(asked(adapting, 'hcr.json')).toBe(1);
    expect(asked(adapting, 'model.json')).toBe(0);
    expect(asked(adapting, 'weights.bin')).toBe(0);
    // What the worker did before it read the cache, a plain fetch, reaches the server: the
    // browser's HTTP cache revalidates the file (ETag, no-cache) and the server counts the 304.
    const status = await page.evaluate(async () => (await fetch('/line-model/weights.bin')).status);
    expect(status).toBe(200);
    expect(served.slice(beforeAdapting + adapting.length)).toContainEqual({
      path: '/line-model/weights.bin',
      status: 304,
    });
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
