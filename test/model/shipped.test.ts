// The shipped model (models/alnum36), as a newcomer meets it: it fits the size budget, its
// card is what `hcr card` writes from its files today (so the card's figures are this model's),
// and `hcr predict` with no --model reads characters that no dataset wrote: pen strokes drawn
// on paper and photographed, made here from a seed (a gradient and a shadow across the page,
// pencil, marker, a small glyph, noise, blur, JPEG).

import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import { DEFAULT_MODEL_DIR } from '../../src/node/cli/main.js';
import { writeModelCard } from '../../src/node/eval/model-card.js';
import { MODEL_CARD_FILE } from '../../src/node/model/files.js';
import { runCli } from '../helpers/cli.js';

/** One handwritten character on a sheet of paper: an SVG path in a 100x100 design space. */
interface PaperGlyph {
  readonly path: string;
  readonly ink: string;
  readonly penWidth: number;
  readonly scale: number;
  readonly paper: 'plain' | 'gradient' | 'shadow';
}

// Written by hand for this test, not taken from any dataset, and never used in training.
const PAPER_GLYPHS: Record<string, PaperGlyph> = {
  A: glyph('M22 88 Q35 50 50 12 Q62 48 79 90 M33 62 Q50 58 68 60', { paper: 'gradient' }),
  '4': glyph('M62 90 L60 10 Q40 40 20 66 Q50 64 82 63', { paper: 'gradient' }),
  K: glyph('M28 10 Q26 50 29 90 M74 12 Q50 38 30 55 Q55 70 78 92', { paper: 'gradient' }),
  '7': glyph('M20 16 Q50 12 80 14 Q62 50 44 90', { paper: 'gradient' }),
  R: glyph('M28 90 L30 12 Q75 8 72 34 Q70 52 32 50 Q55 66 76 92', { paper: 'gradient' }),
  '3': glyph('M24 20 Q50 2 70 22 Q74 40 46 48 Q80 54 72 78 Q55 98 22 84', { paper: 'gradient' }),
  B: glyph('M30 90 L30 10 Q75 8 70 30 Q66 48 32 50 Q82 52 76 74 Q70 94 30 90', {
    paper: 'shadow',
    ink: '#222',
    scale: 5,
  }),
  '5': glyph('M70 12 L34 12 L30 48 Q70 36 72 66 Q70 92 28 86', { scale: 1.6, penWidth: 5 }),
  E: glyph('M70 12 L30 12 L30 88 L72 88 M30 50 L62 50', { ink: '#8a8a8a', scale: 4, penWidth: 3 }),
  '9': glyph('M68 40 Q66 10 44 12 Q24 16 28 38 Q34 58 66 42 L62 90', {
    ink: '#0a2a8a',
    penWidth: 9,
  }),
};

function glyph(path: string, style: Partial<PaperGlyph>): PaperGlyph {
  return { path, ink: '#1d1f3a', penWidth: 4.2, scale: 5, paper: 'plain', ...style };
}

const PAPERS: Record<PaperGlyph['paper'], string> = {
  plain: '<stop offset="0" stop-color="#efece4"/><stop offset="1" stop-color="#e6e2d8"/>',
  gradient: '<stop offset="0" stop-color="#e9e4d8"/><stop offset="1" stop-color="#c9c2b4"/>',
  shadow:
    '<stop offset="0" stop-color="#555"/><stop offset="0.6" stop-color="#d8d4cc"/>' +
    '<stop offset="1" stop-color="#f4f1ea"/>',
};

/** A 1000x800 JPEG of `g` on paper, with seeded sensor noise and the blur of a phone camera. */
async function photograph(g: PaperGlyph, seed: number): Promise<Buffer> {
  const [width, height] = [1000, 800];
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><linearGradient id="paper" x1="0" y1="0" x2="1" y2="${g.paper === 'shadow' ? 0 : 1}">` +
    `${PAPERS[g.paper]}</linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#paper)"/>` +
    `<g transform="translate(${width * 0.35} ${height * 0.15}) scale(${g.scale})">` +
    `<path d="${g.path}" fill="none" stroke="${g.ink}" stroke-width="${g.penWidth}" ` +
    `stroke-linecap="round" stroke-linejoin="round"/></g></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).raw().toBuffer({ resolveWithObject: true });
  const rand = createRandom(seed);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + (rand() - 0.5) * 36)));
  }
  return sharp(data, { raw: info }).blur(1.5).jpeg({ quality: 72 }).toBuffer();
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-shipped-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every shipped classifier: the default (digits and capitals) and the 62-class one. */
const SHIPPED = [DEFAULT_MODEL_DIR, join(DEFAULT_MODEL_DIR, '..', 'byclass62')];

describe.each(SHIPPED)('the shipped model %s', (modelDir) => {
  it('stays under 5 MB', async () => {
    let bytes = 0;
    for (const name of await readdir(modelDir)) {
      bytes += (await stat(join(modelDir, name))).size;
    }
    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });

  it("has the card that `hcr card` writes from the model's files", async () => {
    const committed = await readFile(join(modelDir, MODEL_CARD_FILE), 'utf8');
    // The card names the `hcr card` command that wrote it, with --machine when one was given.
    const machine = /--machine '([^']*)'/.exec(committed)?.[1];
    const out = join(dir, `${basename(modelDir)}-${MODEL_CARD_FILE}`);
    await writeModelCard(modelDir, { out, ...(machine ? { machine } : {}) });
    expect(committed).toBe(await readFile(out, 'utf8'));
  });
});

describe('the shipped model', () => {
  it('reads photographed handwriting with no --model', async () => {
    const files: string[] = [];
    for (const [i, [label, g]] of Object.entries(PAPER_GLYPHS).entries()) {
      const file = join(dir, `${label}.jpg`);
      await writeFile(file, await photograph(g, 1000 + i));
      files.push(file);
    }
    const { code, stdout, stderr } = await runCli('predict', ...files, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout) as {
      results: { file: string; predictions: { label: string }[] }[];
    };
    const read = Object.fromEntries(
      results.map((r) => [basename(r.file, '.jpg'), r.predictions[0]?.label]),
    );
    const expected = Object.fromEntries(Object.keys(PAPER_GLYPHS).map((label) => [label, label]));
    expect(read).toEqual(expected);
  });
});
