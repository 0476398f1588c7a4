// Glyphs for the benchmark's held-out-style lines: each character rendered, one random way,
// in one of the font families that the synthetic-styles source holds out whole for its test
// set (`split: 'test'` in src/node/data/synth/families.ts), with that source's own renderer.
// No model trains on these families, so lines made of them measure styles nobody trained on.
// The reserved families (RESERVED_FAMILIES) are never loaded here.

import { FONT_FAMILIES, assertNotReserved } from '../src/node/data/synth/families.js';
import { loadFamily, type LoadedFamily } from '../src/node/data/synth/fonts.js';
import { GlyphCanvas, renderFontGlyph } from '../src/node/data/synth/render.js';
import type { Glyph, GlyphSource } from './read-set.js';

/** The held-out families' names. */
export const HELD_OUT_FAMILIES: readonly string[] = FONT_FAMILIES.filter(
  (f) => f.split === 'test',
).map((f) => f.name);

/**
 * A glyph source drawing each character in a held-out family picked at random, rendered by the
 * synthetic-styles renderer (slant, rotation, aspect, weight, elastic warp), cropped to its ink.
 *
 * @example
 * const samples = buildReadSet([], { glyphs: await heldOutFontGlyphs(), count: 200 });
 */
export async function heldOutFontGlyphs(): Promise<GlyphSource> {
  const families: LoadedFamily[] = [];
  for (const family of FONT_FAMILIES.filter((f) => f.split === 'test')) {
    assertNotReserved(family.name);
    families.push(await loadFamily(family));
  }
  const surface = new GlyphCanvas();
  return (rand, label): Glyph => {
    const index = Math.floor(rand() * families.length);
    const image = renderFontGlyph(surface, families[index]!, label, rand);
    const { width, height, data } = image;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[y * width + x]! > 40) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    if (x1 < 0)
      throw new Error(`held-out font ${families[index]!.family.name}: no ink for ${label}`);
    x0 = Math.max(0, x0 - 1);
    y0 = Math.max(0, y0 - 1);
    x1 = Math.min(width - 1, x1 + 1);
    y1 = Math.min(height - 1, y1 + 1);
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    const ink = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) ink[y * w + x] = data[(y0 + y) * width + x0 + x]! / 255;
    }
    return { w, h, ink, source: { set: `font:${families[index]!.family.name}`, index: 0 } };
  };
}
