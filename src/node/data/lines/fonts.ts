// Synthetic font lines (issue 21, §1 "Line data"): short texts (texts.ts) written in the
// @fontsource handwriting families of the synthetic-styles source, one random way per draw:
// weight, size, slant, slight rotation, baseline wobble, letter spacing, ink and paper grays,
// noise, sometimes blur, dark ink on light paper or the reverse. The families split as in
// styles-test (families.ts): the training families for 'train', the held-out ones for 'test';
// reserved families are refused.

import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { HcrError } from '../../../core/errors.js';
import { createRandom, uniform, type Random } from '../../../core/random.js';
import type { GrayImage } from '../../../core/types.js';
import { FONT_FAMILIES, assertNotReserved, type FamilySplit } from '../synth/families.js';
import { loadFamily, type LoadedFamily } from '../synth/fonts.js';
import { poseFont } from '../synth/render.js';
import {
  FONT_LINE_KINDS,
  FONT_LINE_KIND_NAMES,
  lineTextGenerator,
  loadLineWords,
  type LineWords,
} from './texts.js';
import type { LineSample, LineSource } from './types.js';

export { FONT_LINE_KINDS, FONT_LINE_KIND_NAMES } from './texts.js';

/** Options of {@link fontLineSource}; every field is optional, defaults in {@link FONT_LINES_DEFAULTS}. */
export interface FontLineOptions {
  /** Whose families: the training ones, or the held-out styles-test ones. Default: `'train'`. */
  readonly split?: FamilySplit;
  /** How many items the source holds. Default: 50000. */
  readonly count?: number;
  /** Seed of the texts (item i's text depends on this seed and i only). Default: 1. */
  readonly seed?: number;
  /** Kinds of text to mix, by name of {@link FONT_LINE_KINDS}. Default: all of them. */
  readonly kinds?: readonly string[];
  /** The words to write (default: the installed word list, via loadLineWords). */
  readonly words?: LineWords;
}

/** A font line and the family it is written in (for reports per family). */
export interface FontLineSample extends LineSample {
  /** The font family's name, e.g. `Kalam`. */
  readonly family: string;
}

/** A {@link LineSource} of font lines, whose samples name their family. */
export interface FontLineSource extends LineSource {
  sample(i: number, rand: Random): FontLineSample;
}

/** The defaults of {@link FontLineOptions}, in one place for docs and tests. */
export const FONT_LINES_DEFAULTS = Object.freeze({
  split: 'train' as FamilySplit,
  count: 50000,
  seed: 1,
  kinds: FONT_LINE_KIND_NAMES,
});

/** {@link FontLineOptions} with every default filled in and checked. */
export type ResolvedFontLineConfig = Readonly<Required<Omit<FontLineOptions, 'words'>>>;

/**
 * Fills in the defaults of {@link FontLineOptions} and checks them.
 *
 * @throws HcrError BAD_OPTION for an unknown split or kind, or a count that is not a positive integer
 */
export function resolveFontLineConfig(options: FontLineOptions = {}): ResolvedFontLineConfig {
  const config = {
    split: options.split ?? FONT_LINES_DEFAULTS.split,
    count: options.count ?? FONT_LINES_DEFAULTS.count,
    seed: options.seed ?? FONT_LINES_DEFAULTS.seed,
    kinds: Object.freeze([...(options.kinds ?? FONT_LINES_DEFAULTS.kinds)]),
  };
  if (config.split !== 'train' && config.split !== 'test') {
    throw new HcrError(
      'BAD_OPTION',
      `font lines: expected split 'train' or 'test', got '${String(config.split)}'`,
    );
  }
  if (!Number.isInteger(config.count) || config.count < 1) {
    throw new HcrError(
      'BAD_OPTION',
      `font lines: expected count to be a positive integer, got ${config.count}`,
    );
  }
  for (const kind of config.kinds) {
    if (!Object.prototype.hasOwnProperty.call(FONT_LINE_KINDS, kind)) {
      throw new HcrError(
        'BAD_OPTION',
        `font lines: unknown kind '${kind}': expected one of ${FONT_LINE_KIND_NAMES.join(', ')}`,
      );
    }
  }
  return Object.freeze(config);
}

/**
 * The families of a split, loaded into the rasterizer: the training families or the held-out
 * styles-test ones, never a reserved family.
 *
 * @throws HcrError BAD_OPTION if a reserved family were ever listed; NOT_FOUND when a package is missing
 */
export async function loadLineFamilies(split: FamilySplit): Promise<LoadedFamily[]> {
  const families = FONT_FAMILIES.filter((family) => family.split === split);
  for (const family of families) assertNotReserved(family.name);
  return Promise.all(families.map((family) => loadFamily(family)));
}

/**
 * Training families that write a-z as capitals or small capitals though families.ts does not flag
 * them `capsOnly` (seen on their renderings of `abdegqrhn ABDEGQRHN`). A line with lowercase is
 * never written in them, or its image would say something else.
 */
export const LOWERCASE_AS_CAPITALS: readonly string[] = Object.freeze([
  'Permanent Marker',
  'Rock Salt',
  'Walter Turncoat',
]);

/**
 * True when a family has no lowercase of its own: flagged `capsOnly` in families.ts, or one of
 * {@link LOWERCASE_AS_CAPITALS}.
 *
 * @example
 * writesCapitalsOnly(amaticSc); // true
 */
export function writesCapitalsOnly(family: LoadedFamily): boolean {
  return family.family.capsOnly === true || LOWERCASE_AS_CAPITALS.includes(family.family.name);
}

const DEG = Math.PI / 180;
/** Advance widths are measured once per font at this size and scaled. */
const MEASURE_SIZE = 100;

function pick<T>(rand: Random, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

/** A zero-mean noise of standard deviation about 1 (the sum of three uniforms; cheap). */
function noise(rand: Random): number {
  return 2 * (rand() + rand() + rand() - 1.5);
}

/** Paper grain is read from a fixed table of noise at a random start (one draw per line, not per pixel). */
const GRAIN_TABLE_SIZE = 1 << 18;
const GRAIN_MASK = GRAIN_TABLE_SIZE - 1;

/**
 * The drawing surface of font lines: one canvas reused for every line (it grows when a line
 * needs more room), and the advance widths of each font's characters.
 */
export class FontLineCanvas {
  private canvas: Canvas = createCanvas(1024, 256);
  private context: SKRSContext2D = this.canvas.getContext('2d');
  private readonly advances = new Map<string, Map<string, number>>();
  /** Zero-mean noise of deviation about 1, read at a random start as paper grain. */
  readonly grain: Float32Array = (() => {
    const rand = createRandom(0x6a09e667);
    const table = new Float32Array(GRAIN_TABLE_SIZE);
    for (let i = 0; i < table.length; i++) table[i] = noise(rand);
    return table;
  })();

  /** The context, cleared to black over `width` x `height`, grown if needed, transform reset. */
  surface(width: number, height: number): SKRSContext2D {
    if (width > this.canvas.width || height > this.canvas.height) {
      this.canvas = createCanvas(
        Math.max(this.canvas.width, Math.ceil(width / 256) * 256),
        Math.max(this.canvas.height, Math.ceil(height / 64) * 64),
      );
      this.context = this.canvas.getContext('2d');
    }
    const g = this.context;
    g.resetTransform();
    g.globalAlpha = 1;
    g.fillStyle = '#000';
    g.fillRect(0, 0, width, height);
    return g;
  }

  /** The advance width of `char` in the font `alias`, at size 1. */
  advance(alias: string, char: string): number {
    let table = this.advances.get(alias);
    if (!table) {
      table = new Map();
      this.advances.set(alias, table);
    }
    let width = table.get(char);
    if (width === undefined) {
      const g = this.context;
      g.font = `${MEASURE_SIZE}px "${alias}"`;
      width = g.measureText(char).width / MEASURE_SIZE;
      table.set(char, width);
    }
    return width;
  }

  /** The advance width of a whole `text` in the font `alias`, at size 1 (with its kerning). */
  textAdvance(alias: string, text: string): number {
    this.context.font = `${MEASURE_SIZE}px "${alias}"`;
    return this.context.measureText(text).width / MEASURE_SIZE;
  }

  /** The red channel of the top-left `width` x `height` pixels (everything is drawn in grays). */
  coverage(width: number, height: number): Uint8Array {
    const rgba = this.context.getImageData(0, 0, width, height).data;
    const out = new Uint8Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4]!;
    return out;
  }
}

/**
 * One line of text in a font family, written one random way: a weight of the family, a size
 * (26-48 px), a slant (±14°), a rotation (±2°), an aspect (0.85-1.15), letter by letter with
 * jittered spacing and a wobbling baseline (or whole, with the font's kerning), sometimes a
 * heavier outline; then ink and paper grays, dark on light (85%) or light on dark, a light
 * shading across the paper, noise, sometimes a blur, on a canvas a few pixels larger than the
 * ink.
 *
 * @example
 * const image = renderFontLine(new FontLineCanvas(), kalam, 'Hello, World', createRandom(1));
 */
export function renderFontLine(
  surface: FontLineCanvas,
  family: LoadedFamily,
  text: string,
  rand: Random,
): GrayImage {
  const alias = family.aliases.get(pick(rand, [...family.aliases.keys()]))!;
  const size = Math.round(uniform(rand, 26, 48));
  const slant = Math.tan(uniform(rand, -14, 14) * DEG);
  const rotation = uniform(rand, -2, 2) * DEG;
  const aspect = uniform(rand, 0.85, 1.15);
  const byLetter = rand() < 0.65;
  const tracking = uniform(rand, -0.03, 0.08) * size;
  const spaceScale = uniform(rand, 0.8, 1.7);
  const wobble = uniform(rand, 0, 0.05) * size;
  const period = uniform(rand, 3, 10) * size;
  const phase = uniform(rand, 0, 2 * Math.PI);
  const outline = rand() < 0.2 ? uniform(rand, 0.5, Math.max(0.6, 0.06 * size)) : 0;

  // Where each letter goes, in text units (baseline at y = 0, x along the line).
  const xs: number[] = [];
  const ys: number[] = [];
  let advance = 0;
  if (byLetter) {
    for (const char of text) {
      xs.push(advance);
      ys.push(
        wobble * Math.sin((2 * Math.PI * advance) / period + phase) + 0.015 * size * noise(rand),
      );
      const w = surface.advance(alias, char) * size;
      advance += char === ' ' ? w * spaceScale : w + tracking + 0.03 * size * noise(rand);
    }
  } else {
    advance = surface.textAdvance(alias, text) * size;
  }

  // The room the line may take, generously (swashes reach past the advance), after the slant,
  // aspect and rotation: the box of the transformed corners of [-pad, advance + pad] x [top, bottom].
  const pad = 0.7 * size;
  const top = -1.4 * size - wobble;
  const bottom = 0.8 * size + wobble;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const place = (x: number, y: number): [number, number] => {
    const u = aspect * x - slant * y;
    return [cos * u - sin * y, sin * u + cos * y];
  };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of [
    [-pad, top],
    [advance + pad, top],
    [-pad, bottom],
    [advance + pad, bottom],
  ] as const) {
    const [px, py] = place(x, y);
    minX = Math.min(minX, px);
    maxX = Math.max(maxX, px);
    minY = Math.min(minY, py);
    maxY = Math.max(maxY, py);
  }
  const width = Math.ceil(maxX - minX) + 2;
  const height = Math.ceil(maxY - minY) + 2;

  const g = surface.surface(width, height);
  g.translate(1 - minX, 1 - minY);
  poseFont(g, { alias, size, rotation, slant, aspect });
  g.textAlign = 'left';
  g.textBaseline = 'alphabetic';
  g.fillStyle = '#fff';
  g.strokeStyle = '#fff';
  g.lineJoin = 'round';
  g.lineWidth = outline;
  if (byLetter) {
    let k = 0;
    for (const char of text) {
      if (char !== ' ') {
        g.fillText(char, xs[k]!, ys[k]!);
        if (outline > 0) g.strokeText(char, xs[k]!, ys[k]!);
      }
      k++;
    }
  } else {
    g.fillText(text, 0, 0);
    if (outline > 0) g.strokeText(text, 0, 0);
  }
  return onPaper(surface.coverage(width, height), width, height, surface.grain, rand);
}

/**
 * The ink coverage cropped to its box plus a random margin, as ink on paper: grays, polarity,
 * shading, noise and blur.
 */
function onPaper(
  cover: Uint8Array,
  w: number,
  h: number,
  grainTable: Float32Array,
  rand: Random,
): GrayImage {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (cover[y * w + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) [x0, y0, x1, y1] = [0, 0, w - 1, h - 1];
  const left = Math.floor(uniform(rand, 2, 20));
  const right = Math.floor(uniform(rand, 2, 20));
  const above = Math.floor(uniform(rand, 2, 14));
  const below = Math.floor(uniform(rand, 2, 14));
  const width = x1 - x0 + 1 + left + right;
  const height = y1 - y0 + 1 + above + below;

  const darkInk = rand() < 0.85;
  const paper = darkInk ? uniform(rand, 185, 255) : uniform(rand, 0, 70);
  const ink = darkInk ? uniform(rand, 0, 110) : uniform(rand, 170, 255);
  const shadeX = uniform(rand, -0.12, 0.12) * (darkInk ? paper : 255 - paper);
  const shadeY = uniform(rand, -0.08, 0.08) * (darkInk ? paper : 255 - paper);
  const grain = uniform(rand, 0, 10);
  const start = Math.floor(rand() * GRAIN_TABLE_SIZE);
  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = y - above + y0;
    const rowPaper = paper + shadeY * (y / height - 0.5);
    for (let x = 0; x < width; x++) {
      const sx = x - left + x0;
      const c = sx >= 0 && sx < w && sy >= 0 && sy < h ? cover[sy * w + sx]! / 255 : 0;
      const p = rowPaper + shadeX * (x / width - 0.5);
      values[y * width + x] =
        p + (ink - p) * c + grain * grainTable[(start + y * width + x) & GRAIN_MASK]!;
    }
  }
  const blurred = rand() < 0.25 ? blur(values, width, height) : values;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.max(0, Math.min(255, Math.round(blurred[i]!)));
  return { width, height, data };
}

/** A [1 2 1]/4 blur along both axes (edges repeat). */
function blur(values: Float32Array, w: number, h: number): Float32Array {
  const tmp = new Float32Array(values.length);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const l = values[row + Math.max(0, x - 1)]!;
      const r = values[row + Math.min(w - 1, x + 1)]!;
      tmp[row + x] = 0.25 * l + 0.5 * values[row + x]! + 0.25 * r;
    }
  }
  const out = new Float32Array(values.length);
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w;
    const down = Math.min(h - 1, y + 1) * w;
    for (let x = 0; x < w; x++) {
      out[y * w + x] = 0.25 * tmp[up + x]! + 0.5 * tmp[y * w + x]! + 0.25 * tmp[down + x]!;
    }
  }
  return out;
}

/**
 * Synthetic font lines as a {@link LineSource}: item i's text comes from the text generator
 * (the same for the same seed, kinds and i), and `sample(i, rand)` writes it in a family of the
 * split drawn from `rand` (a family with no lowercase only for a text with none), one random
 * way ({@link renderFontLine}). One canvas is reused for every sample of the source.
 *
 * @throws HcrError BAD_OPTION for bad options (see resolveFontLineConfig); NOT_FOUND when a font
 *   package or the word list is missing
 * @example
 * const test = await fontLineSource({ split: 'test', count: 500, kinds: ['caps-digits'] });
 * const { image, text } = test.sample(0, createRandom(7));
 */
export async function fontLineSource(options: FontLineOptions = {}): Promise<FontLineSource> {
  const config = resolveFontLineConfig(options);
  const [families, words] = await Promise.all([
    loadLineFamilies(config.split),
    options.words ?? loadLineWords(),
  ]);
  const withLowercase = families.filter((family) => !writesCapitalsOnly(family));
  const text = lineTextGenerator(words, { seed: config.seed, kinds: config.kinds });
  let surface: FontLineCanvas | undefined;
  const allKinds = config.kinds.length === FONT_LINE_KIND_NAMES.length;
  const check = (i: number): void => {
    if (!(Number.isInteger(i) && i >= 0 && i < config.count)) {
      throw new HcrError(
        'BAD_OPTION',
        `font lines (${config.split}): expected an item index in 0..${config.count - 1}, got ${i}`,
      );
    }
  };
  return {
    name: `font-lines-${config.split}${allKinds ? '' : `/${config.kinds.join('+')}`}`,
    size: config.count,
    text(i: number): string {
      check(i);
      return text(i);
    },
    sample(i: number, rand: Random): FontLineSample {
      check(i);
      const line = text(i);
      surface ??= new FontLineCanvas();
      const family = pick(rand, /[a-z]/.test(line) ? withLowercase : families);
      return {
        image: renderFontLine(surface, family, line, rand),
        text: line,
        family: family.family.name,
      };
    },
  };
}
