// Draws one character the way a hand might have: a font glyph under a random slant, rotation,
// aspect, weight and elastic warp, or a real pen trajectory (UNIPEN) re-inked with a random pen
// (ballpoint, felt-tip, pencil, brush: width, pressure along the stroke, texture, tremor). The
// result is a gray image, ink bright on dark, for normalizeToMnist to bring to 28x28.

import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { elasticDistort } from '../../../core/distort.js';
import { uniform, type Random } from '../../../core/random.js';
import type { GrayImage } from '../../../core/types.js';
import type { LoadedFamily } from './fonts.js';

/** Side of the square canvas a glyph is drawn on, in pixels. */
export const CANVAS_SIZE = 128;

const DEG = Math.PI / 180;

function pick<T>(rand: Random, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function gaussian(rand: Random): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A drawing surface reused for every glyph (creating a canvas per glyph costs more than drawing). */
export class GlyphCanvas {
  private readonly canvas = createCanvas(CANVAS_SIZE, CANVAS_SIZE);
  readonly context: SKRSContext2D = this.canvas.getContext('2d');

  /** Clears to black with no transform. */
  clear(): void {
    const g = this.context;
    g.resetTransform();
    g.globalAlpha = 1;
    g.fillStyle = '#000';
    g.fillRect(0, 0, CANVAS_SIZE, CANVAS_SIZE);
  }

  /** The canvas as a gray image (its red channel: everything is drawn in grays). */
  gray(): GrayImage {
    const rgba = this.context.getImageData(0, 0, CANVAS_SIZE, CANVAS_SIZE).data;
    const data = new Uint8Array(CANVAS_SIZE * CANVAS_SIZE);
    for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4]!;
    return { width: CANVAS_SIZE, height: CANVAS_SIZE, data };
  }
}

/** How a font's text is posed on the canvas, about the current origin. */
export interface FontPose {
  /** The family's registered name for one of its weights (`LoadedFamily.aliases`). */
  readonly alias: string;
  /** Font size in pixels. */
  readonly size: number;
  /** Rotation in radians, clockwise on the canvas. */
  readonly rotation: number;
  /** Slant as a shear, the tangent of its angle (positive leans right). */
  readonly slant: number;
  /** Horizontal stretch (1: as the font draws). */
  readonly aspect: number;
}

/**
 * Sets the font of `pose` on `g` and its transform after the current one: the rotation, then
 * the slant, then the aspect, so a point (x, y) of the text lands at the rotation of
 * (aspect * x - slant * y, y). Shared by the character glyphs and the font lines.
 *
 * @example
 * poseFont(g, { alias: 'hcr-synth Kalam 400', size: 72, rotation: 0.05, slant: 0.2, aspect: 1 });
 */
export function poseFont(g: SKRSContext2D, pose: FontPose): void {
  g.rotate(pose.rotation);
  g.transform(1, 0, -pose.slant, 1, 0, 0);
  g.scale(pose.aspect, 1);
  g.font = `${pose.size}px "${pose.alias}"`;
}

/**
 * One character in a font family, written one random way: a weight of the family, a size, a
 * slant (shear up to ±20°), a rotation (±8°), an aspect (0.8-1.2), sometimes a heavier outline,
 * then an elastic warp.
 *
 * @example
 * const image = renderFontGlyph(canvas, kalam, 'G', createRandom(1));
 */
export function renderFontGlyph(
  surface: GlyphCanvas,
  family: LoadedFamily,
  char: string,
  rand: Random,
): GrayImage {
  const g = surface.context;
  surface.clear();
  const weights = [...family.aliases.keys()];
  const alias = family.aliases.get(pick(rand, weights))!;
  const size = Math.round(uniform(rand, 64, 88));
  const slant = Math.tan(uniform(rand, -20, 20) * DEG);
  const rotation = uniform(rand, -8, 8) * DEG;
  const aspect = uniform(rand, 0.8, 1.2);
  g.translate(CANVAS_SIZE / 2, CANVAS_SIZE / 2);
  poseFont(g, { alias, size, rotation, slant, aspect });
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillStyle = '#fff';
  g.fillText(char, 0, 0);
  if (rand() < 0.3) {
    g.strokeStyle = '#fff';
    g.lineJoin = 'round';
    g.lineWidth = uniform(rand, 1, 5);
    g.strokeText(char, 0, 0);
  }
  const image = surface.gray();
  return rand() < 0.85
    ? elasticDistort(image, rand, { alpha: uniform(rand, 0.5, 3.5), grid: pick(rand, [4, 5, 6]) })
    : image;
}

/** The pens a trajectory is re-inked with. */
export const PEN_MODELS = Object.freeze(['ballpoint', 'felt-tip', 'pencil', 'brush'] as const);
/** One of {@link PEN_MODELS}. */
export type PenModel = (typeof PEN_MODELS)[number];

/** A trajectory: pen-down strokes, each a flat `[x0, y0, x1, y1, ...]` list (UNIPEN units 0-1000). */
export type Strokes = readonly (readonly number[])[];

/** True when the strokes span more than a point (45 UNIPEN glyphs are all one point). */
export function hasExtent(strokes: Strokes): boolean {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const stroke of strokes) {
    for (let i = 0; i + 1 < stroke.length; i += 2) {
      minX = Math.min(minX, stroke[i]!);
      maxX = Math.max(maxX, stroke[i]!);
      minY = Math.min(minY, stroke[i + 1]!);
      maxY = Math.max(maxY, stroke[i + 1]!);
    }
  }
  return Math.max(maxX - minX, maxY - minY) > 0;
}

/** How a pen lays its ink along a path: see {@link drawPenStrokes}. */
export interface PenStyle {
  readonly pen: PenModel;
  /** Stroke width in pixels before pressure. */
  readonly width: number;
  /** How much the width swells and thins along the path (0: not at all). */
  readonly pressureAmount: number;
  readonly pressurePhase: number;
}

/**
 * Draws pen-down strokes with a pen's pressure: a slow swell of the width along the path and,
 * for a brush, a taper at each stroke's two ends; a one-point stroke is a dot. `place` maps a
 * trajectory point to canvas pixels and may read `walk.distance`, the ink laid so far in pixels
 * (a tremor does), which this updates as it goes. Shared by the character glyphs and the lines.
 *
 * @example
 * drawPenStrokes(g, strokes, (x, y) => [x * 0.1, y * 0.1], { pen: 'ballpoint', width: 3, pressureAmount: 0.3, pressurePhase: 0 }, { distance: 0 });
 */
export function drawPenStrokes(
  g: SKRSContext2D,
  strokes: readonly ArrayLike<number>[],
  place: (x: number, y: number) => [number, number],
  style: PenStyle,
  walk: { distance: number },
): void {
  const { pen, width, pressureAmount, pressurePhase } = style;
  for (const stroke of strokes) {
    const points = stroke.length >> 1;
    if (points === 0) continue;
    let [px, py] = place(stroke[0]!, stroke[1]!);
    if (points === 1) {
      g.beginPath();
      g.arc(px, py, width / 2, 0, 2 * Math.PI);
      g.fill();
      continue;
    }
    for (let p = 1; p < points; p++) {
      const [x, y] = place(stroke[2 * p]!, stroke[2 * p + 1]!);
      walk.distance += Math.hypot(x - px, y - py);
      // Pressure: a slow swell along the path, light at a stroke's two ends (a taper).
      const along = p / (points - 1);
      const taper = pen === 'brush' ? Math.min(1, 0.35 + 2.5 * Math.min(along, 1 - along)) : 1;
      const swell = 1 + pressureAmount * Math.sin(walk.distance * 0.03 + pressurePhase);
      g.lineWidth = Math.max(1, width * taper * swell);
      g.beginPath();
      g.moveTo(px, py);
      g.lineTo(x, y);
      g.stroke();
      px = x;
      py = y;
    }
  }
}

/**
 * A pen trajectory drawn with a random pen: `pen` picks the model (width, pressure, texture),
 * then a slant (±15°), a rotation (±6°), a smooth tremor along the path and a random size.
 *
 * @example
 * const image = renderPenGlyph(canvas, [[0, 0, 0, 1000]], 'pencil', createRandom(3));
 */
export function renderPenGlyph(
  surface: GlyphCanvas,
  strokes: Strokes,
  pen: PenModel,
  rand: Random,
): GrayImage {
  const g = surface.context;
  surface.clear();
  const scale = uniform(rand, 72, 96) / 1000;
  const slant = Math.tan(uniform(rand, -15, 15) * DEG);
  const rotation = uniform(rand, -6, 6) * DEG;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  // Tremor: a slow sine wave per axis along the path, a few pixels at most.
  const tremor = uniform(rand, 0, 2.2);
  const waves = Array.from({ length: 2 }, () => ({
    frequency: uniform(rand, 0.01, 0.05),
    phase: uniform(rand, 0, 2 * Math.PI),
  }));
  const width =
    pen === 'felt-tip'
      ? uniform(rand, 7, 12)
      : pen === 'brush'
        ? uniform(rand, 5, 11)
        : uniform(rand, 3.5, 7);
  const ink = pen === 'pencil' ? uniform(rand, 0.45, 0.8) : uniform(rand, 0.8, 1);
  const pressureAmount = pen === 'brush' ? 0.6 : pen === 'felt-tip' ? 0.1 : 0.3;
  const pressurePhase = uniform(rand, 0, 2 * Math.PI);
  const shade = Math.round(255 * ink);
  g.strokeStyle = `rgb(${shade},${shade},${shade})`;
  g.fillStyle = g.strokeStyle;
  g.lineCap = 'round';
  g.lineJoin = 'round';
  const walk = { distance: 0 };
  const place = (x: number, y: number): [number, number] => {
    const u = (x - 500) * scale;
    const v = (y - 500) * scale;
    const sheared = u - slant * v;
    const wobbleX = tremor * Math.sin(walk.distance * waves[0]!.frequency + waves[0]!.phase);
    const wobbleY = tremor * Math.sin(walk.distance * waves[1]!.frequency + waves[1]!.phase);
    return [
      CANVAS_SIZE / 2 + cos * sheared - sin * v + wobbleX,
      CANVAS_SIZE / 2 + sin * sheared + cos * v + wobbleY,
    ];
  };
  drawPenStrokes(g, strokes, place, { pen, width, pressureAmount, pressurePhase }, walk);
  const image = surface.gray();
  if (pen === 'pencil') {
    // Graphite on paper: grain that leaves gaps in the stroke.
    const data = image.data as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      if (data[i]! > 0)
        data[i] = Math.round(data[i]! * Math.min(1, 0.55 + 0.45 * rand() + 0.1 * gaussian(rand)));
    }
  }
  return image;
}
