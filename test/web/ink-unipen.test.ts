// Real handwriting written with the mouse on the page, in Chromium, read by the shipped line
// model: UNIPEN words from test/fixtures/ink (writers of the training and validation parts, so
// this checks the path, not accuracy on unseen writers: bench:ink --words measures that) drawn
// as pointer strokes on line mode's writing area, as bench:ink draws them, and read from the
// strokes in the polyfill's worker. "hello" and "minimum" read right at every size tried on the
// shipped models; "Bad Homburg" is asked only to come out as two words of about its length.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInk } from '../../src/core/ink/document.js';
import { editDistance } from '../../src/core/read/read.js';
import { DEFAULT_LINE_MODEL_DIR } from '../../src/node/read/line-reader.js';
import {
  clearPad,
  drawOnPad,
  openInkPage,
  padAspect,
  pageReading,
  settle,
  type InkPage,
} from '../../bench/ink/page.js';
import { placeWords } from '../../bench/ink/strokes.js';
import { ensureWebBuilt } from './build.js';

const CHROMIUM = process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ink');
const SHIPPED = existsSync(join(DEFAULT_LINE_MODEL_DIR, 'hcr.json'));

/** A fixture's strokes as bench:ink places words (UNIPEN-words units, 256 high). */
async function fixtureWord(file: string) {
  const strokes = parseInk(await readFile(join(FIXTURES, file), 'utf8'));
  return {
    strokes: strokes.map((s) => Int16Array.from(s.flatMap((p) => [p.x, p.y]))),
    width: Math.max(...strokes.flat().map((p) => p.x)),
  };
}

describe.skipIf(!existsSync(CHROMIUM) || !SHIPPED)('UNIPEN words written with the mouse', () => {
  let ink: InkPage;

  beforeAll(async () => {
    ink = await openInkPage({ ensureBuilt: ensureWebBuilt });
  }, 600_000);

  afterAll(async () => {
    await ink?.close();
  });

  /** Writes a fixture word `height` of the pad high, and gives what the page reads. */
  async function write(file: string, height: number): Promise<string> {
    const { page } = ink;
    await clearPad(page);
    const word = await fixtureWord(file);
    await drawOnPad(page, placeWords([word], await padAspect(page), 0.5 - height / 2, height));
    await settle(page);
    expect(Number(await page.getAttribute('#pad', 'data-strokes'))).toBe(word.strokes.length);
    return pageReading(page);
  }

  it('reads them from the strokes in the worker', async () => {
    expect(await write('unipen-hello.json', 0.22)).toBe('hello');
    expect(await ink.page.textContent('#read-by')).toMatch(/from your strokes .* Web Worker/);
    expect(await write('unipen-minimum.inkml', 0.15)).toBe('minimum');
    const twoWords = await write('unipen-bad-homburg.inkml', 0.3);
    expect(twoWords.split(' ')).toHaveLength(2);
    expect(editDistance(twoWords, 'Bad Homburg')).toBeLessThanOrEqual(4);
  }, 300_000);
});
