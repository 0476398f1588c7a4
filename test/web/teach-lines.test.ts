// Teaching the line model one hand (issue 23 §3), end to end in Debian's Chromium with mouse
// strokes: a tiny line model that reads everything as "a" (line-fixture.ts); a word written in
// line mode is corrected by typing what it says, and the correction is kept as a line sample
// (its ink and text); corrected again it replaces its sample, and set back to its reading it
// keeps nothing. Three words corrected to "b" are adapted to in a Web Worker: the panel says
// the held-out word's characters before and after, the page then reads ink with the adapted
// model (a word now reads "b"), and the switch goes back to the served model ("a"). The exported
// adapted line model is a line model directory hcr loads, and its probability of "b" on the
// words is higher than the served model's; the words travel in the samples zip and import back.
// The fixture model is tiny, so the test raises the learning rate (?line-adapt-lr): it checks
// the page's machinery; bench/adapt-lines-page.ts measures the recipe on the shipped model.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLineSample } from '../../src/core/line/adapt.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { inkFromJson } from '../../src/core/ink/json.js';
import { lineModelInput } from '../../src/core/read/line-read.js';
import { decodeZip } from '../../src/core/zip.js';
import { loadLineModel } from '../../src/node/model/line-artifact.js';
import type { RunningServer } from '../../src/node/server/listen.js';
import { HAVE_CHROMIUM, startPageServer, type PageServer } from './page-server.js';

/** A word of a few loops, at `x` across the pad (pad units), shaped a little by `k`. */
function word(x: number, k: number): [number, number][][] {
  const loops = 2 + (k % 2);
  const stroke: [number, number][] = [];
  for (let i = 0; i <= 12 * loops; i++) {
    const a = (i / 12) * 2 * Math.PI;
    stroke.push([
      x + 0.012 * i * (1 + 0.1 * k) + 0.02 * Math.sin(a),
      0.3 - 0.06 * Math.abs(Math.cos(a / 2)),
    ]);
  }
  return [stroke];
}

describe.skipIf(!HAVE_CHROMIUM)('teaching the line model in Chromium', () => {
  let server: PageServer;
  let dir: string;
  let running: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startPageServer({ prefix: 'hcr-teach-lines-', lineCharacter: 'a' });
    ({ dir, running, browser } = server);
  }, 300_000);

  afterAll(() => server?.close());

  async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
    const box = (await page.locator('#pad').boundingBox())!;
    for (const [first, ...rest] of strokes) {
      await page.mouse.move(box.x + first![0] * box.width, box.y + first![1] * box.height);
      await page.mouse.down();
      for (const [x, y] of rest)
        await page.mouse.move(box.x + x * box.width, box.y + y * box.height);
      await page.mouse.up();
    }
  }

  const settled = (page: Page) =>
    page.waitForFunction(() => document.body.dataset['busy'] === 'false', null, {
      timeout: 120_000,
    });

  /** The text read from the pad's ink, once read. */
  async function reading(page: Page): Promise<string> {
    await settled(page);
    await expect
      .poll(() => page.locator('#ink-words .word').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    return (await page.textContent('#line-summary')) ?? '';
  }

  /** Taps the first word and types `text` as what it says. */
  async function correct(page: Page, text: string): Promise<void> {
    await page.click('#ink-words .word >> nth=0');
    await page.fill('#ink-alternatives .type-word-input', text);
    await page.press('#ink-alternatives .type-word-input', 'Enter');
  }

  async function clear(page: Page): Promise<void> {
    await page.click('#clear');
    await settled(page);
  }

  it('keeps corrected words, adapts the line model to them, reads with it, exports and imports', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${running.url}/?line-adapt-lr=0.05&line-adapt-steps=80#line`);
    await page.waitForFunction(() => document.body.dataset['teachLines'] === 'ready', null, {
      timeout: 120_000,
    });

    // A correction keeps the word's ink and text; corrected again it replaces its sample; set
    // back to what was read, it keeps nothing.
    await draw(page, word(0.1, 0));
    expect(await reading(page)).toBe('Reads a');
    await correct(page, 'A');
    await expect
      .poll(() => page.textContent('#ink-kept'))
      .toMatch(/Kept: it was “A”, read as “a” \(1 word/);
    expect(await page.textContent('#teach-toggle')).toBe('Teach (1)');
    await correct(page, 'b');
    await expect
      .poll(() => page.textContent('#ink-kept'))
      .toMatch(/Kept: it was “b”, read as “a” \(1 word/);
    await page.click('#ink-words .word >> nth=0');
    await page.locator('#ink-alternatives .alternative', { hasText: /^a$/ }).click();
    await expect.poll(() => page.textContent('#ink-kept')).toMatch(/right after all/);
    expect(await page.textContent('#teach-toggle')).toBe('Teach');

    // Three words said to be "b".
    for (let k = 0; k < 3; k++) {
      await clear(page);
      await draw(page, word(0.1 + 0.05 * k, k));
      expect(await reading(page)).toBe('Reads a');
      await correct(page, 'b');
      await expect.poll(() => page.textContent('#ink-kept')).toContain(`(${k + 1} word`);
    }
    await page.click('#teach-toggle');
    expect(await page.locator('#teach-line-samples .line-sample').count()).toBe(3);
    expect(await page.textContent('#teach-lines-summary')).toMatch(
      /3 words .* holds 1 of them out/,
    );

    // Adapt in the worker; the page then reads ink with the adapted model.
    await page.click('#adapt-lines');
    await page.waitForFunction(() => document.body.dataset['lineModel'] === 'adapted', null, {
      timeout: 300_000,
    });
    expect(await page.textContent('#adapt-lines-status')).toMatch(
      /Adapted in [\d.]+ s \(80 steps in [\d.]+ s\)\. Your held-out words: 0% → \d+% of the characters read right \(1 word; the line model alone: 0% → \d+%\)\./,
    );
    expect(await page.isChecked('#use-adapted-lines')).toBe(true);
    await clear(page);
    await draw(page, word(0.3, 4));
    expect(await reading(page)).toBe('Reads b');
    await page.click('#use-adapted-lines');
    await page.waitForFunction(() => document.body.dataset['lineModel'] === 'base');
    await expect.poll(() => page.textContent('#line-summary'), { timeout: 60_000 }).toBe('Reads a');
    await page.click('#use-adapted-lines');
    await page.waitForFunction(() => document.body.dataset['lineModel'] === 'adapted');
    await expect.poll(() => page.textContent('#line-summary'), { timeout: 60_000 }).toBe('Reads b');

    // The adapted line model: a directory hcr loads, more sure of "b" on the words than the
    // served model.
    const [modelDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#export-line-model'),
    ]);
    const modelZip = join(dir, 'line-model.zip');
    await modelDownload.saveAs(modelZip);
    for (const entry of await decodeZip(await readFile(modelZip), 'line-model.zip')) {
      await mkdir(dirname(join(dir, 'exported', entry.name)), { recursive: true });
      await writeFile(join(dir, 'exported', entry.name), entry.data);
    }
    const adapted = await loadLineModel(join(dir, 'exported', 'hcr-adapted-line'));
    const served = await loadLineModel(join(dir, 'line'));
    expect(adapted.metadata.charset).toBe(LINE_CHARSET);

    // The words: three JSON files in the samples zip, ink `hcr read --ink` takes.
    const [samplesDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#export-samples'),
    ]);
    const samplesZip = join(dir, 'samples.zip');
    await samplesDownload.saveAs(samplesZip);
    const words = (await decodeZip(await readFile(samplesZip), 'samples.zip')).filter((e) =>
      /^hcr-samples\/lines\/\d+\.json$/.test(e.name),
    );
    expect(words.length).toBe(3);
    const b = LINE_CHARSET.indexOf('b') + 1;
    const meanB = (model: tf.LayersModel, strokes: ReturnType<typeof inkFromJson>) => {
      const line = renderLineSample(strokes);
      const { input, width, frames } = lineModelInput(line, 4);
      return tf.tidy(() => {
        const logits = model.predict(tf.tensor4d(input, [1, line.height, width, 1])) as tf.Tensor;
        const probs = tf.softmax(logits).slice([0, 0, 0, b], [1, 1, frames, 1]);
        return probs.max().dataSync()[0]!;
      });
    };
    for (const entry of words) {
      const json = JSON.parse(new TextDecoder().decode(entry.data)) as {
        text: string;
        readAs: string;
      };
      expect(json).toMatchObject({ text: 'b', readAs: 'a' });
      const strokes = inkFromJson(json);
      expect(meanB(adapted.model, strokes)).toBeGreaterThan(meanB(served.model, strokes) + 0.1);
    }
    adapted.dispose();
    served.dispose();

    // Delete the words and import them back.
    await page.click('#clear-line-samples');
    await expect.poll(() => page.locator('#teach-line-samples .line-sample').count()).toBe(0);
    await page.setInputFiles('#import', samplesZip);
    await expect.poll(() => page.locator('#teach-line-samples .line-sample').count()).toBe(3);
    expect(await page.textContent('#teach-message')).toMatch(/Imported 0 samples and 3 words\./);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
