// Glyphs for the benchmark's held-out-style lines: each character rendered, one random way,
// in one of the font families that the synthetic-styles source holds out whole for its test
// set (`split: 'test'` in src/node/data/synth/families.ts), with that source's own renderer.
// No model trains on these families, so lines made of them measure styles nobody trained on.
// The reserved families (RESERVED_FAMILIES) are never loaded here.

import { FONT_FAMILIES, assertNotReserved } from '../src/node/data/synth/families.js';
import { loadFamily, type LoadedFamily } from '../src/node/data/synth/fonts.js';
import { GlyphCanvas, renderFontGlyph } from '../src/node/data/synth/render.js';
import { cropInk, type Glyph, type GlyphSource } from './read-set.js';

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
    const cropped = cropInk(image.width, image.height, image.data);
    if (!cropped) {
      throw new Error(`held-out font ${families[index]!.family.name}: no ink for ${label}`);
    }
    return { ...cropped, source: { set: `font:${families[index]!.family.name}`, index: 0 } };
  };
}
