// Line mode's writing area in Chromium (issue 23 §3): a word written as mouse strokes is read
// from the strokes in the polyfill's worker after the pen lifts, by a line model that reads
// anything as "a" (line-fixture.ts: the mechanics are checked, not accuracy);
// undo, redo and erase change the strokes and the reading follows; a word's alternatives
// correct it in one tap; the text is copied; a palm's touch while a pen writes is ignored. A
// screenshot of the page is left in the test's folder when HCR_SCREENSHOTS names a folder.

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/node/server/listen.js';
import { HAVE_CHROMIUM, startPageServer, type PageServer } from './page-server.js';
const SCREENSHOTS = process.env['HCR_SCREENSHOTS'];

/** "hi" in the pad's units (0-1 across and down), as a few pen strokes. */
const HI: [number, number][][] = [
  [
    [0.1, 0.15],
    [0.1, 0.3],
  ],
  [
    [0.1, 0.24],
    [0.13, 0.21],
    [0.16, 0.24],
    [0.16, 0.3],
  ],
  [
    [0.2, 0.21],
    [0.2, 0.3],
  ],
  [
    [0.2, 0.17],
    [0.201, 0.172],
  ],
];

describe.skipIf(!HAVE_CHROMIUM)('the writing area in Chromium', () => {
  let server: PageServer;
  let running: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startPageServer({ prefix: 'hcr-ink-page-', lineCharacter: 'a' });
    ({ running, browser } = server);
  }, 180_000);

  afterAll(() => server?.close());

  async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
    const box = (await page.locator('#pad').boundingBox())!;
    for (const [first, ...rest] of strokes) {
      await page.mouse.move(box.x + first![0] * box.width, box.y + first![1] * box.height);
      await page.mouse.down();
      for (const [x, y] of rest) {
        await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 4 });
      }
      await page.mouse.up();
    }
  }

  const settled = (page: Page) =>
    page.waitForFunction(() => document.body.dataset['busy'] === 'false', null, {
      timeout: 60_000,
    });
  const strokes = async (page: Page) => Number(await page.getAttribute('#pad', 'data-strokes'));

  it('reads strokes after pen-up, follows undo, redo and erase, corrects and copies', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: running.url,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${running.url}/#line`);
    await page.waitForFunction(() => document.body.dataset['recognizer'] === 'browser', null, {
      timeout: 60_000,
    });

    await draw(page, HI);
    await settled(page);
    expect(await strokes(page)).toBe(HI.length);
    // The polyfill's worker read the strokes: the words, the page says so, and copy works.
    await expect.poll(() => page.locator('#ink-words .word').count()).toBeGreaterThan(0);
    expect(await page.textContent('#read-by')).toMatch(/from your strokes .* Web Worker/);
    const summary = (await page.textContent('#line-summary')) ?? '';
    expect(summary).toBe('Reads a');
    await page.click('#copy-text');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(`Reads ${copied.replace(/\n/g, ' / ')}`).toBe(summary);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'ink-page.png') });

    // A word's alternatives, and one tap corrects it.
    await page.click('#ink-words .word >> nth=0');
    expect(await page.locator('#ink-alternatives').isVisible()).toBe(true);
    await page.locator('#ink-alternatives .alternative', { hasText: /^A$/ }).click();
    expect(await page.textContent('#ink-words .word >> nth=0')).toBe('A');
    expect(await page.getAttribute('#ink-words .word >> nth=0', 'class')).toContain('corrected');
    expect(await page.textContent('#line-summary')).toBe('Reads A');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'ink-page-corrected.png') });

    // Undo takes a stroke back and the reading follows; redo puts it back.
    await page.keyboard.press('Control+z');
    await settled(page);
    expect(await strokes(page)).toBe(HI.length - 1);
    await page.click('#redo');
    await settled(page);
    expect(await strokes(page)).toBe(HI.length);

    // Erase: a tap on a stroke removes it; undo brings it back.
    await page.keyboard.press('e');
    expect(await page.getAttribute('#erase', 'aria-pressed')).toBe('true');
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.click(box.x + 0.1 * box.width, box.y + 0.2 * box.height);
    await settled(page);
    expect(await strokes(page)).toBe(HI.length - 1);
    await page.keyboard.press('e');
    await page.keyboard.press('Control+z');
    await settled(page);
    expect(await strokes(page)).toBe(HI.length);

    // A palm: a large touch while a pen writes is ignored; the pen's stroke is kept.
    await page.evaluate(() => {
      const pad = document.getElementById('pad')!;
      const r = pad.getBoundingClientRect();
      const at = (type: string, pointerType: string, id: number, x: number, y: number, w = 1) =>
        pad.dispatchEvent(
          new PointerEvent(type, {
            pointerId: id,
            pointerType,
            clientX: r.left + x * r.width,
            clientY: r.top + y * r.height,
            width: w,
            height: w,
            pressure: 0.6,
            tiltX: 20,
            bubbles: true,
            cancelable: true,
            isPrimary: true,
            button: 0,
            buttons: 1,
          }),
        );
      at('pointerdown', 'pen', 7, 0.5, 0.6);
      at('pointerdown', 'touch', 8, 0.55, 0.8, 70);
      at('pointermove', 'touch', 8, 0.6, 0.85, 70);
      at('pointermove', 'pen', 7, 0.55, 0.62);
      at('pointermove', 'pen', 7, 0.6, 0.6);
      at('pointerup', 'pen', 7, 0.6, 0.6);
      at('pointerup', 'touch', 8, 0.6, 0.85, 70);
    });
    await settled(page);
    expect(await strokes(page)).toBe(HI.length + 1);

    // Clear; the shortcuts are listed.
    await page.click('#clear');
    await settled(page);
    expect(await strokes(page)).toBe(0);
    expect(await page.textContent('#line-summary')).toBe('Write a few characters');
    expect(await page.textContent('#shortcuts')).toMatch(/redo.*erase.*copy the text/s);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
