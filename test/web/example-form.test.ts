// examples/handwriting-form in Chromium (issue 23 §4): the static page, served by a plain file
// server from the repository's root with no hcr server, imports the built polyfill
// (dist/handwriting), and a word written with the mouse in its box fills the focused field. The
// line model is one that reads anything as "a" (line-fixture.ts), served where the polyfill
// looks for models/line-en.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureHandwritingBuilt } from './handwriting-build.js';
import { saveOneCharacterLineModel } from './line-fixture.js';

const CHROMIUM = process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env['HCR_SCREENSHOTS'];
const ROOT = join(import.meta.dirname, '..', '..');
const LINE_MODEL = '/dist/handwriting/models/line-en/';

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
});

describe.skipIf(!existsSync(CHROMIUM))('examples/handwriting-form in Chromium', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    await ensureHandwritingBuilt();
    dir = await mkdtemp(join(tmpdir(), 'hcr-example-'));
    await saveOneCharacterLineModel(join(dir, 'line-en'), 'a');
    // A plain static server of the repository, as `python3 -m http.server` would be.
    server = createServer(async (request, response) => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      const file = path.startsWith(LINE_MODEL)
        ? join(dir, 'line-en', normalize(path.slice(LINE_MODEL.length)))
        : join(ROOT, normalize(path.endsWith('/') ? `${path}index.html` : path));
      try {
        const body = await readFile(file);
        response
          .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
          .end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/examples/handwriting-form/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fills the focused field with what is written in its box', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'Write in the box.',
      null,
      { timeout: 60_000 },
    );
    await page.focus('#message');
    const box = (await page.locator('#ink').boundingBox())!;
    const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
    for (const stroke of [
      [
        [0.1, 0.3],
        [0.1, 0.7],
        [0.18, 0.7],
      ],
      [
        [0.25, 0.3],
        [0.25, 0.7],
      ],
    ]) {
      await page.mouse.move(...at(stroke[0]![0]!, stroke[0]![1]!));
      await page.mouse.down();
      for (const [x, y] of stroke.slice(1)) await page.mouse.move(...at(x!, y!), { steps: 4 });
      await page.mouse.up();
    }
    await expect.poll(() => page.inputValue('#message'), { timeout: 30_000 }).toBe('a');
    expect(await page.inputValue('#name')).toBe('');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'example-form.png') });
    await page.click('#clear');
    expect(await page.inputValue('#message')).toBe('');
    expect(errors).toEqual([]);
  }, 120_000);
});
