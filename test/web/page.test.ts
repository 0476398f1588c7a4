// The page in a real browser: Debian's Chromium driven by playwright-core against `hcr serve`
// with a tiny fixture model that leans towards O, then 0 (so every drawing reads as O with the
// O/0 note). Strokes drawn with the mouse and with touch, uploads by picker, drop and paste,
// undo/clear/keys, the server fallback, a phone-sized screen, accessible names, and no request
// leaving the server. Skipped, with how to install Chromium, when there is none (outside CI).

import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import { serveUntilSignal, type RunningServer } from '../../src/node/server/listen.js';
import { buildWeb, webBuildState } from '../../src/node/server/web-build.js';
import { IMAGES, L_PNG, dataUrlPixels, saveFixtureModel } from '../server/helpers.js';

const CHROMIUM = process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = Boolean(process.env['CI']);
const INSTALL_HINT =
  `browser tests skipped: no Chromium at ${CHROMIUM}. Install Debian's (or Ubuntu's) package ` +
  `with 'sudo apt-get install chromium', or set HCR_CHROMIUM to a Chromium or Chrome binary.`;

if (!HAVE_CHROMIUM && !IN_CI) console.warn(INSTALL_HINT);

it('has a Chromium to drive in CI', () => {
  // CI installs it (.ci/run); there, a missing browser is a failure, not a skip.
  expect(HAVE_CHROMIUM || !IN_CI, INSTALL_HINT).toBe(true);
});

describe.skipIf(!HAVE_CHROMIUM)('the page in Chromium', () => {
  let dir: string;
  let loaded: LoadedModel;
  let app: FastifyInstance;
  let running: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const state = await webBuildState();
    if (state.stale) await buildWeb();
    await initEngine({ backend: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'hcr-page-'));
    loaded = await loadModel(await saveFixtureModel(join(dir, 'model'), { O: 6, '0': 5 }));
    app = await buildServer({ model: loaded, rateLimitPerMinute: 0 });
    running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    loaded?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  interface Opened {
    page: Page;
    /** Every URL the page requested. */
    requests: string[];
    /** Console errors and uncaught exceptions. */
    errors: string[];
  }

  async function open(
    options: { phone?: boolean; blockModel?: boolean; waitForModel?: boolean } = {},
  ): Promise<Opened> {
    const context = await browser.newContext(
      options.phone
        ? {
            viewport: { width: 360, height: 740 },
            deviceScaleFactor: 2,
            isMobile: true,
            hasTouch: true,
          }
        : { viewport: { width: 1280, height: 800 } },
    );
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    if (options.blockModel) await page.route('**/model/**', (route) => route.abort());
    await page.goto(running.url);
    if (options.waitForModel !== false) {
      await page.waitForFunction(() => document.body.dataset['recognizer'] !== undefined);
    }
    return { page, requests, errors };
  }

  /** Draws strokes with the mouse; points are fractions of the pad's side. */
  async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
    const box = (await page.locator('#pad').boundingBox())!;
    for (const points of strokes) {
      const [first, ...rest] = points;
      await page.mouse.move(box.x + first![0] * box.width, box.y + first![1] * box.height);
      await page.mouse.down();
      for (const [x, y] of rest) {
        await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 6 });
      }
      await page.mouse.up();
    }
  }

  const RING: [number, number][] = Array.from({ length: 21 }, (_, i) => {
    const t = (i / 20) * 2 * Math.PI;
    return [0.5 + 0.2 * Math.sin(t), 0.5 - 0.3 * Math.cos(t)];
  });
  const BAR: [number, number][] = [
    [0.5, 0.2],
    [0.5, 0.8],
  ];

  const rankingLabels = (page: Page) =>
    page
      .locator('#ranking li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('aria-label') ?? ''));

  /** Waits for the answer to the last change (the page marks itself busy until then). */
  const settled = (page: Page) =>
    page.waitForFunction(() => document.body.dataset['busy'] === 'false');

  async function expectReading(page: Page): Promise<string[]> {
    await settled(page);
    expect(await page.locator('#error').isVisible()).toBe(false);
    const labels = await rankingLabels(page);
    expect(labels).toHaveLength(5);
    return labels;
  }

  async function expectEmpty(page: Page): Promise<void> {
    await settled(page);
    expect(await page.textContent('#summary')).toBe('Draw a character');
    expect(await page.locator('#ranking li').count()).toBe(0);
    expect(await page.locator('#seen').isVisible()).toBe(false);
  }

  it('loads everything from the server and runs the model in the browser', async () => {
    const { page, requests, errors } = await open();
    expect(await page.textContent('#status')).toMatch(
      /runs in your browser \((WebAssembly|WebGL|JavaScript)\)/,
    );
    expect(await page.evaluate(() => document.body.dataset['recognizer'])).toBe('browser');
    await expectEmpty(page);
    expect(await page.textContent('#model-info')).toMatch(
      /tiny network, 36 classes \(alnum36\); test accuracy 50\.0%/,
    );
    const origin = new URL(running.url).origin;
    const outside = requests.filter((url) => !url.startsWith(origin) && !/^(data|blob):/.test(url));
    expect(outside).toEqual([]);
    expect(requests.some((url) => url.endsWith('/model/weights.bin'))).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('reads mouse strokes: top 5, the 28x28 image the model saw, the look-alike note', async () => {
    const { page, requests, errors } = await open();
    await draw(page, [RING]);
    const labels = await expectReading(page);
    expect(labels[0]).toMatch(/^O \(capital\): \d+\.\d%$/);
    expect(labels[1]).toMatch(/^0 \(digit\): /);
    expect(await page.textContent('#summary')).toBe('Reads O');
    expect(await page.textContent('#note')).toMatch(/O \(capital\) and 0 \(digit\) look alike/);
    expect(await page.locator('#seen').isVisible()).toBe(true);
    // The drawing never left the browser.
    expect(requests.filter((url) => url.includes('/api/predict'))).toEqual([]);

    // Same normalization (src/core) in the browser and on the server: the server, given the
    // canvas as a PNG, saw exactly the 28x28 image the page shows, and ranks alike.
    const pngUrl = await page.evaluate(() =>
      (document.getElementById('pad') as HTMLCanvasElement).toDataURL('image/png'),
    );
    const answer = (await (
      await fetch(`${running.url}/api/predict`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: Buffer.from(pngUrl.split(',')[1]!, 'base64'),
      })
    ).json()) as { image: string; predictions: { probability: number }[] };
    const pagePixels = await page.evaluate(() => {
      const canvas = document.getElementById('seen-canvas') as HTMLCanvasElement;
      const rgba = canvas.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      return Array.from({ length: 784 }, (_, i) => rgba[i * 4]!);
    });
    expect(pagePixels).toEqual(Array.from(await dataUrlPixels(answer.image)));
    const pagePercent = labels.slice(0, 2).map((l) => Number(/([\d.]+)%$/.exec(l)![1]));
    answer.predictions.slice(0, 2).forEach((p: { probability: number }, i: number) => {
      expect(Math.abs(p.probability * 100 - pagePercent[i]!)).toBeLessThan(0.1);
    });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('undoes, clears and takes its keyboard shortcuts', async () => {
    const { page } = await open();
    await draw(page, [RING, BAR]);
    await expectReading(page);
    await page.keyboard.press('Control+z');
    await expectReading(page); // the ring is left
    await page.getByRole('button', { name: 'Undo' }).click();
    await expectEmpty(page);
    await draw(page, [BAR]);
    await expectReading(page);
    await page.keyboard.press('Escape');
    await expectEmpty(page);
    await draw(page, [BAR]);
    await expectReading(page);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expectEmpty(page);
    const pen = page.getByRole('slider', { name: 'Pen' });
    const width = Number(await pen.inputValue());
    await page.keyboard.press(']');
    expect(Number(await pen.inputValue())).toBe(width + 2);
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    expect(Number(await pen.inputValue())).toBe(width - 2);
    await page.context().close();
  });

  it('reads a file from the picker, a drop and a paste; says what is wrong with a bad one', async () => {
    const { page } = await open();
    await page.getByLabel('Upload an image of a character').setInputFiles(join(IMAGES, 'L.png'));
    await expectReading(page);
    await page.keyboard.press('Escape');
    await expectEmpty(page);

    await page
      .getByLabel('Upload an image of a character')
      .setInputFiles(join(IMAGES, 'not-an-image.txt'));
    await expect.poll(() => page.locator('#error').isVisible()).toBe(true);
    expect(await page.textContent('#error')).toMatch(
      /^not-an-image\.txt: not an image that can be decoded/,
    );

    const base64 = L_PNG.toString('base64');
    for (const how of ['drop', 'paste'] as const) {
      await page.keyboard.press('Escape');
      await expectEmpty(page);
      await page.evaluate(
        ([data, kind]) => {
          const bytes = Uint8Array.from(atob(data!), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], `L-${kind}.png`, { type: 'image/png' }));
          const event =
            kind === 'drop'
              ? new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
              : new ClipboardEvent('paste', {
                  clipboardData: transfer,
                  bubbles: true,
                  cancelable: true,
                });
          document.getElementById('pad')!.dispatchEvent(event);
        },
        [base64, how],
      );
      await expectReading(page);
    }
    // A TIFF, which Chromium cannot decode, is read by the server.
    await page.keyboard.press('Escape');
    await page.getByLabel('Upload an image of a character').setInputFiles(join(IMAGES, 'L.tiff'));
    await expectReading(page);
    expect(await page.textContent('#pad-hint')).toMatch(
      /L\.tiff: this browser cannot show it, so the server reads it/,
    );
    await page.context().close();
  });

  it('falls back to the server when the browser cannot load the model', async () => {
    const { page, requests } = await open({ blockModel: true });
    expect(await page.textContent('#status')).toMatch(
      /runs on the server: this browser could not run it/,
    );
    await draw(page, [RING]);
    const labels = await expectReading(page);
    expect(labels[0]).toMatch(/^O \(capital\)/);
    expect(requests.some((url) => url.endsWith('/api/predict?top=5'))).toBe(true);
    expect(await page.locator('#seen').isVisible()).toBe(true);
    await page.context().close();
  });

  it('fits a phone screen and draws with a finger', async () => {
    const { page } = await open({ phone: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    const pad = (await page.locator('#pad').boundingBox())!;
    expect(pad.x).toBeGreaterThanOrEqual(0);
    expect(pad.x + pad.width).toBeLessThanOrEqual(360);
    expect(pad.width).toBeGreaterThan(300);
    for (const name of ['Undo', 'Clear']) {
      const box = (await page.getByRole('button', { name }).boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(360);
      expect(box.height).toBeGreaterThanOrEqual(36); // big enough for a finger
    }
    // The answer's headline shows on the first screen, under the pad.
    const headline = (await page.locator('#summary').boundingBox())!;
    expect(headline.y + headline.height).toBeLessThanOrEqual(740);

    const cdp = await page.context().newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x?: number, y?: number) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: x === undefined ? [] : [{ x, y: y! }],
      });
    const at = (fx: number, fy: number): [number, number] => [
      pad.x + fx * pad.width,
      pad.y + fy * pad.height,
    ];
    await touch('touchStart', ...at(RING[0]![0], RING[0]![1]));
    for (const [x, y] of RING.slice(1)) await touch('touchMove', ...at(x, y));
    await touch('touchEnd');
    const labels = await expectReading(page);
    expect(labels[0]).toMatch(/^O \(capital\)/);
    await page.context().close();
  });

  it('names every control for assistive technology', async () => {
    const { page } = await open();
    await expect.poll(() => page.getByRole('button', { name: 'Undo' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Clear' }).count()).toBe(1);
    expect(await page.getByRole('slider', { name: 'Pen' }).count()).toBe(1);
    expect(await page.getByLabel('Upload an image of a character').count()).toBe(1);
    expect(await page.getByRole('toolbar', { name: 'Drawing tools' }).count()).toBe(1);
    expect(await page.locator('#pad').getAttribute('aria-label')).toMatch(/Drawing area/);
    expect(await page.locator('#summary').getAttribute('aria-live')).toBe('polite');
    await draw(page, [RING]);
    await expectReading(page);
    expect(await page.getByRole('img', { name: 'The 28 by 28 image the model saw' }).count()).toBe(
      1,
    );
    expect(await page.getByRole('list', { name: 'The five most likely characters' }).count()).toBe(
      1,
    );
    expect(await page.getByRole('note').textContent()).toMatch(/look alike/);
    await page.context().close();
  });
});
